package dev.sglj.engine.tokenizer.decode;

/**
 * Per-request streaming decode. {@link #push} returns the text that became final with that token (possibly
 * empty): never a partial UTF-8 character, never text a later token could change. The concatenation of all
 * pushes and {@link #finish} equals {@link DecoderPipeline#decode} of the same ids. Not thread-safe.
 */
public final class IncrementalDetokenizer {

    private final DecoderPipeline pipeline;
    private final boolean skipSpecialTokens;
    private final StringBuilder raw = new StringBuilder();
    private final TokenSink head;
    private boolean finished;

    IncrementalDetokenizer(DecoderPipeline pipeline, boolean skipSpecialTokens) {
        this.pipeline = pipeline;
        this.skipSpecialTokens = skipSpecialTokens;
        this.head = pipeline.head(new Collector(raw));
    }

    public String push(int id) {
        if (finished) {
            throw new IllegalStateException("detokenizer already finished");
        }
        String token = pipeline.token(id, skipSpecialTokens);
        if (token != null) {
            head.token(token);
        }
        return drain(false);
    }

    public String push(int[] ids) {
        var out = new StringBuilder();
        for (int id : ids) {
            out.append(push(id));
        }
        return out.toString();
    }

    /** Ends the stream and returns what was held back (incomplete bytes become U+FFFD, as in a full decode). */
    public String finish() {
        if (finished) {
            return "";
        }
        finished = true;
        head.finish();
        return drain(true);
    }

    private String drain(boolean all) {
        if (raw.isEmpty()) {
            return "";
        }
        int cut = all || !pipeline.cleanUpSpaces() ? raw.length() : CleanUpSpaces.safeCut(raw, 0);
        if (cut == 0) {
            return "";
        }
        String text = raw.substring(0, cut);
        raw.delete(0, cut);
        return pipeline.cleanUpSpaces() ? CleanUpSpaces.cleanUp(text) : text;
    }

    private record Collector(StringBuilder out) implements TokenSink {
        @Override
        public void begin() {
        }

        @Override
        public void text(CharSequence piece) {
            out.append(piece);
        }

        @Override
        public void end() {
        }

        @Override
        public void finish() {
        }
    }
}
