package dev.sglj.engine.sampling;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class LogprobsTest {

    /** float64 reference: log-softmax in double of the float inputs. */
    private static double[] reference(float[] logits, int offset, int length) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < length; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            out[i] = logits[offset + i] - lse;
        }
        return out;
    }

    @Test
    void logSoftmaxOfALargeVocabularyIsWithin1e5OfFloat64() {
        int vocab = 151_936;
        Random random = new Random(17);
        float[] logits = new float[vocab + 3];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 4 + 20);
        }
        logits[3 + 100] = 60f;
        float[] out = new float[vocab];
        Logprobs.logSoftmax(logits, 3, vocab, out, 0);
        double[] expected = reference(logits, 3, vocab);
        double worst = 0;
        for (int i = 0; i < vocab; i++) {
            worst = Math.max(worst, Math.abs(out[i] - expected[i]));
        }
        assertThat(worst).isLessThan(1e-5);
    }

    @Test
    void topIsSortedDescendingWithTiesByLowerId() {
        float[] logits = {1f, 3f, 2f, 3f, -1f, 2f};
        double lse = Logprobs.logSumExp(logits, 0, 6);
        List<TopLogprob> top = Logprobs.top(logits, 0, 6, 4, lse);
        assertThat(top).extracting(TopLogprob::tokenId).containsExactly(1, 3, 2, 5);
        double[] expected = reference(logits, 0, 6);
        assertThat((double) top.get(0).logprob()).isCloseTo(expected[1], offset(1e-6));
        assertThat((double) top.get(3).logprob()).isCloseTo(expected[5], offset(1e-6));
        assertThat(Logprobs.top(logits, 0, 6, 0, lse)).isEmpty();
        assertThat(Logprobs.top(logits, 0, 6, 10, lse)).hasSize(6);
    }

    @Test
    void chosenTokenLogprobAndTopN() {
        float[] logits = {0.1f, 0.2f, 5f, -3f};
        SampledToken t = Logprobs.of(logits, 0, 4, 3, 2);
        double[] expected = reference(logits, 0, 4);
        assertThat(t.tokenId()).isEqualTo(3);
        assertThat((double) t.logprob()).isCloseTo(expected[3], offset(1e-6));
        assertThat(t.top()).extracting(TopLogprob::tokenId).containsExactly(2, 1);
    }

    @Test
    void promptLogprobsScoreEachNextPromptToken() {
        int vocab = 7;
        Random random = new Random(3);
        float[] logits = new float[3 * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian();
        }
        int[] next = {4, 0, 6};
        List<SampledToken> out = Logprobs.promptLogprobs(logits, vocab, next, 1);
        assertThat(out).hasSize(3);
        for (int row = 0; row < 3; row++) {
            double[] expected = reference(logits, row * vocab, vocab);
            assertThat(out.get(row).tokenId()).isEqualTo(next[row]);
            assertThat((double) out.get(row).logprob()).isCloseTo(expected[next[row]], offset(1e-6));
            int best = TopTokens.argmax(logits, row * vocab, vocab);
            assertThat(out.get(row).top()).extracting(TopLogprob::tokenId).containsExactly(best);
        }
        assertThatThrownBy(() -> Logprobs.promptLogprobs(logits, vocab, new int[] {1, 7, 0}, 0))
                .hasMessageContaining("token id 7 at position 2 is outside [0, 6]");
        assertThatThrownBy(() -> Logprobs.promptLogprobs(logits, vocab, new int[4], 0))
                .hasMessageContaining("4 rows of 7 logits");
    }

    @Test
    void extremeLogitsStayFinite() {
        float[] logits = {-1e30f, 1e30f, 0f, Float.NEGATIVE_INFINITY};
        SampledToken t = Logprobs.of(logits, 0, 4, 1, 0);
        assertThat(t.logprob()).isEqualTo(0f);
        assertThat(Logprobs.of(logits, 0, 4, 3, 0).logprob()).isEqualTo(Float.NEGATIVE_INFINITY);
    }
}
