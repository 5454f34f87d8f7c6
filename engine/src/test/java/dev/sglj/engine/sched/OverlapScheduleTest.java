package dev.sglj.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.PublishedResults;
import dev.sglj.engine.RequestOutput;
import dev.sglj.engine.RequestStream;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The overlap schedule (the default) against {@code --disable-overlap-schedule} on the CPU backend: the
 * same workload, stepped the same way, must give every request the same tokens, finish reasons and
 * logprobs, with the KV invariant after every step and the pool whole at the end. The CPU resolves future
 * ids on the host, so this is the scheduler's logic (pending tokens, dropped tokens of requests that
 * finished, abort and retraction with a token in flight) run for real; the counters prove the steps
 * overlapped and that tokens were dropped where the workload makes them.
 */
class OverlapScheduleTest {
    private static final ModelFixture FIXTURE = ModelFixtures.load("qwen3");
    private static final int VOCAB = 448;
    private static final float LOGPROB_TOLERANCE = 1e-5f;

    /**
     * One request of a workload: submitted before step {@code arrival}, aborted before step {@code abortAt}
     * (-1: never), with a stop-string watcher that matches when token {@code stopStringToken} comes out
     * (-1: none).
     */
    record Sub(GenerateRequest request, int arrival, int abortAt, int stopStringToken) {
        Sub(GenerateRequest request, int arrival) {
            this(request, arrival, -1, -1);
        }

        Sub withParams(SamplingParams p) {
            return new Sub(new GenerateRequest(request.inputIds(), p), arrival, abortAt, stopStringToken);
        }
    }

    record Outcome(List<GenerateResult> results, long overlapped, long dropped, long retracted) {}

    private static SchedulerSettings settings(int chunk, boolean mixed, long seed) {
        return new SchedulerSettings(FixtureRunner.MAX_REQUESTS, 64, chunk, SchedulePolicy.FCFS, 1.0, mixed, 1, 40, seed);
    }

    /** Runs a workload through a fresh scheduler, checking the KV accounting after every step. */
    private static Outcome run(int pool, SchedulerSettings settings, int[] eos, List<Sub> subs) {
        return run(pool, false, settings, eos, subs);
    }

    private static Outcome run(int pool, boolean disableCache, SchedulerSettings settings, int[] eos, List<Sub> subs) {
        return run(pool, disableCache, settings, eos, subs, null);
    }

