package dev.sglj.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.engine.tokenizer.decode.IncrementalDetokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streamed pieces of random token sequences concatenate to the full decode, carry only whole characters, and
 * contain U+FFFD only where the full decode does.
 */
class IncrementalDetokenizerTest {

    static final List<String> NAMES = FixtureTokenizers.NAMES;
    private static final int SEQUENCES = 300;

    @ParameterizedTest
    @FieldSource("NAMES")
    void randomSequencesStreamToTheFullDecode(String name) {
        Tokenizer tokenizer = FixtureTokenizers.tokenizer(name);
        Random random = new Random(name.hashCode());
        List<int[]> multiByteEncodings = multiByteEncodings(tokenizer, name);
        int[] byteTokens = byteTokens(tokenizer);
        int[] specials = tokenizer.specialIds().stream().mapToInt(Integer::intValue).toArray();
        for (int s = 0; s < SEQUENCES; s++) {
            int[] ids = switch (s % 4) {
                case 0 -> random.ints(1 + random.nextInt(64), 0, tokenizer.vocabSize()).toArray();
                case 1 -> mixed(random, tokenizer, byteTokens.length > 0 ? byteTokens : specials, 0.6);
                case 2 -> mixed(random, tokenizer, specials, 0.2);
                default -> slice(random, multiByteEncodings.get(random.nextInt(multiByteEncodings.size())));
            };
            for (DecodeOptions options : List.of(DecodeOptions.DEFAULT, DecodeOptions.KEEP_SPECIAL)) {
                assertStreamsToFullDecode(tokenizer, ids, options);
            }
        }
    }

    private static void assertStreamsToFullDecode(Tokenizer tokenizer, int[] ids, DecodeOptions options) {
        String full = tokenizer.decode(ids, options);
        IncrementalDetokenizer detokenizer = tokenizer.newDetokenizer(options);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(detokenizer.push(id));
        }
        pieces.add(detokenizer.finish());
        assertThat(String.join("", pieces)).as("stream of %s", java.util.Arrays.toString(ids)).isEqualTo(full);
        for (String piece : pieces) {
            if (!full.contains("\uFFFD")) {
                assertThat(piece).as("piece of %s", java.util.Arrays.toString(ids)).doesNotContain("\uFFFD");
            }
            if (!piece.isEmpty()) {
                assertThat(Character.isLowSurrogate(piece.charAt(0))).isFalse();
                assertThat(Character.isHighSurrogate(piece.charAt(piece.length() - 1))).isFalse();
            }
        }
    }

    private static int[] mixed(Random random, Tokenizer tokenizer, int[] pool, double share) {
        int[] ids = new int[1 + random.nextInt(64)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextDouble() < share ? pool[random.nextInt(pool.length)] : random.nextInt(tokenizer.vocabSize());
        }
        return ids;
    }

    private static int[] slice(Random random, int[] ids) {
        int from = random.nextInt(ids.length);
        int to = Math.min(ids.length, from + 1 + random.nextInt(40));
        return java.util.Arrays.copyOfRange(ids, from, to);
    }

    private static int[] byteTokens(Tokenizer tokenizer) {
        return java.util.stream.IntStream.range(0, 256)
                .map(b -> tokenizer.tokenId(String.format("<0x%02X>", b))).filter(id -> id >= 0).toArray();
    }

    /** Encodings of the corpus texts with characters outside Latin-1 (CJK, emoji with joiners, Arabic...). */
    private static List<int[]> multiByteEncodings(Tokenizer tokenizer, String name) {
        List<int[]> out = new ArrayList<>();
        for (JsonNode c : FixtureTokenizers.expected(name).path("cases")) {
            String text = c.path("text").asText();
            if (text.chars().anyMatch(ch -> ch > 0x7FF)) {
                out.add(tokenizer.encode(text, true));
            }
        }
        return out;
    }
}
