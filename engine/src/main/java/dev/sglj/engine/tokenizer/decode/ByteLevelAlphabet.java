package dev.sglj.engine.tokenizer.decode;

import java.nio.charset.StandardCharsets;

/** GPT-2's byte-to-unicode table: every byte maps to one printable character, used by byte-level BPE. */
public final class ByteLevelAlphabet {

    private static final int[] CHAR_TO_BYTE = buildCharToByte();

    private ByteLevelAlphabet() {
    }

    /**
     * The bytes a byte-level token stands for: each character mapped back to its byte, or, when any
     * character is outside the alphabet (an added token such as one with a space), the token's UTF-8 bytes.
     */
    public static byte[] tokenBytes(CharSequence token) {
        int n = token.length();
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                return token.toString().getBytes(StandardCharsets.UTF_8);
            }
            out[i] = (byte) b;
        }
        return out;
    }

    private static int[] buildCharToByte() {
        int[] table = new int[256 + 256];
        java.util.Arrays.fill(table, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            int c = printable ? b : 256 + extra++;
            table[c] = b;
        }
        return table;
    }
}
