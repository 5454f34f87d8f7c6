package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.PublishedResults;
import dev.sglj.engine.RequestStream;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.runner.ModelRunner;
import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.sched.Req;
import dev.sglj.engine.sched.SchedulePolicy;
import dev.sglj.engine.sched.Scheduler;
import dev.sglj.engine.sched.SchedulerSettings;
import dev.sglj.engine.sched.SchedulerStats;
import dev.sglj.engine.sched.StopStringWatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The overlap schedule on the GPU with CUDA graphs (sizes 1, 2, 4, 8; decode batches of up to 16 requests, so
 * also eager decode above 8, and mixed prefill+decode batches): the fixture models through the scheduler with
 * the overlap schedule on and off ({@code --disable-overlap-schedule}). With it on, a decode step's input ids
 * name the previous step's draw, resolved on the device from the {@code TokenBuffer} that draw wrote, and
 * the draw itself runs without waiting ({@code ModelRunner.asyncDraws()} counts those launches).
 *
 * <p>Two kinds of workload. Where both schedules form the same batches (every request submitted at once,
 * finishing at max_new_tokens, a pool that never runs out, no radix cache whose contents could change a later
 * admission's chunking) the GPU computes the same thing both ways, so
 * the tokens must be identical, in BF16: greedy and seeded top-p/top-k draws (asynchronous), penalties and
 * logprobs (drawn synchronously inside the overlap schedule). Where they cannot (stops, aborts and
 * retraction change who rides in which step, so batch sizes and graph padding differ) the backend computes
 * in F32 and tokens must be identical except at a near tie: at the first differing token, the
 * non-overlapped run's top-1/top-2 logit margin there (read from the same run with logprobs) must be below
 * {@value #NEAR_TIE}. KV accounting is checked after every step and the pool must be whole at the end.
 */
@Tag("gpu")
class CudaOverlapTest {
    static final List<Integer> GRAPH_SIZES = List.of(1, 2, 4, 8);
    static final int CONTEXT = 256;
    static final int MAX_RUNNING = 16;
    static final int POOL = 4096;
    static final float NEAR_TIE = 1e-3f;

    static Stream<ModelFixture> fixtures() {
        return ModelFixtures.all().stream();
    }

    /** A request; aborted before step {@code abortAt} (-1: never); a stop string matching token {@code stopStringToken} (-1: none). */
    record Sub(GenerateRequest request, int abortAt, int stopStringToken) {
        Sub(GenerateRequest request) {
            this(request, -1, -1);
        }

        Sub with(SamplingParams p) {
            return new Sub(new GenerateRequest(request.inputIds(), p), abortAt, stopStringToken);
        }
    }

    record Outcome(List<GenerateResult> results, long overlapped, long dropped, long retracted, long asyncDraws) {
        int[] ids(int i) {
            return results.get(i).outputIds();
        }
    }

    static SchedulerSettings settings(boolean disableOverlap) {
        return new SchedulerSettings(MAX_RUNNING, 16384, 7, SchedulePolicy.FCFS, 1.0, true, 1, 40, 0, disableOverlap);
    }

    static SamplingParams greedy(int maxNew) {
        return SamplingParams.builder().temperature(0.0).maxNewTokens(maxNew).ignoreEos(true).build();
    }

    /** The fixture's cases and {@code extra} random prompts of 2..40 tokens with 4..16 new tokens, all greedy. */
    static List<Sub> workload(ModelFixture f, int vocab, int extra, long seed) {
        Random r = new Random(seed);
        List<Sub> subs = new ArrayList<>();
        for (ModelFixture.Case c : f.cases()) subs.add(new Sub(new GenerateRequest(c.prompt(), greedy(c.maxNewTokens()))));
        for (int i = 0; i < extra; i++) {
            int[] prompt = r.ints(2 + r.nextInt(39), 0, vocab).toArray();
            subs.add(new Sub(new GenerateRequest(prompt, greedy(4 + r.nextInt(13)))));
        }
        return subs;
    }

    /**
     * Runs the workload on a fresh scheduler over {@code runner}, every request submitted before the first
     * step, the KV accounting checked after every step, then flushes the cache and checks the pool is whole.
     */
    static Outcome run(ModelRunner runner, SchedulerSettings settings, boolean disableCache, int[] eos, List<Sub> subs) {
        long asyncBefore = runner.asyncDraws();
        Scheduler s = new Scheduler(runner, PrefixCache.create(runner.slots(), disableCache), settings, eos);
        List<RequestStream> streams = new ArrayList<>();
        for (int i = 0; i < subs.size(); i++) {
            Sub sub = subs.get(i);
            RequestStream st = new RequestStream("r" + i, rid -> { });
            streams.add(st);
            int stop = sub.stopStringToken();
            StopStringWatcher watcher = stop < 0 ? null : token -> token == stop ? "<" + stop + ">" : null;
            s.submit(new Req(st.rid(), sub.request(), st, eos, 7 + i, watcher));
        }
        int lastAbort = subs.stream().mapToInt(Sub::abortAt).max().orElse(-1);
        for (int step = 0; ; step++) {
            for (int i = 0; i < subs.size(); i++) {
                if (subs.get(i).abortAt() == step) s.abort("r" + i);
            }
            boolean busy = s.step();
            s.checkKvAccounting();
            if (!busy && step >= lastAbort) break;
            assertThat(step).as("steps").isLessThan(100_000);
        }
        assertThat(s.idle()).isTrue();
        List<GenerateResult> results = new ArrayList<>();
        for (RequestStream st : streams) results.add(PublishedResults.collect(st));
        CompletableFuture<Boolean> flushed = s.flushCache();
        s.step();
        assertThat(flushed.getNow(false)).as("flush when idle").isTrue();
        assertThat(runner.slots().available()).as("free KV slots").isEqualTo(runner.slots().size());
        assertThat(runner.reqToToken().availableRows()).as("free table rows").isEqualTo(runner.reqToToken().maxRequests());
        SchedulerStats stats = s.stats();
        return new Outcome(results, stats.overlappedSteps(), stats.droppedTokens(), stats.retractedRequests(),
                runner.asyncDraws() - asyncBefore);
    }

    static void assertIdentical(Outcome on, Outcome off, String what) {
        for (int i = 0; i < on.results().size(); i++) {
            GenerateResult a = on.results().get(i);
            GenerateResult b = off.results().get(i);
            assertThat(a.outputIds()).as(what + " request " + i + " tokens, overlap vs not").containsExactly(b.outputIds());
            assertThat(a.finishReason()).as(what + " request " + i + " finish").isEqualTo(b.finishReason());
            assertThat(a.outputLogprobs()).as(what + " request " + i + " output logprobs").isEqualTo(b.outputLogprobs());
            assertThat(a.inputLogprobs()).as(what + " request " + i + " prompt logprobs").isEqualTo(b.inputLogprobs());
        }
    }

    /**
     * {@code a} against {@code b} over their common length; at the first difference, {@code b}'s margin there
     * (from {@code bLogprobs}, top 2) must be a near tie. Returns true when they agree over that length.
     */
    static boolean agree(int[] a, int[] b, List<TokenLogprob> bLogprobs, String what, List<String> failures) {
        int n = Math.min(a.length, b.length);
        for (int k = 0; k < n; k++) {
            if (a[k] == b[k]) continue;
            List<dev.sglj.engine.sampling.TopLogprob> top = bLogprobs.get(k).top();
            float margin = top.get(0).logprob() - top.get(1).logprob();
            String msg = String.format("%s: token %d: %d with overlap, %d without (margin %.2e)", what, k, a[k], b[k],
                    margin);
            System.out.println("  " + msg);
            if (margin >= NEAR_TIE) failures.add(msg);
            return false;
        }
        return true;
    }

    /** The workload without overlap again with top-2 logprobs: the same batches, so the same tokens, and their margins. */
    static List<List<TokenLogprob>> margins(ModelRunner runner, boolean disableCache, int[] eos, List<Sub> subs, Outcome off) {
        List<Sub> withLogprobs = subs.stream()
                .map(s -> s.with(s.request().params().toBuilder().returnLogprob(true).topLogprobsNum(2).build())).toList();
        Outcome lp = run(runner, settings(true), disableCache, eos, withLogprobs);
        for (int i = 0; i < subs.size(); i++) {
            assertThat(lp.ids(i)).as("request " + i + " without overlap, with and without logprobs").containsExactly(off.ids(i));
        }
        return lp.results().stream().map(GenerateResult::outputLogprobs).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void greedyAndSeededDrawsThroughGraphsAreIdentical(ModelFixture fixture) {
        try (LoadedModel model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
             CudaBackend gpu = new CudaBackend();
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), gpu, POOL, MAX_RUNNING, CONTEXT,
                     GRAPH_SIZES)) {
            List<Sub> subs = new ArrayList<>();
            List<Sub> plain = workload(fixture, model.config().vocabSize(), 11, 1);
            for (int i = 0; i < plain.size(); i++) {
                Sub s = plain.get(i);
                SamplingParams.Builder p = s.request().params().toBuilder();
                if (i % 3 == 1) p.temperature(0.8).topP(0.9).topK(40).samplingSeed(100L + i);
                if (i % 3 == 2 && i > 3) p.temperature(1.1).minP(0.05).samplingSeed(7L);
                subs.add(s.with(p.build()));
            }
            Outcome on = run(runner, settings(false), true, new int[0], subs);
            Outcome off = run(runner, settings(true), true, new int[0], subs);
            assertIdentical(on, off, fixture.name());
            assertThat(on.overlapped()).as("steps launched with the previous one in flight").isPositive();
            assertThat(on.asyncDraws()).as("draws that did not wait").isPositive();
            assertThat(on.dropped()).as("every request ends at max_new_tokens: nothing computed past it").isZero();
            assertThat(off.overlapped()).isZero();
            System.out.printf("  %-16s %d requests identical; %d overlapped steps, %d draws without waiting%n",
                    fixture.name(), subs.size(), on.overlapped(), on.asyncDraws());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void penaltiesAndLogprobsDrawnSynchronouslyAreIdentical(ModelFixture fixture) {
        try (LoadedModel model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
             CudaBackend gpu = new CudaBackend();
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), gpu, POOL, MAX_RUNNING, CONTEXT,
                     GRAPH_SIZES)) {
            List<Sub> subs = new ArrayList<>();
            List<Sub> plain = workload(fixture, model.config().vocabSize(), 9, 2);
            for (int i = 0; i < plain.size(); i++) {
                Sub s = plain.get(i);
                int maxNew = s.request().params().maxNewTokens();
                SamplingParams.Builder p = s.request().params().toBuilder();
                switch (i % 4) {
                    case 0 -> p.returnLogprob(true).topLogprobsNum(3).logprobStartLen(i % 8 == 0 ? 0 : -1);
                    case 1 -> p.frequencyPenalty(0.8).presencePenalty(0.4).repetitionPenalty(1.2);
                    // Stop ids masked until the last token (min_new_tokens): the batches stay the same.
                    case 2 -> p.logitBias(Map.of(1, 3.0f)).minNewTokens(maxNew).stopTokenIds(List.of(2, 3));
                    default -> { }
                }
                subs.add(s.with(p.build()));
            }
            Outcome on = run(runner, settings(false), true, new int[0], subs);
            Outcome off = run(runner, settings(true), true, new int[0], subs);
            assertIdentical(on, off, fixture.name());
            assertThat(on.overlapped()).isPositive();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void stopsAndAbortsInF32AgreeUpToNearTies(ModelFixture fixture) {
        List<String> failures = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
             CudaBackend gpu = new CudaBackend(DType.F32);
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), gpu, POOL, MAX_RUNNING, CONTEXT,
                     GRAPH_SIZES)) {
            List<Sub> plain = workload(fixture, model.config().vocabSize(), 13, 3);
            Outcome ref = run(runner, settings(true), false, new int[0], plain);
            Random r = new Random(5);
            Set<Integer> eosSet = new HashSet<>();
            Set<Integer> aborted = new HashSet<>();
            List<Sub> subs = new ArrayList<>();
            for (int i = 0; i < plain.size(); i++) {
                Sub s = plain.get(i);
                int[] out = ref.ids(i);
                int at = r.nextInt(out.length);
                SamplingParams.Builder p = s.request().params().toBuilder();
                int abortAt = i % 7 == 5 ? 6 + i : -1;
                if (abortAt >= 0) aborted.add(i);
                switch (i % 4) {
                    case 0 -> subs.add(new Sub(new GenerateRequest(s.request().inputIds(),
                            p.stopTokenIds(List.of(out[at])).build()), abortAt, -1));
                    case 1 -> subs.add(new Sub(s.request(), abortAt, out[at]));
                    case 2 -> {
                        eosSet.add(out[at]);
                        subs.add(new Sub(new GenerateRequest(s.request().inputIds(), p.ignoreEos(false).build()), abortAt,
                                -1));
                    }
                    default -> subs.add(new Sub(s.request(), abortAt, -1));
                }
            }
            int[] eos = eosSet.stream().mapToInt(Integer::intValue).sorted().toArray();
            Outcome on = run(runner, settings(false), false, eos, subs);
            Outcome off = run(runner, settings(true), false, eos, subs);
            List<List<TokenLogprob>> margins = margins(runner, false, eos, subs, off);
            compareUpToNearTies(fixture.name(), on, off, margins, aborted, failures);
            assertThat(on.dropped()).as("tokens computed for requests that stopped or were aborted one step before")
                    .isPositive();
            assertThat(on.asyncDraws()).isPositive();
        }
        assertThat(failures).as(fixture.name()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void retractionUnderATinyPoolInF32AgreesUpToNearTies(ModelFixture fixture) {
        List<String> failures = new ArrayList<>();
        int largest = fixture.cases().stream().mapToInt(c -> c.prompt().length + c.maxNewTokens()).max().orElseThrow();
        try (LoadedModel model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
             CudaBackend gpu = new CudaBackend(DType.F32);
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), gpu, largest + 8, 8, CONTEXT,
                     GRAPH_SIZES)) {
            List<Sub> subs = new ArrayList<>();
            for (int copy = 0; copy < 4; copy++) {
                for (ModelFixture.Case c : fixture.cases()) {
                    SamplingParams p = greedy(c.maxNewTokens());
                    if (copy == 3) p = p.toBuilder().stopTokenIds(List.of(c.output()[c.output().length / 2])).build();
                    subs.add(new Sub(new GenerateRequest(c.prompt(), p)));
                }
            }
            SchedulerSettings on = new SchedulerSettings(8, 16384, 16, SchedulePolicy.FCFS, 1.0, false, 1, 40, 0, false);
            Outcome a = run(runner, on, true, new int[0], subs);
            Outcome b = run(runner, on.withDisableOverlapSchedule(true), true, new int[0], subs);
            List<List<TokenLogprob>> margins = margins(runner, true, new int[0], subs, b);
            compareUpToNearTies(fixture.name(), a, b, margins, Set.of(), failures);
            assertThat(a.retracted()).as("retractions with the overlap schedule").isPositive();
        }
        assertThat(failures).as(fixture.name()).isEmpty();
    }

    static void compareUpToNearTies(String name, Outcome on, Outcome off, List<List<TokenLogprob>> margins,
                                    Set<Integer> aborted, List<String> failures) {
        int identical = 0;
        for (int i = 0; i < on.results().size(); i++) {
            GenerateResult a = on.results().get(i);
            GenerateResult b = off.results().get(i);
            String what = name + " request " + i;
            boolean same = agree(a.outputIds(), b.outputIds(), margins.get(i), what, failures);
            if (!same) continue;
            boolean abortedEither = a.finishReason() instanceof FinishReason.Abort
                    || b.finishReason() instanceof FinishReason.Abort;
            if (aborted.contains(i) && abortedEither) continue;
            if (a.outputIds().length != b.outputIds().length || !a.finishReason().equals(b.finishReason())) {
                failures.add(what + ": " + Arrays.toString(a.outputIds()) + " " + a.finishReason() + " with overlap, "
                        + Arrays.toString(b.outputIds()) + " " + b.finishReason() + " without");
            } else {
                identical++;
            }
        }
        System.out.printf("  %-16s %d of %d requests identical (the others aborted or past a near tie)%n", name,
                identical, on.results().size());
    }
}
