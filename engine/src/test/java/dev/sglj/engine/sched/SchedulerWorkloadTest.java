package dev.sglj.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.RequestOutput;
import dev.sglj.engine.RequestStream;
import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomized workloads on a real model: random arrivals, prompt and output lengths, shared prefixes,
 * aborts, tiny pools that force eviction and retraction, every policy, chunk sizes from 1 up, mixed
 * chunk on and off, cache on and off. After every step the KV invariant holds; every request
 * finishes or is aborted; nothing stays allocated; every request that was not aborted produces
 * exactly the greedy tokens it produces alone.
 */
class SchedulerWorkloadTest {
    private static final ModelFixture FIXTURE = ModelFixtures.load("llama");
    private static final int VOCAB = 256;

    record Config(long seed, SchedulePolicy policy, int chunk, boolean mixed, boolean disableCache, int pool) {
        @Override
        public String toString() {
            return policy.flag() + " chunk=" + chunk + " mixed=" + mixed + " cache=" + !disableCache + " pool=" + pool
                    + " seed=" + seed;
        }
    }

    static List<Config> configs() {
        List<Config> out = new ArrayList<>();
        Random r = new Random(42);
        int[] chunks = {1, 3, 16, 64, -1};
        int[] pools = {72, 120, 400};
        for (int i = 0; i < 10; i++) {
            SchedulePolicy policy = SchedulePolicy.values()[i % SchedulePolicy.values().length];
            out.add(new Config(1000 + i, policy, chunks[r.nextInt(chunks.length)], r.nextBoolean(), i % 3 == 2,
                    pools[r.nextInt(pools.length)]));
        }
        return out;
    }

    private record Workload(List<GenerateRequest> requests, List<Integer> arrivalStep, Map<Integer, Integer> abortAtStep) {}

    private static Workload workload(long seed) {
        Random r = new Random(seed);
        int[][] systemPrompts = new int[3][];
        for (int i = 0; i < systemPrompts.length; i++) systemPrompts[i] = randomTokens(r, 8 + r.nextInt(24));
        List<GenerateRequest> requests = new ArrayList<>();
        List<Integer> arrivals = new ArrayList<>();
        Map<Integer, Integer> aborts = new HashMap<>();
        int n = 14;
        for (int i = 0; i < n; i++) {
            int[] prefix = r.nextInt(3) > 0 ? systemPrompts[r.nextInt(systemPrompts.length)] : new int[0];
            int[] question = randomTokens(r, 1 + r.nextInt(20));
            int[] prompt = new int[prefix.length + question.length];
            System.arraycopy(prefix, 0, prompt, 0, prefix.length);
            System.arraycopy(question, 0, prompt, prefix.length, question.length);
            requests.add(new GenerateRequest(prompt, FixtureRunner.greedy(1 + r.nextInt(16))));
            arrivals.add(r.nextInt(30));
            if (r.nextInt(6) == 0) aborts.put(i, r.nextInt(40));
        }
        return new Workload(requests, arrivals, aborts);
    }

    private static int[] randomTokens(Random r, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 3 + r.nextInt(VOCAB - 3);
        return t;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void invariantHoldsAndOutputsMatchSoloRuns(Config config) throws Exception {
        Workload w = workload(config.seed());
        try (FixtureRunner fr = new FixtureRunner(FIXTURE, config.pool())) {
            SchedulerSettings settings = new SchedulerSettings(FixtureRunner.MAX_REQUESTS, 64, config.chunk(),
                    config.policy(), 1.0, config.mixed(), 1, 40, config.seed());
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), config.disableCache()),
                    settings, new int[0]);
            List<RequestStream> streams = new ArrayList<>();
            for (int i = 0; i < w.requests().size(); i++) streams.add(new RequestStream("r" + i, rid -> { }));
            int step = 0;
            boolean busy = true;
            while (busy || step <= 40) {
                for (int i = 0; i < w.requests().size(); i++) {
                    if (w.arrivalStep().get(i) == step) {
                        s.submit(new Req("r" + i, w.requests().get(i), streams.get(i), new int[0], 7, null));
                    }
                    if (w.abortAtStep().getOrDefault(i, -1) == step) s.abort("r" + i);
                }
                busy = s.step();
                s.checkKvAccounting();
                step++;
                assertThat(step).isLessThan(20_000);
            }
            while (s.step()) s.checkKvAccounting();
            assertThat(s.idle()).isTrue();
            fr.flushAndAssertPoolWhole(s);

            try (FixtureRunner solo = new FixtureRunner(FIXTURE)) {
                for (int i = 0; i < streams.size(); i++) {
                    GenerateResult got = collect(streams.get(i));
                    assertThat(got.finishReason()).as("request " + i + " finished").isNotNull();
                    if (got.finishReason() instanceof FinishReason.Abort) continue;
                    GenerateResult alone = solo.generate(-1, List.of(w.requests().get(i))).getFirst();
                    assertThat(got.outputIds()).as("request " + i + " vs alone").containsExactly(alone.outputIds());
                }
            }
        }
    }

    private static GenerateResult collect(RequestStream s) throws InterruptedException {
        RequestOutput last = s.poll(0, TimeUnit.SECONDS);
        assertThat(last).as("request " + s.rid() + " published something").isNotNull();
        List<Integer> ids = new ArrayList<>();
        while (true) {
            for (int id : last.newTokenIds()) ids.add(id);
            if (last.finished()) break;
            last = s.poll(0, TimeUnit.SECONDS);
            assertThat(last).as("request " + s.rid() + " finished").isNotNull();
        }
        return new GenerateResult(ids.stream().mapToInt(Integer::intValue).toArray(), last.finishReason(),
                last.promptTokens(), last.cachedTokens(), List.of(), List.of());
    }
}
