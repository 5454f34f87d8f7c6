package dev.sglj.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.config.ServerArgs;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process API on its scheduler thread: batching, parallel samples, seeds, prefix reuse, aborts. */
class EngineTest {
    private static final ModelFixture FIXTURE = ModelFixtures.load("llama");
    private static Engine engine;

    @BeforeAll
    static void start() {
        engine = Engine.start(ServerArgs.builder().modelPath(FIXTURE.dir()).maxTotalTokens(2048).contextLength(256)
                .maxRunningRequests(16).build());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static SamplingParams.Builder sampled(long seed) {
        return SamplingParams.builder().temperature(1.0).maxNewTokens(12).ignoreEos(true).samplingSeed(seed);
    }

    @Test
    void concurrentGreedyRequestsMatchTransformers() {
        List<GenerateRequest> requests = FIXTURE.cases().stream()
                .map(c -> new GenerateRequest(c.prompt(), SamplingParams.builder().temperature(0.0)
                        .maxNewTokens(c.maxNewTokens()).ignoreEos(true).build()))
                .toList();
        List<GenerateResult> results = engine.generate(requests);
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).outputIds()).containsExactly(FIXTURE.cases().get(i).output());
        }
    }

    @Test
    void sameSeedSameTokensAndOtherSeedOtherTokens() {
        int[] prompt = FIXTURE.cases().get(1).prompt();
        int[] a = engine.generate(new GenerateRequest(prompt, sampled(11).build())).outputIds();
        int[] b = engine.generate(new GenerateRequest(prompt, sampled(11).build())).outputIds();
        int[] c = engine.generate(new GenerateRequest(prompt, sampled(12).build())).outputIds();
        assertThat(b).containsExactly(a);
        assertThat(Arrays.equals(a, c)).isFalse();
    }

    @Test
    void parallelSamplesShareThePromptsCacheAndDiffer() {
        int[] prompt = FIXTURE.cases().get(2).prompt();
        List<GenerateResult> samples = engine.generate(List.of(new GenerateRequest(prompt, sampled(5).n(3).build())));
        assertThat(samples).hasSize(3);
        for (GenerateResult s : samples) {
            assertThat(s.cachedTokens()).isEqualTo(prompt.length - 1);
            assertThat(s.outputIds()).hasSize(12);
        }
        assertThat(Arrays.equals(samples.get(0).outputIds(), samples.get(1).outputIds())
                && Arrays.equals(samples.get(1).outputIds(), samples.get(2).outputIds())).isFalse();
    }

    @Test
    void cachedTokensEqualTheTrueSharedPrefix() {
        int[] system = {5, 9, 14, 22, 31, 40, 41, 42, 43, 60, 61, 62};
        int[] first = concat(system, new int[] {100, 101, 102});
        int[] second = concat(system, new int[] {200, 201});
        SamplingParams p = SamplingParams.builder().temperature(0.0).maxNewTokens(2).ignoreEos(true).build();
        engine.generate(new GenerateRequest(first, p));
        assertThat(engine.generate(new GenerateRequest(second, p)).cachedTokens()).isEqualTo(system.length);
    }

    @Test
    void abortStopsARequestAndFreesItsSlots() throws Exception {
        RequestStream s = engine.submit(new GenerateRequest(FIXTURE.cases().get(0).prompt(),
                SamplingParams.builder().maxNewTokens(250).ignoreEos(true).build())).getFirst();
        assertThat(s.poll(30, TimeUnit.SECONDS)).isNotNull();
        s.abort();
        GenerateResult r = s.await();
        assertThat(r.finishReason()).isInstanceOf(FinishReason.Abort.class);
        assertThat(r.outputIds().length).isLessThan(250);
        assertThat(engine.flushCache()).isTrue();
        assertThat(engine.stats().usedTokens()).isZero();
    }

    @Test
    void invalidRequestsAreRejectedWithTheParameterNamed() {
        int[] prompt = FIXTURE.cases().get(0).prompt();
        assertThatThrownBy(() -> engine.submit(new GenerateRequest(prompt, SamplingParams.builder().topP(0.0).build())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top_p");
        assertThatThrownBy(() -> engine.submit(new GenerateRequest(new int[300], SamplingParams.defaults())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context length");
        assertThatThrownBy(() -> engine.submit(new GenerateRequest(new int[] {1, 99999}, SamplingParams.defaults())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary");
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
