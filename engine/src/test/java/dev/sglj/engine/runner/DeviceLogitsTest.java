package dev.sglj.engine.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.cuda.LogitChanges;
import dev.sglj.engine.compute.cuda.SamplingBatch;
import dev.sglj.engine.sampling.LogitChangeSet;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a step's request states become the device sampler's arrays (host side; no GPU needed). */
class DeviceLogitsTest {
    private static final int VOCAB = 100;

    private static RequestSampler state(SamplingParams.Builder params, int... prompt) {
        return new RequestSampler(params.build(), prompt, new int[] {2}, 7L);
    }

    @Test
    void samplingBatchCarriesEachStatesParametersAndDraw() {
        RequestSampler greedy = state(SamplingParams.builder().temperature(0.0));
        RequestSampler cut = state(SamplingParams.builder().temperature(0.7).topK(20).topP(0.9).minP(0.05));
        SamplingBatch b = DeviceLogits.samplingBatch(new int[] {3, 5}, new RequestSampler[] {greedy, cut}, VOCAB);

        assertThat(b.logitRows()).containsExactly(3, 5);
        assertThat(b.temperatures()).containsExactly(0f, 0.7f);
        assertThat(b.topKs()).containsExactly(VOCAB, 20);
        assertThat(b.topPs()).containsExactly(1f, 0.9f);
        assertThat(b.minPs()).containsExactly(0f, 0.05f);
        assertThat(b.uniforms()).containsExactly(greedy.uniform(), cut.uniform());
    }

    @Test
    void aBatchIsAllGreedyWhenEveryRowHasTemperatureZeroOrTopKOne() {
        RequestSampler byTemperature = state(SamplingParams.builder().temperature(0.0).topP(0.5));
        RequestSampler byTopK = state(SamplingParams.builder().temperature(0.9).topK(1));
        RequestSampler drawn = state(SamplingParams.builder().temperature(0.9).topK(2));
        SamplingBatch greedy = DeviceLogits.samplingBatch(new int[] {0, 1}, new RequestSampler[] {byTemperature, byTopK},
                VOCAB);
        SamplingBatch mixed = DeviceLogits.samplingBatch(new int[] {0, 1}, new RequestSampler[] {byTemperature, drawn},
                VOCAB);
        assertThat(greedy.allGreedy(VOCAB)).isTrue();
        assertThat(mixed.allGreedy(VOCAB)).isFalse();
    }

    @Test
    void changesAreEachStatesMergedChangesTaggedWithItsIndex() {
        RequestSampler plain = state(SamplingParams.builder());
        RequestSampler penalised = state(SamplingParams.builder().repetitionPenalty(1.5).frequencyPenalty(0.5)
                .logitBias(Map.of(9, 2.0f)), 4, 4, 6);
        penalised.accept(6);
        RequestSampler masked = state(SamplingParams.builder().minNewTokens(3));

        assertThat(DeviceLogits.changes(new RequestSampler[] {plain}, VOCAB)).isSameAs(LogitChanges.NONE);
        LogitChanges c = DeviceLogits.changes(new RequestSampler[] {plain, penalised, masked}, VOCAB);
        LogitChangeSet p = penalised.logitChanges(VOCAB);
        LogitChangeSet m = masked.logitChanges(VOCAB);
        assertThat(c.size()).isEqualTo(p.size() + m.size());
        for (int i = 0; i < p.size(); i++) {
            assertThat(c.entries()[i]).isEqualTo(1);
            assertThat(c.tokens()[i]).isEqualTo(p.tokens()[i]);
            assertThat(c.subtract()[i]).isEqualTo(p.subtract()[i]);
            assertThat(c.repetition()[i]).isEqualTo(p.repetition()[i]);
            assertThat(c.bias()[i]).isEqualTo(p.bias()[i]);
        }
        assertThat(c.tokens()).startsWith(4, 6, 9);
        int at = p.size();
        assertThat(c.entries()[at]).isEqualTo(2);
        assertThat(c.tokens()[at]).isEqualTo(2);
        assertThat(c.mask()[at]).isTrue();
        assertThat(m.size()).isEqualTo(1);
    }
}
