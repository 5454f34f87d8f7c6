package dev.sglj.engine.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class TopTokensTest {

    @Test
    void keyOrderIsValueDescendingThenIdAscending() {
        float[] values = {Float.NEGATIVE_INFINITY, -3.5f, -0f, 0f, 1e-30f, 2f, 2f, Float.POSITIVE_INFINITY};
        for (int i = 0; i < values.length; i++) {
            long key = TopTokens.key(values[i], 1000 + i);
            assertThat(TopTokens.value(key)).isEqualTo(values[i]);
            assertThat(TopTokens.tokenId(key)).isEqualTo(1000 + i);
        }
        assertThat(TopTokens.key(3f, 5)).isLessThan(TopTokens.key(2f, 1));
        assertThat(TopTokens.key(2f, 1)).isLessThan(TopTokens.key(2f, 2));
        assertThat(TopTokens.key(-1f, 9)).isLessThan(TopTokens.key(-2f, 0));
        assertThat(TopTokens.key(0f, 9)).isLessThan(TopTokens.key(-0.5f, 0));
    }

    @Test
    void selectMatchesAFullSortWithTies() {
        Random random = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int length = 1 + random.nextInt(300);
            float[] values = new float[length + 2];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextInt(20) - 10 + (random.nextBoolean() ? 0.5f : 0f);
            }
            int k = 1 + random.nextInt(length + 5);
            long[] keys = new long[k];
            int count = TopTokens.select(values, 2, length, k, keys);
            int[] expected = IntStream.range(0, length).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -values[2 + i]).thenComparingInt(i -> i))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertThat(count).isEqualTo(expected.length);
            assertThat(Arrays.stream(keys, 0, count).mapToInt(TopTokens::tokenId).toArray()).isEqualTo(expected);
        }
    }

    @Test
    void argmaxIsTheFirstMaximum() {
        assertThat(TopTokens.argmax(new float[] {9f, 1f, 4f, 1f, 4f}, 1, 4)).isEqualTo(1);
        assertThat(TopTokens.argmax(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 0, 2)).isZero();
        assertThat(TopTokens.argmax(new float[] {Float.NaN, 1f, 3f, Float.NaN, 3f}, 0, 5))
                .as("NaN read as -inf, also first, as the device's argmax reads it").isEqualTo(2);
        assertThat(TopTokens.argmax(new float[] {Float.NaN, Float.NaN}, 0, 2)).isZero();
    }
}
