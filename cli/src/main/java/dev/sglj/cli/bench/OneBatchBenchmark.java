package dev.sglj.cli.bench;

import dev.sglj.engine.kv.ReqToTokenPool;
import dev.sglj.engine.kv.SlotAllocator;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import dev.sglj.engine.runner.ModelRunner;
import dev.sglj.engine.runner.StepLogits;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;
import dev.sglj.engine.sampling.SamplingParams;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Runs one static batch on a {@link ModelRunner} the way SGLang's {@code latency_test_run_once}
 * does: EXTEND forwards over the prompts (all of them in one, unless they hold more than the prefill token
 * budget: then as many whole prompts a forward as the budget takes), then {@code outputLen - 1} DECODE forwards, greedy
 * (argmax where the logits are: on the GPU for the CUDA backend). Each step's time covers building the
 * batch (KV slot allocation included), the forward and the argmax. Every request-table row and KV slot taken is given back,
 * also when a step fails.
 */
public final class OneBatchBenchmark {
    /** SGLang draws synthetic prompt ids from {@code [0, 10000)}. */
    static final int SYNTHETIC_ID_BOUND = 10_000;
    private static final SamplingParams GREEDY = SamplingParams.builder().temperature(0.0).build();

    private final ModelRunner runner;
    private final PrintWriter out;
    private final int logDecodeStep;
    private final int maxPrefillTokens;

    /**
     * @param logDecodeStep    besides the first five, print every {@code logDecodeStep}-th decode step
     *                         (0: only the first five), as SGLang's {@code --log-decode-step}
     * @param maxPrefillTokens prompt tokens one EXTEND forward may take (at least one whole prompt); a large
     *                         batch's prefill would otherwise need activations for every prompt token at once
     */
    public OneBatchBenchmark(ModelRunner runner, PrintWriter out, int logDecodeStep, int maxPrefillTokens) {
        if (maxPrefillTokens < 1) throw new IllegalArgumentException("maxPrefillTokens must be positive");
        this.runner = runner;
        this.out = out;
        this.logDecodeStep = logDecodeStep;
        this.maxPrefillTokens = maxPrefillTokens;
    }

