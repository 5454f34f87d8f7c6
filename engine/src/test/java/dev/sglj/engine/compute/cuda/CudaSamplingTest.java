package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.sampling.Logprobs;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;
import dev.sglj.engine.sampling.Sampler;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Device sampling and logprobs against the CPU {@link Sampler} and {@link Logprobs} on identical logits
 * (vocab 151936 and 1000), rows of several kinds: peaked (a few hot tokens over a Gaussian tail), ties at
 * the top, many -inf, NaN, BF16-rounded (massive ties), flat, and all -inf but a few. Requests are real
 * {@link RequestSampler} states; the device gets their uniforms and {@link LogitChanges} built from the
 * same prompt and output tokens. Parameters are float on the device (as SGLang's tensors), so the CPU
 * gets the same float values widened.
 *
 * <p>Tokens must equal the CPU's except where a draw lands within rounding of a cumulative boundary
 * (sums in another order): at most one such draw in {@value #DRAWS_PER_MISMATCH} is allowed, and each
 * is printed; greedy rows must match exactly, and so must rows whose cut keeps more tokens than a block
 * ranks (drawn by key searches). Logprobs within 1e-5 (relative above magnitude 1), top ids equal.
 */
@Tag("gpu")
class CudaSamplingTest {
    static final int LARGE_VOCAB = 151936;
    static final int SMALL_VOCAB = 1000;
    static final int DRAWS_PER_MISMATCH = 500;
    static final int STEPS = 2;
    static final long[] SEEDS = {11, 12, 13};
    static final double LOGPROB_TOLERANCE = 1e-5;
    static CudaBackend gpu;

    enum Kind { PEAKED, TIES, NEG_INF, NAN, BF16, FLAT, SPARSE, PEAKED_2, PEAKED_3, PEAKED_4 }

    @BeforeAll
    static void start() {
        assumeTrue(CudaBackend.gpuPresent(), "no CUDA GPU here: the device sampling tests are skipped");
        gpu = new CudaBackend();
        System.out.println("device " + gpu.deviceInfo() + "; " + gpu.kernelCompileSummary());
    }

    @AfterAll
    static void stop() {
        if (gpu != null) gpu.close();
    }

    int[] deviceSample(float[] logits, int vocab, SamplingBatch batch, LogitChanges changes) {
        Tensor t = gpu.floats(logits, logits.length / vocab, vocab);
        try {
            return gpu.sample(t, batch, changes);
        } finally {
            gpu.free(t);
        }
    }

    RowLogprobs deviceLogprobs(float[] logits, int vocab, int[] rows, int[] tokens, int topN) {
        Tensor t = gpu.floats(logits, logits.length / vocab, vocab);
        try {
            return gpu.logprobs(t, rows, tokens, topN);
        } finally {
            gpu.free(t);
        }
    }

    // ---- cases

    static SamplingParams.Builder sampling(double temperature, int topK, float topP, float minP) {
        return SamplingParams.builder().temperature(temperature).topK(topK).topP((double) topP).minP((double) minP);
    }

    /** A case: the parameters of every row, whether penalties apply, and the outputs accepted before step 0. */
    record Case(String name, SamplingParams.Builder base, boolean penalised, int acceptedBefore) {
        boolean greedy() {
            return base.build().isGreedy();
        }

        /** The row's parameters: with penalties, its hot tokens become a stop id and logit_bias keys. */
        SamplingParams params(int[] hot) {
            SamplingParams.Builder b = base.build().toBuilder();
            if (penalised) {
                b.frequencyPenalty(0.5).presencePenalty(0.25).repetitionPenalty(1.3).stopTokenIds(List.of(hot[1]))
                        .logitBias(Map.of(hot[2], 4.0f, hot[3], -50.0f));
            }
            return b.build().validate(LARGE_VOCAB);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("greedy", sampling(0, -1, 1f, 0f), false, 0),
                new Case("greedy by top_k 1", sampling(0.7, 1, 1f, 0f), false, 0),
                new Case("temperature 1", sampling(1, -1, 1f, 0f), false, 0),
                new Case("temperature 0.7", sampling(0.7, -1, 1f, 0f), false, 0),
                new Case("temperature 1.3", sampling(1.3, -1, 1f, 0f), false, 0),
                new Case("top_k 20", sampling(0.8, 20, 1f, 0f), false, 0),
                new Case("top_k 1000", sampling(1, 1000, 1f, 0f), false, 0),
                new Case("top_p 0.9", sampling(0.7, -1, 0.9f, 0f), false, 0),
                new Case("top_p 0.95 temperature 1", sampling(1, -1, 0.95f, 0f), false, 0),
                new Case("min_p 0.05", sampling(1, -1, 1f, 0.05f), false, 0),
                new Case("min_p 0.1 temperature 1.2", sampling(1.2, -1, 1f, 0.1f), false, 0),
                new Case("top_k 50 top_p 0.9 min_p 0.02", sampling(0.8, 50, 0.9f, 0.02f), false, 0),
                new Case("top_k 40 top_p 0.8 temperature 1.2", sampling(1.2, 40, 0.8f, 0f), false, 0),
                new Case("penalties, min_new_tokens masking, top_p 0.9", sampling(0.8, -1, 0.9f, 0f).minNewTokens(4), true, 1),
                new Case("penalties after min_new_tokens, temperature 1", sampling(1, -1, 1f, 0f).minNewTokens(1), true, 2),
                new Case("penalties, top_k 30 min_p 0.05", sampling(0.9, 30, 1f, 0.05f).minNewTokens(3), true, 1),
                new Case("penalties, greedy", sampling(0, -1, 1f, 0f).minNewTokens(3), true, 1));
    }

    static Stream<Arguments> casesByVocab() {
        return cases().flatMap(c -> Stream.of(Arguments.of(c, LARGE_VOCAB), Arguments.of(c, SMALL_VOCAB)));
    }

    // ---- sampling against the CPU

    /** One request of a test batch: its state for the CPU and the tokens the device's changes are built from. */
    record Request(Kind kind, int[] hot, SamplingParams params, int[] prompt, int[] eos, List<Integer> outputs,
                   RequestSampler state) {}

    @ParameterizedTest(name = "{0}, vocab {1}")
    @MethodSource("casesByVocab")
    void samplesAsTheCpu(Case c, int vocab) {
        int draws = 0;
        int mismatches = 0;
        for (long seed : SEEDS) {
            Random random = new Random(seed * 1000 + vocab);
            List<Request> requests = new ArrayList<>();
            for (Kind kind : Kind.values()) requests.add(request(c, kind, vocab, random));
            Sampler sampler = new Sampler(vocab);
            for (int step = 0; step < STEPS; step++) {
                float[] logits = new float[requests.size() * vocab];
                for (int r = 0; r < requests.size(); r++) fillRow(logits, r, vocab, requests.get(r).kind(), requests.get(r).hot(), random);
                SamplingBatch batch = batch(requests, vocab);
                int[] device = deviceSample(logits, vocab, batch, changes(requests));
                for (int r = 0; r < requests.size(); r++) {
                    Request q = requests.get(r);
                    int token = device[r];
                    int expected = sampler.sampleRow(logits, r, q.state()).tokenId();
                    draws++;
                    if (token != expected) {
                        mismatches++;
                        System.out.printf("  MISMATCH %s vocab %d seed %d step %d row %d (%s): u=%.17f cpu %d (logit %s)"
                                        + " device %d (logit %s)%n", c, vocab, seed, step, r, q.kind(),
                                batch.uniforms()[r], expected, logits[r * vocab + expected], token,
                                token >= 0 && token < vocab ? logits[r * vocab + token] : Float.NaN);
                    }
                    q.outputs().add(expected);
                }
            }
        }
        System.out.printf("  %-52s vocab %6d: %d draws, %d mismatches%n", c, vocab, draws, mismatches);
        if (c.greedy()) {
            assertThat(mismatches).as("greedy mismatches").isZero();
        } else {
            assertThat(mismatches).as("mismatches in %d draws", draws).isLessThanOrEqualTo(draws / DRAWS_PER_MISMATCH);
        }
    }

    Request request(Case c, Kind kind, int vocab, Random random) {
        int[] hot = random.ints(0, vocab).distinct().limit(12).toArray();
        SamplingParams params = c.params(hot);
        int[] prompt = IntStream.concat(IntStream.of(hot[0], hot[4], hot[5], hot[2]), random.ints(20, 0, vocab)).toArray();
        int[] eos = {hot[6]};
        RequestSampler state = new RequestSampler(params, prompt, eos, random.nextLong());
        List<Integer> outputs = new ArrayList<>();
        for (int i = 0; i < c.acceptedBefore(); i++) {
            int token = hot[7 + i];
            state.accept(token);
            outputs.add(token);
        }
        return new Request(kind, hot, params, prompt, eos, outputs, state);
    }

    static SamplingBatch batch(List<Request> requests, int vocab) {
        return batch(requests.stream().map(Request::state).toArray(RequestSampler[]::new), vocab);
    }

    /** Row r of the logits for state r, with its parameters as the device takes them (float) and its uniform. */
    static SamplingBatch batch(RequestSampler[] states, int vocab) {
        int n = states.length;
        int[] rows = new int[n];
        float[] temperatures = new float[n];
        int[] topKs = new int[n];
        float[] topPs = new float[n];
        float[] minPs = new float[n];
        double[] uniforms = new double[n];
        for (int r = 0; r < n; r++) {
            SamplingParams p = states[r].params();
            rows[r] = r;
            temperatures[r] = (float) p.temperature();
            topKs[r] = p.effectiveTopK(vocab);
            topPs[r] = (float) p.topP();
            minPs[r] = (float) p.minP();
            uniforms[r] = states[r].uniform();
        }
        return new SamplingBatch(rows, temperatures, topKs, topPs, minPs, uniforms);
    }

    /** Penalties.apply per token, from the requests' prompts, outputs, stop ids and logit_bias. */
    static LogitChanges changes(List<Request> requests) {
        List<int[]> where = new ArrayList<>();
        List<float[]> what = new ArrayList<>();
        for (int e = 0; e < requests.size(); e++) {
            Request q = requests.get(e);
            SamplingParams p = q.params();
            Map<Integer, float[]> byToken = new TreeMap<>();
            if (p.frequencyPenalty() != 0 || p.presencePenalty() != 0) {
                Map<Integer, Integer> counts = new TreeMap<>();
                for (int t : q.outputs()) counts.merge(t, 1, Integer::sum);
                counts.forEach((t, n) -> change(byToken, t)[0] =
                        (float) p.frequencyPenalty() * n + (float) p.presencePenalty());
            }
            Set<Integer> stops = new LinkedHashSet<>(p.stopTokenIds());
            for (int t : q.eos()) stops.add(t);
            if (q.outputs().size() < p.minNewTokens()) stops.forEach(t -> change(byToken, t)[1] = 1);
            if (p.repetitionPenalty() != 1) {
                for (int t : q.prompt()) change(byToken, t)[2] = (float) p.repetitionPenalty();
                for (int t : q.outputs()) change(byToken, t)[2] = (float) p.repetitionPenalty();
            }
            p.logitBias().forEach((t, b) -> change(byToken, t)[3] = b);
            int entry = e;
            byToken.forEach((t, v) -> {
                where.add(new int[] {entry, t});
                what.add(v);
            });
        }
        int m = where.size();
        int[] entries = new int[m];
        int[] tokens = new int[m];
        float[] subtract = new float[m];
        boolean[] mask = new boolean[m];
        float[] repetition = new float[m];
        float[] bias = new float[m];
        for (int j = 0; j < m; j++) {
            entries[j] = where.get(j)[0];
            tokens[j] = where.get(j)[1];
            subtract[j] = what.get(j)[0];
            mask[j] = what.get(j)[1] != 0;
            repetition[j] = what.get(j)[2];
            bias[j] = what.get(j)[3];
        }
        return new LogitChanges(entries, tokens, subtract, mask, repetition, bias);
    }

    private static float[] change(Map<Integer, float[]> byToken, int token) {
        return byToken.computeIfAbsent(token, t -> new float[] {0, 0, 1, 0});
    }

    /** Row {@code r} as the CPU samples from it: NaN as -inf, the request's changes, divided by the temperature. */
    /** How many tokens the cut keeps (Sampler.drawFromRanked over a full sort of a row at temperature 1). */
    static int survivors(float[] x, SamplingParams p, int vocab) {
        float[] sorted = x.clone();
        Arrays.sort(sorted);
        float max = sorted[vocab - 1];
        double total = 0;
        for (float v : sorted) total += (float) Math.exp(v - max);
        int kept = 0;
        double mass = 0;
        for (int r = 0; r < p.effectiveTopK(vocab); r++) {
            double w = Math.exp((double) sorted[vocab - 1 - r] - max);
            if ((p.topP() < 1 && mass > p.topP() * total) || w < p.minP()) break;
            mass += w;
            kept++;
        }
        return kept;
    }

    // ---- logits

    static void fillRow(float[] logits, int row, int vocab, Kind kind, int[] hot, Random random) {
        int at = row * vocab;
        switch (kind) {
            case PEAKED, PEAKED_2, PEAKED_3, PEAKED_4 -> peaked(logits, at, vocab, hot, random);
            case TIES -> {
                peaked(logits, at, vocab, hot, random);
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < vocab; i++) max = Math.max(max, logits[at + i]);
                for (int i = 0; i < 4; i++) logits[at + random.nextInt(vocab)] = max;
                float second = logits[at + hot[5]];
                for (int i = 0; i < 30; i++) logits[at + random.nextInt(vocab)] = second;
            }
            case NEG_INF -> {
                peaked(logits, at, vocab, hot, random);
                for (int i = 0; i < vocab; i++) {
                    if (random.nextInt(10) < 3) logits[at + i] = Float.NEGATIVE_INFINITY;
                }
            }
            case NAN -> {
                peaked(logits, at, vocab, hot, random);
                for (int i = 0; i < 20; i++) logits[at + 1 + random.nextInt(vocab - 1)] = Float.NaN;
            }
            case BF16 -> {
                peaked(logits, at, vocab, hot, random);
                for (int i = 0; i < vocab; i++) logits[at + i] = Bf16.round(logits[at + i]);
            }
            case FLAT -> {
                for (int i = 0; i < vocab; i++) logits[at + i] = (float) (random.nextGaussian() * 0.5);
            }
            case SPARSE -> {
                Arrays.fill(logits, at, at + vocab, Float.NEGATIVE_INFINITY);
                for (int i = 0; i < 5; i++) logits[at + hot[i]] = (float) random.nextGaussian();
            }
        }
    }

    /** A Gaussian tail (sd 2) with the row's 12 hot tokens 8 to 16 above it: most mass on a few tokens. */
    static void peaked(float[] logits, int at, int vocab, int[] hot, Random random) {
        for (int i = 0; i < vocab; i++) logits[at + i] = (float) (random.nextGaussian() * 2);
        for (int h : hot) logits[at + h] = (float) (8 + 8 * random.nextDouble());
    }

    // ---- argmax and wide cuts

    /**
     * Greedy rows without changes take argmax_rows: rows picked out of order (the rows uploaded), a maximum
     * in the last slice, ties (the lowest id), NaN and -0.0 against 0.0, all -inf; twice, so the per-row
     * counters the kernel leaves behind are zero again.
     */
    @Test
    void greedyRowsTakeTheFirstMaximumInAnyRowOrder() {
        int vocab = LARGE_VOCAB;
        int rows = 5;
        Random random = new Random(21);
        float[] logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) random.nextGaussian();
        logits[vocab - 1] = 9f;
        logits[vocab + 7] = 6f;
        logits[vocab + 90_000] = 6f;
        for (int i = 0; i < vocab; i++) logits[2 * vocab + i] = i % 3 == 1 ? Float.NaN : -1f;
        logits[2 * vocab + 70_000] = -0.0f;
        logits[2 * vocab + 70_001] = 0.0f;
        Arrays.fill(logits, 3 * vocab, 4 * vocab, Float.NEGATIVE_INFINITY);
        int[] order = {4, 2, 0, 3, 1};
        SamplingBatch batch = new SamplingBatch(order, new float[rows], new int[] {-1, 1, 5, -1, 1},
                new float[] {1f, 1f, 0.5f, 1f, 1f}, new float[rows], new double[rows]);
        int[] expected = new int[rows];
        Sampler sampler = new Sampler(vocab);
        for (int i = 0; i < rows; i++) {
            RequestSampler state = new RequestSampler(sampling(0, -1, 1f, 0f).build(), new int[0], new int[0], 0L);
            expected[i] = sampler.sampleRow(logits, order[i], state).tokenId();
        }
        assertThat(expected).containsExactly(expected[0], 70_000, vocab - 1, 0, 7);
        for (int round = 0; round < 2; round++) {
            assertThat(deviceSample(logits, vocab, batch, LogitChanges.NONE)).as("round %d", round)
                    .containsExactly(expected);
        }
    }

    /**
     * Rows whose cut keeps more tokens than a block ranks ({@link SamplingKernels#CANDIDATE_CAP}) are drawn on the
     * device as the CPU draws them: 5,000 tied tokens under top_k, top_p 0.95 and min_p 0.05 of a wide row,
     * top_k 20,000 with top_p 0.5, and a ranked row beside them; 40 draws each.
     */
    @Test
    void drawsRowsWithMoreCandidatesThanABlockRanksAsTheCpu() {
        int vocab = LARGE_VOCAB;
        Random random = new Random(5);
        float[] logits = new float[5 * vocab];
        Arrays.fill(logits, 0, vocab, 1.5f);
        peaked(logits, vocab, vocab, random.ints(0, vocab).distinct().limit(12).toArray(), random);
        for (int i = 2 * vocab; i < 5 * vocab; i++) logits[i] = (float) (random.nextGaussian() * 0.5);
        SamplingParams[] params = {sampling(1, 5000, 1f, 0f).build(), sampling(0.7, 50, 0.9f, 0f).build(),
                sampling(1, -1, 0.95f, 0f).build(), sampling(1, -1, 1f, 0.05f).build(),
                sampling(1, 20000, 0.5f, 0f).build()};
        int rows = params.length;
        for (int r : new int[] {0, 2, 3, 4}) {
            float[] row = Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab);
            assertThat(survivors(row, params[r], vocab)).as("row %d keeps more than a block ranks", r)
                    .isGreaterThan(SamplingKernels.CANDIDATE_CAP);
        }
        Sampler sampler = new Sampler(vocab);
        int draws = 0;
        int mismatches = 0;
        for (int draw = 0; draw < 40; draw++) {
            RequestSampler[] states = new RequestSampler[rows];
            for (int r = 0; r < rows; r++) {
                states[r] = new RequestSampler(params[r], new int[0], new int[0], 100L * draw + r);
            }
            SamplingBatch batch = batch(states, vocab);
            int[] device = deviceSample(logits, vocab, batch, LogitChanges.NONE);
            for (int r = 0; r < rows; r++) {
                int expected = sampler.sampleRow(logits, r, states[r]).tokenId();
                draws++;
                if (device[r] != expected) {
                    mismatches++;
                    System.out.printf("  MISMATCH draw %d row %d: u=%.17f cpu %d device %d%n", draw, r, batch.uniforms()[r],
                            expected, device[r]);
                }
            }
        }
        assertThat(mismatches).as("mismatches in %d draws", draws).isLessThanOrEqualTo(draws / DRAWS_PER_MISMATCH);
    }

    @Test
    void rejectsChangesOutsideTheBatchOrRepeated() {
        float[] logits = new float[2 * 10];
        SamplingBatch batch = new SamplingBatch(new int[] {1}, new float[] {1}, new int[] {10}, new float[] {1},
                new float[] {0}, new double[] {0.5});
        LogitChanges twice = new LogitChanges(new int[] {0, 0}, new int[] {3, 3}, new float[2], new boolean[2],
                new float[] {1, 1}, new float[2]);
        assertThatThrownBy(() -> deviceSample(logits, 10, batch, twice)).hasMessageContaining("repeat token 3");
        LogitChanges outside = new LogitChanges(new int[] {1}, new int[] {3}, new float[1], new boolean[1],
                new float[] {1}, new float[1]);
        assertThatThrownBy(() -> deviceSample(logits, 10, batch, outside)).hasMessageContaining("entry 1");
        SamplingBatch badRow = new SamplingBatch(new int[] {2}, new float[] {1}, new int[] {10}, new float[] {1},
                new float[] {0}, new double[] {0.5});
        assertThatThrownBy(() -> deviceSample(logits, 10, badRow, LogitChanges.NONE)).hasMessageContaining("logit row 2");
    }

    // ---- logprobs

    @ParameterizedTest(name = "vocab {0}")
    @ValueSource(ints = {LARGE_VOCAB, SMALL_VOCAB})
    void logprobsAsTheCpu(int vocab) {
        Random random = new Random(vocab);
        Kind[] kinds = Kind.values();
        int rows = kinds.length + 1;
        float[] logits = new float[rows * vocab];
        int[] logitRows = new int[rows];
        int[] tokens = new int[rows];
        for (int r = 0; r < kinds.length; r++) {
            int[] hot = random.ints(0, vocab).distinct().limit(12).toArray();
            fillRow(logits, r, vocab, kinds[r], hot, random);
            logitRows[r] = r;
            tokens[r] = r % 2 == 0 ? hot[r % 12] : random.nextInt(vocab);
        }
        Arrays.fill(logits, kinds.length * vocab, rows * vocab, 0.25f);
        logitRows[kinds.length] = kinds.length;
        tokens[kinds.length] = vocab - 1;
        for (int topN : new int[] {0, 1, 5, 20, 64}) {
            RowLogprobs device = deviceLogprobs(logits, vocab, logitRows, tokens, topN);
            assertThat(device.topN()).isEqualTo(topN);
            double worst = 0;
            for (int r = 0; r < rows; r++) {
                SampledToken cpu = Logprobs.of(logits, r * vocab, vocab, tokens[r], topN);
                worst = Math.max(worst, assertLogprob("row " + r + " chosen", device.logprobs()[r], cpu.logprob()));
                if (Float.isNaN(cpu.logprob())) continue;
                assertThat(cpu.top()).hasSize(topN);
                for (int k = 0; k < topN; k++) {
                    assertThat(device.topId(r, k)).as("row %d (%s) top %d of %d", r, r < kinds.length ? kinds[r] : "tied",
                            k, topN).isEqualTo(cpu.top().get(k).tokenId());
                    worst = Math.max(worst, assertLogprob("row " + r + " top " + k, device.topLogprob(r, k),
                            cpu.top().get(k).logprob()));
                }
            }
            System.out.printf("  logprobs vocab %6d top %2d: %d rows, worst difference %.2e%n", vocab, topN, rows, worst);
        }
    }

    /** Equal (both NaN, or the same infinity), or within {@value #LOGPROB_TOLERANCE} relative above magnitude 1. */
    static double assertLogprob(String what, float device, float cpu) {
        if (Float.isNaN(cpu) || Float.isInfinite(cpu)) {
            assertThat(Float.floatToIntBits(device)).as("%s: device %s, cpu %s", what, device, cpu)
                    .isEqualTo(Float.floatToIntBits(cpu));
            return 0;
        }
        double difference = Math.abs(device - cpu) / Math.max(1, Math.abs(cpu));
        assertThat(difference).as("%s: device %s, cpu %s", what, device, cpu).isLessThanOrEqualTo(LOGPROB_TOLERANCE);
        return difference;
    }

    // ---- cost, for the record

    @Test
    void timesABatchOf32AgainstCopyingTheLogits() {
        int vocab = 128256;
        int rows = 32;
        Random random = new Random(3);
        float[] logits = new float[rows * vocab];
        for (int r = 0; r < rows; r++) peaked(logits, r * vocab, vocab, random.ints(0, vocab).distinct().limit(12).toArray(), random);
        Tensor t = gpu.floats(logits, rows, vocab);
        try {
            int[] all = IntStream.range(0, rows).toArray();
            double[] uniforms = random.doubles(rows).toArray();
            record Setting(String name, float temperature, int topK, float topP, float minP) {}
            for (Setting s : List.of(new Setting("greedy", 0, vocab, 1, 0), new Setting("temperature 0.7", 0.7f, vocab, 1, 0),
                    new Setting("top_k 50", 0.7f, 50, 1, 0), new Setting("top_p 0.9", 0.7f, vocab, 0.9f, 0),
                    new Setting("top_k 50 top_p 0.95 min_p 0.05", 0.7f, 50, 0.95f, 0.05f))) {
                float[] temps = new float[rows];
                int[] topKs = new int[rows];
                float[] topPs = new float[rows];
                float[] minPs = new float[rows];
                Arrays.fill(temps, s.temperature());
                Arrays.fill(topKs, s.topK());
                Arrays.fill(topPs, s.topP());
                Arrays.fill(minPs, s.minP());
                SamplingBatch batch = new SamplingBatch(all, temps, topKs, topPs, minPs, uniforms);
                System.out.printf("  sample %-32s batch %d vocab %d: %.3f ms%n", s.name(), rows, vocab,
                        medianMillis(() -> gpu.sample(t, batch, LogitChanges.NONE)));
            }
            System.out.printf("  logprobs top 20                  batch %d vocab %d: %.3f ms%n", rows, vocab,
                    medianMillis(() -> gpu.logprobs(t, all, new int[rows], 20)));
            System.out.printf("  toHostRows (today's path)        batch %d vocab %d: %.3f ms%n", rows, vocab,
                    medianMillis(() -> gpu.toHostRows(t, rows)));
        } finally {
            gpu.free(t);
        }
    }

    static double medianMillis(Runnable work) {
        double[] ms = new double[15];
        for (int i = -3; i < ms.length; i++) {
            long t0 = System.nanoTime();
            work.run();
            if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
