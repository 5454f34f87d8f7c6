package dev.sglj.engine.tokenizer.decode;

/** Streaming forms of the {@link TokenDecoder}s; each passes on only text that no later token can change. */
final class DecoderStages {

    private DecoderStages() {
    }

    /** Stages whose output is a single token (ByteLevel, Fuse): begun lazily, ended at finish. */
    private abstract static class SingleTokenStage implements TokenSink {
        final TokenSink next;
        private boolean begun;

        SingleTokenStage(TokenSink next) {
            this.next = next;
        }

        final void ensureBegun() {
            if (!begun) {
                begun = true;
                next.begin();
            }
        }

        void flush() {
        }

        @Override
        public final void finish() {
            ensureBegun();
            flush();
            next.end();
            next.finish();
        }
    }

    static final class ByteLevelStage extends SingleTokenStage {
        private final StringBuilder token = new StringBuilder();
        private final StringBuilder out = new StringBuilder();
        private final Utf8Lossy utf8 = new Utf8Lossy();

        ByteLevelStage(TokenSink next) {
            super(next);
        }

        @Override
        public void begin() {
            ensureBegun();
            token.setLength(0);
        }

        @Override
        public void text(CharSequence piece) {
            token.append(piece);
        }

        @Override
        public void end() {
            byte[] bytes = ByteLevelAlphabet.tokenBytes(token);
            out.setLength(0);
            utf8.accept(bytes, 0, bytes.length, out);
            if (!out.isEmpty()) {
                next.text(out);
            }
        }

        @Override
        void flush() {
            out.setLength(0);
            utf8.finish(out);
            if (!out.isEmpty()) {
                next.text(out);
            }
        }
    }

    static final class FuseStage extends SingleTokenStage {
        FuseStage(TokenSink next) {
            super(next);
        }

        @Override
        public void begin() {
            ensureBegun();
        }

        @Override
        public void text(CharSequence piece) {
            next.text(piece);
        }

        @Override
        public void end() {
        }
    }

    static final class ByteFallbackStage implements TokenSink {
        private final TokenSink next;
        private final StringBuilder token = new StringBuilder();
        private final java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
        private final java.util.List<String> flushed = new java.util.ArrayList<>();

        ByteFallbackStage(TokenSink next) {
            this.next = next;
        }

        @Override
        public void begin() {
            token.setLength(0);
        }

        @Override
        public void text(CharSequence piece) {
            token.append(piece);
        }

        @Override
        public void end() {
            int b = TokenDecoder.ByteFallback.byteValue(token);
            if (b >= 0) {
                run.write(b);
                return;
            }
            flushRun();
            next.token(token);
        }

        @Override
        public void finish() {
            flushRun();
            next.finish();
        }

        private void flushRun() {
            TokenDecoder.ByteFallback.flushRun(run, flushed);
            for (String s : flushed) {
                next.token(s);
            }
            flushed.clear();
        }
    }

    /** Replaces a string pattern per token, holding back a tail that may be the start of an occurrence. */
    static final class ReplaceStage implements TokenSink {
        private final String pattern;
        private final String content;
        private final TokenSink next;
        private final StringBuilder pending = new StringBuilder();
        private final StringBuilder out = new StringBuilder();

        ReplaceStage(TokenDecoder.Replace replace, TokenSink next) {
            this.pattern = replace.pattern();
            this.content = replace.content();
            this.next = next;
        }

        @Override
        public void begin() {
            pending.setLength(0);
            next.begin();
        }

        @Override
        public void text(CharSequence piece) {
            pending.append(piece);
            emit(false);
        }

        @Override
        public void end() {
            emit(true);
            next.end();
        }

        @Override
        public void finish() {
            next.finish();
        }

        private void emit(boolean all) {
            out.setLength(0);
            int i = 0;
            for (int j; (j = pending.indexOf(pattern, i)) >= 0; i = j + pattern.length()) {
                out.append(pending, i, j).append(content);
            }
            int keep = all ? 0 : heldTail(i);
            out.append(pending, i, pending.length() - keep);
            pending.delete(0, pending.length() - keep);
            if (!out.isEmpty()) {
                next.text(out);
            }
        }

        /** Length of the longest suffix (after index {@code from}) that is a proper prefix of the pattern. */
        private int heldTail(int from) {
            int n = pending.length();
            for (int len = Math.min(pattern.length() - 1, n - from); len > 0; len--) {
                if (pending.substring(n - len).equals(pattern.substring(0, len))) {
                    return len;
                }
            }
            return 0;
        }
    }

    static final class StripStage implements TokenSink {
        private final int content;
        private final int start;
        private final int stop;
        private final TokenSink next;
        private final StringBuilder out = new StringBuilder();
        private int startLeft;
        private int held;

        StripStage(TokenDecoder.Strip strip, TokenSink next) {
            this.content = strip.content();
            this.start = strip.start();
            this.stop = strip.stop();
            this.next = next;
        }

        @Override
        public void begin() {
            startLeft = start;
            held = 0;
            next.begin();
        }

        @Override
        public void text(CharSequence piece) {
            out.setLength(0);
            piece.codePoints().forEach(this::accept);
            if (!out.isEmpty()) {
                next.text(out);
            }
        }

        private void accept(int c) {
            if (startLeft > 0) {
                if (c == content) {
                    startLeft--;
                    return;
                }
                startLeft = 0;
            }
            if (c == content && stop > 0) {
                if (held == stop) {
                    out.appendCodePoint(content);
                } else {
                    held++;
                }
                return;
            }
            for (; held > 0; held--) {
                out.appendCodePoint(content);
            }
            out.appendCodePoint(c);
        }

        @Override
        public void end() {
            held = 0;
            next.end();
        }

        @Override
        public void finish() {
            next.finish();
        }
    }

    static final class MetaspaceStage implements TokenSink {
        private final TokenDecoder.Metaspace metaspace;
        private final TokenSink next;
        private final StringBuilder out = new StringBuilder();
        private int index = -1;

        MetaspaceStage(TokenDecoder.Metaspace metaspace, TokenSink next) {
            this.metaspace = metaspace;
            this.next = next;
        }

        @Override
        public void begin() {
            index++;
            next.begin();
        }

        @Override
        public void text(CharSequence piece) {
            out.setLength(0);
            metaspace.appendMapped(piece, index == 0, out);
            if (!out.isEmpty()) {
                next.text(out);
            }
        }

        @Override
        public void end() {
            next.end();
        }

        @Override
        public void finish() {
            next.finish();
        }
    }
}
