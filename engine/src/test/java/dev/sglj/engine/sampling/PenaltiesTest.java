package dev.sglj.engine.sampling;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PenaltiesTest {

    private static float[] applied(SamplingParams.Builder params, int[] prompt, int[] eos, int[] outputs, float[] logits) {
        RequestSampler state = new RequestSampler(params.build(), prompt, eos);
        for (int token : outputs) {
            state.accept(token);
        }
        float[] row = logits.clone();
        Penalties.changes(state, row.length).applyTo(row, 0);
        return row;
    }

    @Test
    void repetitionDividesPositiveAndMultipliesNegativeLogitsOfPromptAndOutputTokensOnce() {
        float[] logits = {2f, -2f, 3f, -1f, 4f, 0f};
        float[] out = applied(SamplingParams.builder().repetitionPenalty(2.0),
                new int[] {0, 1, 0}, new int[0], new int[] {3, 3, 5}, logits);
        assertThat(out).containsExactly(1f, -4f, 3f, -2f, 4f, 0f);
        float[] encourage = applied(SamplingParams.builder().repetitionPenalty(0.5),
                new int[] {0, 1}, new int[0], new int[0], logits);
        assertThat(encourage).containsExactly(4f, -1f, 3f, -1f, 4f, 0f);
    }

    @Test
    void frequencyAndPresenceCountOutputTokensOnly() {
        float[] logits = {1f, 1f, 1f, 1f};
        float[] out = applied(SamplingParams.builder().frequencyPenalty(0.5).presencePenalty(0.25),
                new int[] {0, 0, 0}, new int[0], new int[] {1, 2, 2, 2}, logits);
        assertThat(out).containsExactly(1f, 1f - 0.5f - 0.25f, 1f - 1.5f - 0.25f, 1f);
        float[] negative = applied(SamplingParams.builder().frequencyPenalty(-1.0),
                new int[0], new int[0], new int[] {3, 3}, logits);
        assertThat(negative).containsExactly(1f, 1f, 1f, 3f);
    }

    @Test
    void minNewTokensMasksEosAndStopIdsUntilReached() {
        var params = SamplingParams.builder().minNewTokens(2).stopTokenIds(List.of(3));
        float[] logits = {1f, 2f, 3f, 4f, 5f};
        RequestSampler state = new RequestSampler(params.build(), new int[] {1}, new int[] {4});
        Sampler sampler = new Sampler(5);
        assertThat(sampler.sampleRow(logits, 0, greedy(state)).tokenId()).isEqualTo(2);
        assertThat(applied(params, new int[0], new int[] {4}, new int[] {0}, logits))
                .containsExactly(1f, 2f, 3f, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY);
        assertThat(applied(params, new int[0], new int[] {4}, new int[] {0, 0}, logits)).containsExactly(logits);
    }

    @Test
    void aDrawAdvancedNowAndItsTokenCountedLaterEqualsAcceptingIt() {
        var params = SamplingParams.builder().temperature(0.8).samplingSeed(5L).frequencyPenalty(0.5)
                .presencePenalty(0.25).repetitionPenalty(1.3).minNewTokens(3).stopTokenIds(List.of(3))
                .logitBias(Map.of(2, 1.5f)).build();
        RequestSampler accepted = new RequestSampler(params, new int[] {1, 2}, new int[] {4});
        RequestSampler split = new RequestSampler(params, new int[] {1, 2}, new int[] {4});
        assertThat(split.dependsOnTokens()).isTrue();
        assertThat(new RequestSampler(SamplingParams.builder().minNewTokens(2).logitBias(Map.of(2, 1f)).build(),
                new int[] {1}, new int[] {4}).dependsOnTokens()).as("masking and bias depend on counts only").isFalse();
        int[] tokens = {0, 2, 2, 5, 3};
        for (int t : tokens) {
            assertThat(split.uniform()).isEqualTo(accepted.uniform());
            accepted.accept(t);
            split.advanceDraw();
            assertThat(split.outputLength()).isEqualTo(accepted.outputLength());
            assertThat(split.uniform()).as("the next draw is known before the token").isEqualTo(accepted.uniform());
            split.countToken(t);
            float[] a = new float[6];
            float[] b = new float[6];
            accepted.logitChanges(6).applyTo(a, 0);
            split.logitChanges(6).applyTo(b, 0);
            assertThat(b).containsExactly(a);
        }
    }

    private static RequestSampler greedy(RequestSampler state) {
        SamplingParams p = state.params().toBuilder().temperature(0.0).build();
        return new RequestSampler(p, new int[0], new int[] {4});
    }

    @Test
    void logitBiasAdds() {
        float[] out = applied(SamplingParams.builder().logitBias(Map.of(0, -100f, 2, 2.5f)),
                new int[0], new int[0], new int[0], new float[] {1f, 1f, 1f});
        assertThat(out).containsExactly(-99f, 1f, 3.5f);
    }

    @Test
    void orderIsAdditiveThenRepetitionThenBias() {
        // token 0: 1 - presence 2 = -1, repetition 2 -> -2, bias +0.5 -> -1.5
        // (repetition first would give 0.5 - 2 + 0.5 = -1; bias first 1.5 / 2 - 2 = -1.25)
        float[] out = applied(SamplingParams.builder().presencePenalty(2.0).repetitionPenalty(2.0)
                        .logitBias(Map.of(0, 0.5f)),
                new int[0], new int[0], new int[] {0}, new float[] {1f, 1f});
        assertThat(out).containsExactly(-1.5f, 1f);
    }

    @Test
    void penalisedGreedyPicksTheNextBest() {
        float[] logits = {5f, 4.5f, 1f};
        RequestSampler state = new RequestSampler(
                SamplingParams.builder().temperature(0.0).repetitionPenalty(1.2).build(), new int[] {0}, new int[0]);
        assertThat(new Sampler(3).sampleRow(logits, 0, state).tokenId()).isEqualTo(1);
    }

    @Test
    void tokenCountsGrowPastTheirInitialTable() {
        TokenCounts counts = new TokenCounts();
        for (int i = 0; i < 5000; i++) {
            counts.add(i * 37 % 1009);
        }
        assertThat(counts.distinct()).isEqualTo(1009);
        int total = 0;
        for (int i = 0; i < counts.distinct(); i++) {
            total += counts.countAt(i);
            assertThat(counts.count(counts.tokenAt(i))).isEqualTo(counts.countAt(i));
        }
        assertThat(total).isEqualTo(5000);
        assertThat(counts.count(5000)).isZero();
    }
}