    /** {@code watch}, when not null, sees every step. */
    private static Outcome run(int pool, boolean disableCache, SchedulerSettings settings, int[] eos, List<Sub> subs,
                               RetractionWatch watch) {
        try (FixtureRunner fr = new FixtureRunner(FIXTURE, pool)) {
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), disableCache), settings, eos);
            Req[] reqs = new Req[subs.size()];
            List<RequestStream> streams = new ArrayList<>();
            for (int i = 0; i < subs.size(); i++) streams.add(new RequestStream("r" + i, rid -> { }));
            int last = subs.stream().mapToInt(x -> Math.max(x.arrival(), x.abortAt())).max().orElse(0);
            int step = 0;
            boolean busy = true;
            while (busy || step <= last) {
                for (int i = 0; i < subs.size(); i++) {
                    Sub sub = subs.get(i);
                    if (sub.arrival() == step) {
                        int stop = sub.stopStringToken();
                        StopStringWatcher watcher = stop < 0 ? null : token -> token == stop ? "<" + stop + ">" : null;
                        reqs[i] = new Req("r" + i, sub.request(), streams.get(i), eos, 7 + i, watcher);
                        s.submit(reqs[i]);
                    }
                    if (sub.abortAt() == step) s.abort("r" + i);
                }
                if (watch != null) watch.before(reqs, s.stats());
                busy = s.step();
                if (watch != null) watch.after(reqs, s.stats());
                s.checkKvAccounting();
                step++;
                assertThat(step).as("steps").isLessThan(100_000);
            }
            assertThat(s.idle()).isTrue();
            List<GenerateResult> results = new ArrayList<>();
            for (RequestStream st : streams) results.add(collect(st));
            fr.flushAndAssertPoolWhole(s);
            SchedulerStats stats = s.stats();
            return new Outcome(results, stats.overlappedSteps(), stats.droppedTokens(), stats.retractedRequests());
        }
    }

    /**
     * Retractions with a token in flight, seen from the requests' state around each step. A request that had a
     * table row before a step and is back in the queue after it (no row, not finished) was retracted in that
     * step; if it also got a token in that step, the token was in flight at its retraction and is now its last
     * output token. The step's other retractions (the count beyond those) are of requests that finished on
     * their token in flight, in the queue.
     */
    private static final class RetractionWatch {
        /** Request index -> output index of the token in flight at its first such retraction. */
        final Map<Integer, Integer> inFlightIndex = new java.util.HashMap<>();
        int finishedWhileRetracted;
        private final Set<Integer> active = new HashSet<>();
        private final Map<Integer, Integer> outputs = new java.util.HashMap<>();
        private long retracted;

        void before(Req[] reqs, SchedulerStats stats) {
            active.clear();
            for (int i = 0; i < reqs.length; i++) {
                if (reqs[i] == null) continue;
                if (reqs[i].row >= 0) active.add(i);
                outputs.put(i, reqs[i].outputCount());
            }
            retracted = stats.retractedRequests();
        }

        void after(Req[] reqs, SchedulerStats stats) {
            long queued = 0;
            for (int i : active) {
                Req r = reqs[i];
                if (r.row >= 0 || r.finish != null) continue;
                queued++;
                if (r.outputCount() > outputs.get(i)) inFlightIndex.putIfAbsent(i, r.outputCount() - 1);
            }
            finishedWhileRetracted += (int) (stats.retractedRequests() - retracted - queued);
        }
    }

    /** Runs the workload with the overlap schedule on and off; checks that only the first overlapped. */
    private static Outcome[] bothWays(int pool, SchedulerSettings settings, int[] eos, List<Sub> subs) {
        return bothWays(pool, false, settings, eos, subs);
    }

    private static Outcome[] bothWays(int pool, boolean disableCache, SchedulerSettings settings, int[] eos,
                                      List<Sub> subs) {
        Outcome on = run(pool, disableCache, settings, eos, subs);
        Outcome off = run(pool, disableCache, settings.withDisableOverlapSchedule(true), eos, subs);
        assertThat(on.overlapped()).as("steps launched with the previous one in flight").isPositive();
        assertThat(off.overlapped()).as("overlapped steps with --disable-overlap-schedule").isZero();
        assertThat(off.dropped()).as("dropped tokens with --disable-overlap-schedule").isZero();
        return new Outcome[] {on, off};
    }

    /** The request's result; it publishes nothing after its finished output. */
    private static GenerateResult collect(RequestStream s) {
        GenerateResult r = PublishedResults.collect(s);
        try {
            assertThat(s.poll(0, TimeUnit.SECONDS)).as(s.rid() + " publishes nothing after finishing").isNull();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return r;
    }

    private static void assertSame(Outcome on, Outcome off, Set<Integer> skip) {
        assertThat(on.results()).hasSameSizeAs(off.results());
        for (int i = 0; i < on.results().size(); i++) {
            if (skip.contains(i)) continue;
            GenerateResult a = on.results().get(i);
            GenerateResult b = off.results().get(i);
            String what = "request " + i + ", overlap vs --disable-overlap-schedule";
            assertThat(a.outputIds()).as(what).containsExactly(b.outputIds());
            assertThat(a.finishReason()).as(what).isEqualTo(b.finishReason());
            assertLogprobs(a.outputLogprobs(), b.outputLogprobs(), what + ", output logprobs");
            assertLogprobs(a.inputLogprobs(), b.inputLogprobs(), what + ", prompt logprobs");
        }
    }

    private static void assertLogprobs(List<TokenLogprob> a, List<TokenLogprob> b, String what) {
        assertThat(a).as(what).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            TokenLogprob x = a.get(i);
            TokenLogprob y = b.get(i);
            assertThat(x.tokenId()).as(what + " " + i).isEqualTo(y.tokenId());
            if (y.logprob() == null) {
                assertThat(x.logprob()).as(what + " " + i).isNull();
            } else {
                assertThat(x.logprob()).as(what + " " + i).isCloseTo(y.logprob(), within(LOGPROB_TOLERANCE));
            }
            assertThat(x.top()).as(what + " " + i + " top").hasSameSizeAs(y.top());
            for (int r = 0; r < x.top().size(); r++) {
                assertThat(x.top().get(r).tokenId()).as(what + " " + i + " top " + r).isEqualTo(y.top().get(r).tokenId());
                assertThat(x.top().get(r).logprob()).as(what + " " + i + " top " + r)
                        .isCloseTo(y.top().get(r).logprob(), within(LOGPROB_TOLERANCE));
            }
        }
    }

    private static SamplingParams greedy(int maxNew) {
        return FixtureRunner.greedy(maxNew);
    }

    private static int[] randomTokens(Random r, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 3 + r.nextInt(VOCAB - 3);
        return t;
    }

    /** The fixture's cases (arriving first) and {@code n} random prompts of 1..40 tokens arriving over 20 steps. */
    private static List<Sub> mixedWorkload(long seed, int n, boolean staggered) {
        Random r = new Random(seed);
        List<Sub> subs = new ArrayList<>();
        for (ModelFixture.Case c : FIXTURE.cases()) subs.add(new Sub(new GenerateRequest(c.prompt(), greedy(c.maxNewTokens())), 0));
        int[] shared = randomTokens(r, 12);
        for (int i = 0; i < n; i++) {
            int[] own = randomTokens(r, 1 + r.nextInt(28));
            int[] prompt = r.nextBoolean() ? concat(shared, own) : own;
            subs.add(new Sub(new GenerateRequest(prompt, greedy(1 + r.nextInt(24))), staggered ? r.nextInt(20) : 0));
        }
        return subs;
    }

    /** Each request's greedy output without stops, as the non-overlapped scheduler gives it. */
    private static List<int[]> reference(List<Sub> subs) {
        Outcome off = run(1024, settings(-1, false, 0).withDisableOverlapSchedule(true), new int[0], subs);
        return off.results().stream().map(GenerateResult::outputIds).toList();
    }

    @ParameterizedTest(name = "chunk {0}, mixed {1}")
    @CsvSource({"-1, false", "3, false", "3, true", "16, true", "64, false"})
    void greedyMixedLengthsWithChunkedPrefillAndMixedChunks(int chunk, boolean mixed) {
        List<Sub> subs = mixedWorkload(11 + chunk, 13, true);
        Outcome[] r = bothWays(1024, settings(chunk, mixed, 3), new int[0], subs);
        assertSame(r[0], r[1], Set.of());
        for (int i = 0; i < FIXTURE.cases().size(); i++) {
            assertThat(r[0].results().get(i).outputIds()).as("fixture case " + i + " with overlap")
                    .containsExactly(FIXTURE.cases().get(i).output());
        }
        assertThat(r[0].dropped()).as("tokens dropped when every request ends at max_new_tokens (never fed past it)")
                .isZero();
    }

    @Test
    void requestsFinishingByEosStopIdsStopStringsAndLengthAtDifferentSteps() {
        List<Sub> plain = mixedWorkload(5, 13, false);
        List<int[]> ref = reference(plain);
        Random r = new Random(9);
        Set<Integer> eosSet = new HashSet<>();
        List<Sub> subs = new ArrayList<>();
        for (int i = 0; i < plain.size(); i++) {
            Sub sub = plain.get(i);
            int[] out = ref.get(i);
            int at = r.nextInt(out.length);
            SamplingParams.Builder p = sub.request().params().toBuilder();
            switch (i % 4) {
                case 0 -> subs.add(sub.withParams(p.stopTokenIds(List.of(out[at])).build()));
                case 1 -> subs.add(new Sub(sub.request(), sub.arrival(), -1, out[at]));
                case 2 -> {
                    eosSet.add(out[at]);
                    subs.add(sub.withParams(p.ignoreEos(false).build()));
                }
                default -> subs.add(sub);
            }
        }
        int[] eos = eosSet.stream().mapToInt(Integer::intValue).sorted().toArray();
        Outcome[] o = bothWays(1024, settings(16, true, 0), eos, subs);
        assertSame(o[0], o[1], Set.of());
        Set<String> kinds = new HashSet<>();
        for (GenerateResult g : o[0].results()) {
            kinds.add(g.finishReason() instanceof FinishReason.Stop s
                    ? (s.matchedToken() != null ? "stop token" : "stop string") : g.finishReason().type());
        }
        assertThat(kinds).contains("stop token", "stop string", "length");
        assertThat(o[0].dropped()).as("tokens computed for requests that had stopped one step before").isPositive();
    }

    @Test
    void abortsMidDecodeEndRequestsAndLeaveTheOthersAlone() {
        List<Sub> plain = mixedWorkload(21, 13, true);
        List<int[]> ref = reference(plain);
        Random r = new Random(4);
        List<Sub> subs = new ArrayList<>();
        Set<Integer> aborted = new HashSet<>();
        for (int i = 0; i < plain.size(); i++) {
            Sub sub = plain.get(i);
            if (i % 3 == 1) {
                subs.add(new Sub(sub.request(), sub.arrival(), sub.arrival() + 2 + r.nextInt(8), -1));
                aborted.add(i);
            } else {
                subs.add(sub);
            }
        }
        Outcome[] o = bothWays(1024, settings(16, false, 0), new int[0], subs);
        assertSame(o[0], o[1], aborted);
        int midDecode = 0;
        for (Outcome out : o) {
            for (int i = 0; i < subs.size(); i++) {
                GenerateResult g = out.results().get(i);
                int[] full = ref.get(i);
                if (!aborted.contains(i)) {
                    assertThat(g.outputIds()).as("request " + i).containsExactly(full);
                    continue;
                }
                assertThat(Arrays.copyOf(full, Math.min(full.length, g.outputIds().length)))
                        .as("request " + i + " aborted: a prefix of its output").containsExactly(g.outputIds());
                if (g.finishReason() instanceof FinishReason.Abort) {
                    if (out == o[0] && g.outputIds().length > 0 && g.outputIds().length < full.length) midDecode++;
                } else {
                    assertThat(g.outputIds()).as("request " + i + " finished before its abort").containsExactly(full);
                }
            }
        }
        assertThat(midDecode).as("requests aborted mid-decode with the overlap schedule").isPositive();
        assertThat(o[0].dropped()).as("tokens in flight when their request was aborted").isPositive();
    }

    @Test
    void retractionUnderATinyPoolGivesTheSameTokens() {
        List<Sub> subs = new ArrayList<>();
        for (int copy = 0; copy < 4; copy++) {
            for (ModelFixture.Case c : FIXTURE.cases()) {
                SamplingParams p = greedy(c.maxNewTokens());
                // Some stop early on a token of their own output: such a stop can come while the request is
                // retracted with that token in flight.
                if (copy >= 2) p = p.toBuilder().stopTokenIds(List.of(c.output()[copy == 2 ? 0 : c.output().length / 2])).build();
                subs.add(new Sub(new GenerateRequest(c.prompt(), p), 0));
            }
        }
        int largest = FIXTURE.cases().stream().mapToInt(c -> c.prompt().length + c.maxNewTokens()).max().orElseThrow();
        SchedulerSettings settings = new SchedulerSettings(FixtureRunner.MAX_REQUESTS, 16384, 16, SchedulePolicy.FCFS,
                1.0, false, 1, 40, 0);
        Outcome[] o = bothWays(largest + 8, true, settings, new int[0], subs);
        assertSame(o[0], o[1], Set.of());
        for (int i = 0; i < subs.size(); i++) {
            int[] expected = FIXTURE.cases().get(i % FIXTURE.cases().size()).output();
            if (subs.get(i).request().params().stopTokenIds().isEmpty()) {
                assertThat(o[0].results().get(i).outputIds()).as("request " + i).containsExactly(expected);
            }
        }
        assertThat(o[0].retracted()).as("retractions with the overlap schedule").isPositive();
        assertThat(o[1].retracted()).as("retractions without").isPositive();
    }

    @Test
    void aRequestRetractedWithItsTokenInFlightCanFinishOnThatToken() {
        Random r = new Random(40);
        List<Sub> plain = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            plain.add(new Sub(new GenerateRequest(randomTokens(r, (i % 2 == 0 ? 3 : 9) + r.nextInt(3)), greedy(12)), 0));
        }
        List<int[]> ref = reference(plain);
        // Low conservativeness admits more than the pool holds, so decoding requests get retracted.
        SchedulerSettings settings = new SchedulerSettings(FixtureRunner.MAX_REQUESTS, 16384, 16, SchedulePolicy.FCFS,
                0.05, false, 1, 40, 0);
        int pool = 40;
        // First pass: which requests are retracted with a token in flight, and which output token that is.
        RetractionWatch first = new RetractionWatch();
        run(pool, true, settings, new int[0], plain, first);
        Map<Integer, Integer> inFlightIndex = first.inFlightIndex;
        assertThat(inFlightIndex).as("requests retracted with a token in flight").isNotEmpty();
        // Second pass: the same, each such request stopping on that token (where it is the token's first
        // occurrence, so nothing before changes).
        List<Sub> subs = new ArrayList<>(plain);
        inFlightIndex.forEach((i, index) -> {
            int token = ref.get(i)[index];
            if (Arrays.stream(ref.get(i)).boxed().toList().indexOf(token) == index) {
                subs.set(i, plain.get(i).withParams(plain.get(i).request().params().toBuilder()
                        .stopTokenIds(List.of(token)).build()));
            }
        });
        RetractionWatch second = new RetractionWatch();
        Outcome on = run(pool, true, settings, new int[0], subs, second);
        Outcome off = run(pool, true, settings.withDisableOverlapSchedule(true), new int[0], subs);
        assertSame(on, off, Set.of());
        assertThat(second.finishedWhileRetracted).as("requests that finished on the token in flight at their retraction")
                .isPositive();
    }

    @Test
    void penaltiesAndSeededSamplingDrawTheSameTokens() {
        List<Sub> plain = mixedWorkload(45, 9, true);
        List<Sub> subs = new ArrayList<>();
        Random r = new Random(2);
        for (int i = 0; i < plain.size(); i++) {
            Sub sub = plain.get(i);
            SamplingParams.Builder p = sub.request().params().toBuilder()
                    .temperature(0.6 + 0.2 * (i % 4)).maxNewTokens(4 + r.nextInt(20));
            switch (i % 5) {
                case 0 -> p.topP(0.8).samplingSeed(100L + i);
                case 1 -> p.topK(20).minP(0.05).frequencyPenalty(0.7).presencePenalty(0.3);
                case 2 -> p.repetitionPenalty(1.3).samplingSeed(7L);
                case 3 -> p.logitBias(Map.of(5, 2.0f, 17, -1.5f)).minNewTokens(3).ignoreEos(false);
                default -> p.temperature(0.0).frequencyPenalty(1.5).ignoreEos(false);
            }
            subs.add(sub.withParams(p.build()));
        }
        int[] eos = {5, 6};
        Outcome[] o = bothWays(1024, settings(7, true, 5), eos, subs);
        assertSame(o[0], o[1], Set.of());
        long distinct = o[0].results().stream().map(g -> Arrays.toString(g.outputIds())).distinct().count();
        assertThat(distinct).as("different requests draw different tokens").isGreaterThan(subs.size() / 2);
    }

    @Test
    void logprobsOutputTopNAndPromptAreTheSame() {
        List<Sub> plain = mixedWorkload(57, 9, true);
        List<int[]> ref = reference(plain);
        List<Sub> subs = new ArrayList<>();
        for (int i = 0; i < plain.size(); i++) {
            Sub sub = plain.get(i);
            SamplingParams.Builder p = sub.request().params().toBuilder().returnLogprob(i % 4 != 3)
                    .topLogprobsNum(i % 3 == 0 ? 0 : 2 + i % 4).logprobStartLen(i % 3 == 1 ? 0 : i % 3 == 2 ? 4 : -1);
            if (i % 5 == 0) p.temperature(0.9).samplingSeed((long) i);
            if (i % 2 == 1) p.stopTokenIds(List.of(ref.get(i)[ref.get(i).length / 2]));
            subs.add(sub.withParams(p.build()));
        }
        Outcome[] o = bothWays(1024, settings(5, true, 0), new int[0], subs);
        assertSame(o[0], o[1], Set.of());
        GenerateResult withPrompt = o[0].results().get(1);
        assertThat(withPrompt.inputLogprobs()).as("prompt logprobs from position 0")
                .hasSize(subs.get(1).request().inputIds().length);
        assertThat(o[0].results().get(2).outputLogprobs().getFirst().top()).as("top-n logprobs").hasSize(4);
    }

    /**
     * Randomized: arrivals, shared prefixes, stop ids from each request's own output, aborts, every policy,
     * chunk sizes, mixed chunk, cache on and off, pools small enough to evict and retract.
     */
    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"1", "2", "3", "4", "5", "6", "7", "8"})
    void randomWorkloadsAreTheSameEitherWay(long seed) {
        Random r = new Random(seed);
        List<Sub> plain = mixedWorkload(100 + seed, 11, true);
        List<int[]> ref = reference(plain);
        List<Sub> subs = new ArrayList<>();
        Set<Integer> aborted = new HashSet<>();
        for (int i = 0; i < plain.size(); i++) {
            Sub sub = plain.get(i);
            int[] out = ref.get(i);
            SamplingParams.Builder p = sub.request().params().toBuilder();
            if (r.nextInt(3) == 0) p.stopTokenIds(List.of(out[r.nextInt(out.length)]));
            int abortAt = -1;
            if (r.nextInt(6) == 0) {
                abortAt = sub.arrival() + 1 + r.nextInt(10);
                aborted.add(i);
            }
            subs.add(new Sub(new GenerateRequest(sub.request().inputIds(), p.build()), sub.arrival(), abortAt, -1));
        }
        int[] chunks = {1, 3, 16, 64, -1};
        int[] pools = {72, 120, 400};
        SchedulePolicy policy = SchedulePolicy.values()[(int) (seed % SchedulePolicy.values().length)];
        SchedulerSettings settings = new SchedulerSettings(FixtureRunner.MAX_REQUESTS, 64, chunks[r.nextInt(chunks.length)],
                policy, 1.0, r.nextBoolean(), 1, 40, seed);
        boolean disableCache = seed % 3 == 0;
        int pool = pools[r.nextInt(pools.length)];
        Outcome[] o = bothWays(pool, disableCache, settings, new int[0], subs);
        assertSame(o[0], o[1], aborted);
        for (int i : aborted) {
            for (Outcome out : o) {
                int[] got = out.results().get(i).outputIds();
                int[] full = ref.get(i);
                assertThat(got.length).as("request " + i + " aborted").isLessThanOrEqualTo(full.length);
            }
        }
    }

    @Test
    void flushWaitsForTheStepInFlight() throws Exception {
        ModelFixture.Case c = FIXTURE.cases().get(1);
        int stop = c.output()[2];
        try (FixtureRunner fr = new FixtureRunner(FIXTURE)) {
            Scheduler s = new Scheduler(fr.runner, PrefixCache.create(fr.runner.slots(), false), settings(-1, false, 0),
                    new int[0]);
            RequestStream st = new RequestStream("a", rid -> { });
            s.submit(new Req("a", new GenerateRequest(c.prompt(), greedy(c.maxNewTokens()).toBuilder()
                    .stopTokenIds(List.of(stop)).build()), st, new int[0], 7, null));
            List<RequestOutput> outputs = new ArrayList<>();
            while (outputs.isEmpty() || !outputs.getLast().finished()) {
                assertThat(s.step()).isTrue();
                s.checkKvAccounting();
                for (RequestOutput out; (out = st.poll(0, TimeUnit.SECONDS)) != null; ) outputs.add(out);
            }
            assertThat(s.idle()).as("the step after the stop token is still in flight").isFalse();
            CompletableFuture<Boolean> flushed = s.flushCache();
            s.step();
            s.checkKvAccounting();
            assertThat(flushed.getNow(false)).as("flush accepted once the step in flight is done").isTrue();
            assertThat(s.idle()).isTrue();
            assertThat(s.stats().droppedTokens()).isEqualTo(1);
            fr.assertPoolWhole();
            int[] ids = outputs.stream().flatMapToInt(o -> Arrays.stream(o.newTokenIds())).toArray();
            assertThat(ids).containsExactly(Arrays.copyOf(c.output(), 3));
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
