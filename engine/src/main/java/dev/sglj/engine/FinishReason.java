package dev.sglj.engine;

/** Why a request stopped generating, shaped as SGLang reports it in {@code meta_info.finish_reason}. */
public sealed interface FinishReason {
    /** SGLang's {@code type} field. */
    String type();

    /** Hit an EOS or stop token id ({@code matchedToken}) or a stop string ({@code matchedText}). */
    record Stop(Integer matchedToken, String matchedText) implements FinishReason {
        public static Stop token(int id) {
            return new Stop(id, null);
        }

        public static Stop text(String s) {
            return new Stop(null, s);
        }

        /** What SGLang reports as {@code matched}: the token id, or the stop string. */
        public Object matched() {
            return matchedToken != null ? matchedToken : matchedText;
        }

        @Override
        public String type() {
            return "stop";
        }
    }

    /** Reached {@code max_new_tokens} (or the context length). */
    record Length(int length) implements FinishReason {
        @Override
        public String type() {
            return "length";
        }
    }

    record Abort(String message) implements FinishReason {
        @Override
        public String type() {
            return "abort";
        }
    }
}
