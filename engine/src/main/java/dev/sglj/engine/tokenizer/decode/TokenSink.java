package dev.sglj.engine.tokenizer.decode;

/**
 * Receives a stream of tokens, each as {@code begin()}, any number of {@code text(..)} pieces, {@code end()};
 * then {@code finish()} once. Text passed on is final: a stage holds back what a later token could change.
 */
public interface TokenSink {

    void begin();

    void text(CharSequence piece);

    void end();

    void finish();

    /** Convenience: one whole token. */
    default void token(CharSequence text) {
        begin();
        text(text);
        end();
    }
}
