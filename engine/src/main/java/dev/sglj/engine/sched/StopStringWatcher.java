package dev.sglj.engine.sched;

/**
 * Watches a request's output text for its stop strings, token by token (the tokenizer supplies the
 * implementation, since matching works on decoded text across token boundaries).
 */
@FunctionalInterface
public interface StopStringWatcher {
    /** Feeds the next output token; returns the stop string the output now contains, or null. */
    String accept(int tokenId);
}