    /** {@code batchSize} prompts of {@code inputLen} ids drawn from a generator seeded with {@code seed}. */
    public int[][] syntheticPrompts(int batchSize, int inputLen, long seed) {
        int bound = Math.min(SYNTHETIC_ID_BOUND, runner.config().vocabSize());
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] prompts = new int[batchSize][inputLen];
        for (int[] p : prompts) {
            for (int i = 0; i < inputLen; i++) p[i] = rnd.nextInt(bound);
        }
        return prompts;
    }

    /** The largest batch the KV pool holds at these lengths (SGLang's rule). */
    public int maxBatchSize(int inputLen, int outputLen) {
        return Math.min(runner.reqToToken().maxRequests(), runner.slots().size() / (inputLen + outputLen));
    }

    public OneBatchResult run(String runName, int[][] prompts, int outputLen) {
        if (prompts.length == 0 || outputLen < 1) {
            throw new IllegalArgumentException("need at least one prompt and outputLen >= 1");
        }
        int batchSize = prompts.length;
        int inputLen = prompts[0].length;
        int maxContext = runner.reqToToken().maxContext();
        if (inputLen + outputLen - 1 > maxContext) {
            throw new IllegalArgumentException("input length " + inputLen + " + output length " + outputLen
                    + " exceeds the runner's context length " + maxContext);
        }
        int[][] outputIds = new int[batchSize][outputLen];
        GreedyRows greedy = GreedyRows.of(batchSize);
        int perPrefill = Math.max(1, maxPrefillTokens / inputLen);
        GreedyRows prefillRows = GreedyRows.of(Math.min(perPrefill, batchSize));
        try (LiveBatch live = new LiveBatch(runner, batchSize)) {
            long t0 = System.nanoTime();
            int[] next = new int[batchSize];
            for (int from = 0; from < batchSize; from += perPrefill) {
                int to = Math.min(batchSize, from + perPrefill);
                int[] picked = argmaxRows(live.extend(prompts, from, to), prefillRows.first(to - from));
                System.arraycopy(picked, 0, next, from, to - from);
            }
            double prefillLatency = (System.nanoTime() - t0) / 1e9;
            for (int r = 0; r < batchSize; r++) outputIds[r][0] = next[r];
            double prefillThroughput = (double) inputLen * batchSize / prefillLatency;
            printf("Prefill. latency: %6.5f s, throughput: %9.2f token/s", prefillLatency, prefillThroughput);

            double[] decodeLatencies = new double[outputLen - 1];
            for (int i = 0; i < outputLen - 1; i++) {
                long t = System.nanoTime();
                next = argmaxRows(live.decode(next), greedy);
                double latency = (System.nanoTime() - t) / 1e9;
                decodeLatencies[i] = latency;
                for (int r = 0; r < batchSize; r++) outputIds[r][i + 1] = next[r];
                if (i < 5 || (logDecodeStep > 0 && i % logDecodeStep == 0)) {
                    printf("Decode %d. Batch size: %d, latency: %6.5f s, throughput: %9.2f token/s",
                            i, batchSize, latency, batchSize / latency);
                }
            }
            Double medianLatency = null;
            Double medianThroughput = null;
            if (outputLen > 1) {
                medianLatency = median(decodeLatencies);
                medianThroughput = batchSize / medianLatency;
                printf("Decode.  median latency: %6.5f s, median throughput: %9.2f token/s",
                        medianLatency, medianThroughput);
            }
            double total = prefillLatency + Arrays.stream(decodeLatencies).sum();
            double overall = (double) (inputLen + outputLen) * batchSize / total;
            printf("Total. latency: %6.3f s, throughput: %9.2f token/s", total, overall);
            return new OneBatchResult(runName, batchSize, inputLen, outputLen, prefillLatency, prefillThroughput,
                    medianLatency, medianThroughput, total, overall, outputIds);
        }
    }

    /** Greedy tokens of the pass's logits, picked where they were computed (as SGLang's bench picks on the GPU). */
    private int[] argmaxRows(ForwardBatch batch, GreedyRows rows) {
        try (StepLogits logits = runner.run(batch)) {
            SampledToken[] picked = logits.sample(rows.indices(), rows.states());
            int[] ids = new int[picked.length];
            for (int r = 0; r < ids.length; r++) ids[r] = picked[r].tokenId();
            return ids;
        }
    }

    /** Logit rows 0..n-1 with a greedy sampling state each, made once per run. */
    private record GreedyRows(int[] indices, RequestSampler[] states) {
        static GreedyRows of(int n) {
            int[] indices = new int[n];
            RequestSampler[] states = new RequestSampler[n];
            for (int r = 0; r < n; r++) {
                indices[r] = r;
                states[r] = new RequestSampler(GREEDY, new int[0], new int[0], 0L);
            }
            return new GreedyRows(indices, states);
        }

        /** The first {@code n} rows. */
        GreedyRows first(int n) {
            return n == indices.length ? this
                    : new GreedyRows(Arrays.copyOf(indices, n), Arrays.copyOf(states, n));
        }
    }

    /** numpy's median: the middle value, or the mean of the two middle values. */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private void printf(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    /** The batch's request-table rows and KV slots; closing returns them all. */
    private static final class LiveBatch implements AutoCloseable {
        private final SlotAllocator slots;
        private final ReqToTokenPool table;
        private final int[] rows;
        private final int[] seqLens;
        private int rowsTaken;

        LiveBatch(ModelRunner runner, int batchSize) {
            this.slots = runner.slots();
            this.table = runner.reqToToken();
            this.rows = new int[batchSize];
            this.seqLens = new int[batchSize];
            for (; rowsTaken < batchSize; rowsTaken++) {
                int row = table.allocRow();
                if (row < 0) {
                    close();
                    throw new IllegalStateException("request table has no free row for request " + rowsTaken
                            + " of a batch of " + batchSize + " (max running requests " + table.maxRequests() + ")");
                }
                rows[rowsTaken] = row;
            }
        }

        /** One EXTEND pass over prompts {@code from..to-1} (all of one length), writing their K/V. */
        ForwardBatch extend(int[][] prompts, int from, int to) {
            int n = to - from;
            int inputLen = prompts[0].length;
            int total = n * inputLen;
            int[] ids = new int[total];
            int[] positions = new int[total];
            int[] outCacheLoc = new int[total];
            int[] prefix = new int[n];
            int[] extend = new int[n];
            for (int i = 0; i < n; i++) {
                int r = from + i;
                if (prompts[r].length != inputLen) {
                    throw new IllegalArgumentException("prompt " + r + " has " + prompts[r].length
                            + " tokens, prompt 0 has " + inputLen);
                }
                int[] s = take(inputLen);
                table.write(rows[r], 0, s);
                System.arraycopy(prompts[r], 0, ids, i * inputLen, inputLen);
                System.arraycopy(s, 0, outCacheLoc, i * inputLen, inputLen);
                for (int j = 0; j < inputLen; j++) positions[i * inputLen + j] = j;
                seqLens[r] = inputLen;
                extend[i] = inputLen;
            }
            int[] batchRows = Arrays.copyOfRange(rows, from, to);
            int[] batchLens = Arrays.copyOfRange(seqLens, from, to);
            return new ForwardBatch(ForwardMode.EXTEND, ids, positions, batchRows, batchLens.clone(),
                    prefix, extend, outCacheLoc, ForwardBatch.lastRows(extend), batchLens);
        }

        ForwardBatch decode(int[] lastTokens) {
            int n = rows.length;
            int[] s = take(n);
            int[] positions = new int[n];
            int[] prefix = new int[n];
            int[] extend = new int[n];
            int[] logitRows = new int[n];
            for (int r = 0; r < n; r++) {
                positions[r] = seqLens[r];
                prefix[r] = seqLens[r];
                seqLens[r]++;
                extend[r] = 1;
                logitRows[r] = r;
            }
            table.writeEach(rows, positions, s);
            return new ForwardBatch(ForwardMode.DECODE, lastTokens.clone(), positions, rows.clone(),
                    seqLens.clone(), prefix, extend, s, logitRows, seqLens.clone());
        }

        private int[] take(int n) {
            int[] s = slots.alloc(n);
            if (s == null) {
                throw new IllegalStateException("KV pool has " + slots.available() + " free slots, "
                        + n + " needed (raise --max-total-tokens)");
            }
            return s;
        }

        @Override
        public void close() {
            for (int r = 0; r < rowsTaken; r++) {
                if (seqLens[r] > 0) slots.free(table.read(rows[r], 0, seqLens[r]));
                table.freeRow(rows[r]);
            }
        }
    }
}
