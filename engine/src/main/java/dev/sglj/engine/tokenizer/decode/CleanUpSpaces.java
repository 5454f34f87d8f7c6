package dev.sglj.engine.tokenizer.decode;

/**
 * transformers' {@code clean_up_tokenization}: removes the space before punctuation and English contractions.
 * Also finds where a growing text may be cut so that cleaning the parts separately equals cleaning the whole.
 */
public final class CleanUpSpaces {

    /** Every character that appears in a pattern after its leading space. */
    private static final String PATTERN_CHARS = " .?!,'ntmsver";
    private static final int LONGEST_PATTERN = 4;

    private CleanUpSpaces() {
    }

    public static String cleanUp(String text) {
        return text.replace(" .", ".")
                .replace(" ?", "?")
                .replace(" !", "!")
                .replace(" ,", ",")
                .replace(" ' ", "'")
                .replace(" n't", "n't")
                .replace(" 'm", "'m")
                .replace(" 's", "'s")
                .replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    /**
     * The largest cut {@code k} in {@code [from, text.length()]} with cleanUp(text) = cleanUp(text[..k]) +
     * cleanUp(text[k..]) whatever follows: the character before the cut is in no pattern, or the last four
     * characters hold no space. Replacements only delete spaces, and every pattern is a space followed by at
     * most three other characters, so no occurrence at any step of the replacement chain can then span the cut.
     */
    public static int safeCut(CharSequence text, int from) {
        for (int k = text.length(); k > from; k--) {
            if (PATTERN_CHARS.indexOf(text.charAt(k - 1)) < 0 || noSpaceBefore(text, k)) {
                return k;
            }
        }
        return from;
    }

    private static boolean noSpaceBefore(CharSequence text, int k) {
        for (int i = Math.max(0, k - LONGEST_PATTERN); i < k; i++) {
            if (text.charAt(i) == ' ') {
                return false;
            }
        }
        return true;
    }
}
