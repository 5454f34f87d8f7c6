package dev.sglj.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.RequestStream;
import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Runtime behaviour on a real (fixture) model: prefix reuse, retraction, limits, aborts, policies. */
class SchedulerTest {
    private static final ModelFixture FIXTURE = ModelFixtures.load("qwen3");

    private static List<GenerateRequest> allCases(int copies) {
        List<GenerateRequest> out = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            for (ModelFixture.Case c : FIXTURE.cases()) {
                out.add(new GenerateRequest(c.prompt(), FixtureRunner.greedy(c.maxNewTokens())));
            }
        }
        return out;
    }

    private static void assertFixtureOutputs(List<GenerateResult> results) {
        for (int i = 0; i < results.size(); i++) {
            ModelFixture.Case c = FIXTURE.cases().get(i % FIXTURE.cases().size());
            assertThat(results.get(i).outputIds()).as("request " + i).containsExactly(c.output());
        }
    }

    private static Req req(String rid, GenerateRequest r, RequestStream s) {
        return new Req(rid, r, s, new int[0], 7, null);
    }

    @Test
    void laterRequestReusesTheCachedPrefixIncludingEarlierOutput() throws Exception {
        ModelFixture.Case c = FIXTURE.cases().getLast();
        try (FixtureRunner fr = new FixtureRunner(FIXTURE)) {
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), false),
                    FixtureRunner.settings(7), new int[0]);
            RequestStream first = new RequestStream("a", rid -> { });
            s.submit(req("a", new GenerateRequest(c.prompt(), FixtureRunner.greedy(c.maxNewTokens())), first));
            fr.drain(s);
            assertThat(first.await().outputIds()).containsExactly(c.output());
            assertThat(s.stats().cachedTokens()).as("chunks of one prompt are not cache hits").isZero();

            int[] continued = concat(c.prompt(), Arrays.copyOf(c.output(), 5));
            RequestStream second = new RequestStream("b", rid -> { });
            s.submit(req("b", new GenerateRequest(continued, FixtureRunner.greedy(c.maxNewTokens() - 5)), second));
            fr.drain(s);
            GenerateResult r = second.await();
            assertThat(r.cachedTokens()).isEqualTo(continued.length - 1);
            assertThat(s.stats().cachedTokens()).isEqualTo(continued.length - 1);
            assertThat(r.outputIds()).containsExactly(Arrays.copyOfRange(c.output(), 5, c.output().length));
            assertThat(s.stats().cacheHitRate()).isGreaterThan(0.4);
            fr.flushAndAssertPoolWhole(s);
        }
    }

    @Test
    void promptLogprobsAreComputedEvenWhenThePromptIsCached() throws Exception {
        ModelFixture.Case c = FIXTURE.cases().getLast();
        try (FixtureRunner fr = new FixtureRunner(FIXTURE)) {
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), false),
                    FixtureRunner.settings(-1), new int[0]);
            RequestStream warm = new RequestStream("a", rid -> { });
            s.submit(req("a", new GenerateRequest(c.prompt(), FixtureRunner.greedy(2)), warm));
            fr.drain(s);
            warm.await();
            for (int start : new int[] {0, 5}) {
                RequestStream st = new RequestStream("b" + start, rid -> { });
                s.submit(req(st.rid(), new GenerateRequest(c.prompt(), FixtureRunner.greedy(2).toBuilder()
                        .returnLogprob(true).logprobStartLen(start).build()), st));
                fr.drain(s);
                GenerateResult r = st.await();
                assertThat(r.inputLogprobs()).hasSize(c.prompt().length - start);
                for (int i = Math.max(start, 1); i < c.prompt().length; i++) {
                    assertThat(r.inputLogprobs().get(i - start).logprob())
                            .isCloseTo(c.promptLogprobs()[i], org.assertj.core.api.Assertions.within(1e-4f));
                }
                assertThat(r.cachedTokens()).isEqualTo(Math.max(start - 1, 0));
            }
            fr.flushAndAssertPoolWhole(s);
        }
    }

    @Test
    void retractionHappensUnderPressureAndIsCounted() throws Exception {
        int largest = FIXTURE.cases().stream().mapToInt(c -> c.prompt().length + c.maxNewTokens()).max().orElseThrow();
        try (FixtureRunner fr = new FixtureRunner(FIXTURE, largest + 8)) {
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), true),
                    FixtureRunner.settings(16), new int[0]);
            List<RequestStream> streams = submitAll(s, allCases(2));
            fr.drain(s);
            List<GenerateResult> results = new ArrayList<>();
            for (RequestStream st : streams) results.add(st.await());
            assertFixtureOutputs(results);
            assertThat(s.stats().retractedRequests()).isPositive();
            fr.flushAndAssertPoolWhole(s);
        }
    }

    @Test
    void mixedChunkGivesTheSameTokens() {
        try (FixtureRunner fr = new FixtureRunner(FIXTURE)) {
            SchedulerSettings mixed = new SchedulerSettings(8, 16384, 7, SchedulePolicy.FCFS, 1.0, true, 1, 40, 0);
            assertFixtureOutputs(fr.run(mixed, false, allCases(2)));
        }
    }

    @ParameterizedTest
    @EnumSource(SchedulePolicy.class)
    void everyPolicyGivesTheSameTokens(SchedulePolicy policy) {
        try (FixtureRunner fr = new FixtureRunner(FIXTURE)) {
            SchedulerSettings settings = new SchedulerSettings(2, 16384, 16, policy, 1.0, false, 1, 40, 3);
            assertFixtureOutputs(fr.run(settings, false, allCases(2)));
        }
    }

    @Test
    void maxRunningRequestsIsNeverExceeded() {
        try (FixtureRunner fr = new FixtureRunner(FIXTURE)) {
            SchedulerSettings settings = new SchedulerSettings(2, 16384, -1, SchedulePolicy.FCFS, 1.0, false, 1, 40, 0);
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), false), settings, new int[0]);
            submitAll(s, allCases(3));
            int maxSeen = 0;
            while (s.step()) {
                s.checkKvAccounting();
                maxSeen = Math.max(maxSeen, s.stats().runningRequests());
            }
            assertThat(maxSeen).isEqualTo(2);
            fr.flushAndAssertPoolWhole(s);
        }
    }

    @Test
    void abortInQueueAndWhileRunningFreesEverything() throws Exception {
        try (FixtureRunner fr = new FixtureRunner(FIXTURE)) {
            SchedulerSettings settings = new SchedulerSettings(1, 16384, -1, SchedulePolicy.FCFS, 1.0, false, 1, 40, 0);
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), false), settings, new int[0]);
            List<RequestStream> streams = submitAll(s, allCases(1));
            s.step();
            s.step();
            s.abort(streams.get(0).rid());
            s.abort(streams.get(2).rid());
            fr.drain(s);
            assertThat(streams.get(0).await().finishReason()).isInstanceOf(FinishReason.Abort.class);
            assertThat(streams.get(2).await().finishReason()).isInstanceOf(FinishReason.Abort.class);
            assertThat(streams.get(1).await().outputIds()).containsExactly(FIXTURE.cases().get(1).output());
            assertThat(s.stats().abortedRequests()).isEqualTo(2);
            fr.flushAndAssertPoolWhole(s);
        }
    }

    @Test
    void flushIsRefusedWhileRequestsRun() throws Exception {
        try (FixtureRunner fr = new FixtureRunner(FIXTURE)) {
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), false),
                    FixtureRunner.settings(-1), new int[0]);
            submitAll(s, allCases(1));
            s.step();
            CompletableFuture<Boolean> refused = s.flushCache();
            s.step();
            assertThat(refused.getNow(true)).isFalse();
            fr.drain(s);
            fr.flushAndAssertPoolWhole(s);
        }
    }

    @Test
    void streamIntervalBatchesOutputs() throws Exception {
        ModelFixture.Case c = FIXTURE.cases().getFirst();
        try (FixtureRunner fr = new FixtureRunner(FIXTURE)) {
            SchedulerSettings settings = new SchedulerSettings(8, 16384, -1, SchedulePolicy.FCFS, 1.0, false, 4, 40, 0);
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), false), settings, new int[0]);
            RequestStream st = new RequestStream("a", rid -> { });
            s.submit(req("a", new GenerateRequest(c.prompt(), FixtureRunner.greedy(10)), st));
            fr.drain(s);
            List<Integer> sizes = new ArrayList<>();
            for (var out = st.poll(0, java.util.concurrent.TimeUnit.SECONDS); out != null;
                 out = st.poll(0, java.util.concurrent.TimeUnit.SECONDS)) {
                sizes.add(out.newTokenIds().length);
            }
            assertThat(sizes).containsExactly(1, 3, 4, 2);
        }
    }

    private static List<RequestStream> submitAll(Scheduler s, List<GenerateRequest> requests) {
        List<RequestStream> streams = new ArrayList<>();
        for (GenerateRequest r : requests) {
            RequestStream st = new RequestStream("r" + streams.size(), rid -> { });
            streams.add(st);
            s.submit(req(st.rid(), r, st));
        }
        return streams;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
