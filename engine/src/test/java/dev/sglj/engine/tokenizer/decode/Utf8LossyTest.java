package dev.sglj.engine.tokenizer.decode;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8LossyTest {

    @Test
    void replacesMaximalInvalidSubpartsLikeRust() {
        // Cases from Rust's String::from_utf8_lossy documentation and the Unicode standard (table 3-8).
        assertThat(decode(0x48, 0x69, 0xF0, 0x90, 0x80, 0x57)).isEqualTo("Hi\uFFFDW");
        assertThat(decode(0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64))
                .isEqualTo("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
        assertThat(decode(0xED, 0xA0, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(decode(0xC0, 0xAF, 0xE0, 0x80, 0xBF, 0xF0, 0x81, 0x82, 0x41))
                .isEqualTo("\uFFFD".repeat(8) + "A");
        assertThat(decode(0xE4, 0xB8)).isEqualTo("\uFFFD");
        assertThat(decode(0xF0, 0x9F, 0x98, 0x80)).isEqualTo("😀");
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomBytesApartFromSurrogates() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(12)];
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(256));
            }
            if (!hasEncodedSurrogate(bytes)) {
                assertThat(Utf8Lossy.decode(bytes, 0, bytes.length)).isEqualTo(new String(bytes, StandardCharsets.UTF_8));
            }
        }
    }

    /** The JDK treats ED A0..BF (an encoded surrogate) as one bad unit; Rust and Unicode 3-8, as tested above, as two. */
    private static boolean hasEncodedSurrogate(byte[] bytes) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if ((bytes[i] & 0xFF) == 0xED && (bytes[i + 1] & 0xFF) >= 0xA0 && (bytes[i + 1] & 0xFF) <= 0xBF) {
                return true;
            }
        }
        return false;
    }

    @Test
    void streamingHoldsIncompleteCharacters() {
        var decoder = new Utf8Lossy();
        var out = new StringBuilder();
        decoder.accept(new byte[] {(byte) 0xE4, (byte) 0xB8}, 0, 2, out);
        assertThat(out).isEmpty();
        assertThat(decoder.pending()).isTrue();
        decoder.accept(new byte[] {(byte) 0xAD}, 0, 1, out);
        assertThat(out.toString()).isEqualTo("中");
        assertThat(Utf8Lossy.isValid("\uFFFD".getBytes(StandardCharsets.UTF_8), 0, 3)).isTrue();
        assertThat(Utf8Lossy.isValid(new byte[] {(byte) 0xE4}, 0, 1)).isFalse();
    }

    private static String decode(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return Utf8Lossy.decode(bytes, 0, bytes.length);
    }
}
