package dev.sglj.engine.tokenizer.decode;

/**
 * Streaming UTF-8 decoder that replaces each maximal invalid subpart with one U+FFFD, as Rust's
 * {@code String::from_utf8_lossy} (and the Unicode "substitution of maximal subparts" practice) does.
 * Characters are appended to the output only once complete; an incomplete sequence at {@link #finish}
 * becomes one U+FFFD.
 */
public final class Utf8Lossy {

    public static final char REPLACEMENT = '\uFFFD';

    private int needed;
    private int invalid;
    private int codePoint;
    private int lower = 0x80;
    private int upper = 0xBF;

    /** Decodes a whole byte array. */
    public static String decode(byte[] bytes, int from, int to) {
        var decoder = new Utf8Lossy();
        var out = new StringBuilder(to - from);
        decoder.accept(bytes, from, to, out);
        decoder.finish(out);
        return out.toString();
    }

    /** Whether the bytes are entirely valid UTF-8 (Rust's {@code String::from_utf8(..).is_ok()}). */
    public static boolean isValid(byte[] bytes, int from, int to) {
        var decoder = new Utf8Lossy();
        var out = new StringBuilder(to - from);
        decoder.accept(bytes, from, to, out);
        return decoder.needed == 0 && decoder.invalid == 0;
    }

    public void accept(byte[] bytes, int from, int to, StringBuilder out) {
        for (int i = from; i < to; i++) {
            accept(bytes[i] & 0xFF, out);
        }
    }

    public void accept(int b, StringBuilder out) {
        if (needed > 0) {
            if (b >= lower && b <= upper) {
                codePoint = (codePoint << 6) | (b & 0x3F);
                lower = 0x80;
                upper = 0xBF;
                if (--needed == 0) {
                    out.appendCodePoint(codePoint);
                }
                return;
            }
            needed = 0;
            lower = 0x80;
            upper = 0xBF;
            invalid++;
            out.append(REPLACEMENT);
        }
        start(b, out);
    }

    /** Flushes an incomplete trailing sequence as one U+FFFD. */
    public void finish(StringBuilder out) {
        if (needed > 0) {
            needed = 0;
            lower = 0x80;
            upper = 0xBF;
            invalid++;
            out.append(REPLACEMENT);
        }
    }

    /** Whether bytes of an unfinished character are pending. */
    public boolean pending() {
        return needed > 0;
    }

    private void start(int b, StringBuilder out) {
        if (b < 0x80) {
            out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xDF) {
            begin(1, b & 0x1F, 0x80, 0xBF);
        } else if (b >= 0xE0 && b <= 0xEF) {
            begin(2, b & 0x0F, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF);
        } else if (b >= 0xF0 && b <= 0xF4) {
            begin(3, b & 0x07, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF);
        } else {
            invalid++;
            out.append(REPLACEMENT);
        }
    }

    private void begin(int continuationBytes, int bits, int lo, int hi) {
        needed = continuationBytes;
        codePoint = bits;
        lower = lo;
        upper = hi;
    }
}
