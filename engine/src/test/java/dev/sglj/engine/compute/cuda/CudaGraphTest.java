package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.model.RopeScaling;
import dev.sglj.engine.runner.ModelRunner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decode through CUDA graphs against eager decode on the fixture models. Teacher-forced: both
 * runners prefill the same prompts eagerly, then decode the same tokens at batch sizes 1, 3, 8, 12
 * (graphs of 1, 4, 8, 12: 3 is padded to 4) and 17 (above the largest graph of 16: eager), and every
 * step's logits must agree within {@value #LOGIT_TOLERANCE} with equal greedy tokens wherever eager's
 * top-1/top-2 margin is at least {@value #MARGIN}. Graph and eager differ only in BF16 rounding
 * (the graph's attention splits are fixed for the longest context; padded sizes pick other GEMM
 * kernels). Then the fixtures' batched generation through the scheduler with graphs must give
 * transformers' tokens, as {@link CudaParityTest} asks of eager decode.
 */
@Tag("gpu")
class CudaGraphTest extends OnGpu {
    static final float LOGIT_TOLERANCE = 0.15f;
    static final float MARGIN = 0.15f;
    static final List<Integer> GRAPH_SIZES = List.of(1, 2, 4, 8, 12, 16);
    static final int CONTEXT = 256;

    static Stream<ModelFixture> fixtures() {
        return ModelFixtures.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void graphDecodeMatchesEager(ModelFixture fixture) {
        List<String> failures = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
             ModelRunner eager = new ModelRunner(model.config(), model.weights(), gpu, 4096, 20, CONTEXT);
             ModelRunner graphs = new ModelRunner(model.config(), model.weights(), gpu, 4096, 20, CONTEXT,
                     GRAPH_SIZES)) {
            assertThat(graphs.cudaGraphMaxBatchSize()).isEqualTo(16);
            for (int bs : new int[] {1, 3, 8, 12, 17}) {
                float worst = decodeBoth(model.config(), eager, graphs, bs, 6, failures);
                System.out.printf("  %-16s bs %2d: max |dlogit| graph vs eager %.4f%n", fixture.name(), bs, worst);
            }
            assertThat(graphs.slots().available()).isEqualTo(graphs.slots().size());
        }
        assertThat(failures).as(fixture.name()).isEmpty();
    }

    /**
     * Decode steps queued back to back without a read (the host runs ahead of the stream, as the overlap
     * schedule and benchmarks let it), each with new input ids, positions, slots and table entries: the last
     * step's logits must match eager decode of the same tokens, which they cannot if a step's staged inputs
     * were overwritten before the stream copied them. Teacher-forced by eager's greedy tokens.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void graphStepsQueuedWithoutWaitingReadTheirOwnInputs(ModelFixture fixture) {
        int bs = 3;
        int steps = 8;
        try (LoadedModel model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
             ModelRunner eager = new ModelRunner(model.config(), model.weights(), gpu, 4096, 20, CONTEXT);
             ModelRunner graphs = new ModelRunner(model.config(), model.weights(), gpu, 4096, 20, CONTEXT,
                     GRAPH_SIZES)) {
            int vocab = model.config().vocabSize();
            SplittableRandom random = new SplittableRandom(7);
            int[] rowsE = new int[bs];
            int[] rowsG = new int[bs];
            int[] seqLens = new int[bs];
            int[][] ids = new int[steps + 1][bs];
            List<int[]> slotsE = new ArrayList<>();
            List<int[]> slotsG = new ArrayList<>();
            for (int r = 0; r < bs; r++) {
                int[] prompt = random.ints(3 + r, 0, vocab).toArray();
                rowsE[r] = eager.reqToToken().allocRow();
                rowsG[r] = graphs.reqToToken().allocRow();
                ids[0][r] = argmax(prefill(eager, rowsE[r], prompt, slotsE), 0, vocab);
                prefill(graphs, rowsG[r], prompt, slotsG);
                seqLens[r] = prompt.length;
            }
            int[] startLens = seqLens.clone();
            float[] lastEager = null;
            for (int step = 0; step < steps; step++) {
                lastEager = decode(eager, rowsE, seqLens, ids[step], slotsE);
                for (int r = 0; r < bs; r++) {
                    ids[step + 1][r] = argmax(lastEager, r * vocab, vocab);
                    seqLens[r]++;
                }
            }
            seqLens = startLens;
            float[] lastGraph = null;
            for (int step = 0; step < steps; step++) {
                int[] slots = graphs.slots().alloc(bs);
                slotsG.add(slots);
                graphs.reqToToken().writeEach(rowsG, seqLens, slots);
                ForwardBatch batch = decodeBatch(rowsG, seqLens, ids[step], slots);
                if (step < steps - 1) {
                    graphs.run(batch).close();
                } else {
                    lastGraph = graphs.forward(batch);
                }
                assertThat(graphs.lastForwardUsedCudaGraph()).as("step " + step + " replayed a graph").isTrue();
                seqLens = Arrays.stream(seqLens).map(n -> n + 1).toArray();
            }
            float worst = 0;
            for (int i = 0; i < lastEager.length; i++) worst = Math.max(worst, Math.abs(lastEager[i] - lastGraph[i]));
            System.out.printf("  %-16s %d queued graph steps: max |dlogit| of the last vs eager %.4f%n", fixture.name(),
                    steps, worst);
            assertThat(worst).as(fixture.name()).isLessThanOrEqualTo(LOGIT_TOLERANCE);
            for (int r = 0; r < bs; r++) {
                if (margin(lastEager, r * vocab, vocab) >= MARGIN) {
                    assertThat(argmax(lastGraph, r * vocab, vocab)).as(fixture.name() + " request " + r)
                            .isEqualTo(ids[steps][r]);
                }
            }
            release(eager, rowsE, slotsE);
            release(graphs, rowsG, slotsG);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void batchedGenerationWithGraphsMatchesTransformers(ModelFixture fixture) {
        List<String> failures = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), gpu, 1024, 8, CONTEXT,
                     GRAPH_SIZES)) {
            List<GenerateRequest> all = fixture.cases().stream()
                    .map(c -> new GenerateRequest(c.prompt(), CudaParityTest.greedy(c.maxNewTokens()))).toList();
            List<GenerateResult> batched = CudaParityTest.generate(runner, -1, all);
            StringBuilder report = new StringBuilder("  " + fixture.name() + " batched with graphs, tokens equal:");
            for (int i = 0; i < batched.size(); i++) {
                ModelFixture.Case c = fixture.cases().get(i);
                int[] got = batched.get(i).outputIds();
                int same = 0;
                while (same < got.length && same < c.output().length && got[same] == c.output()[same]) same++;
                report.append(" ").append(same).append("/").append(c.output().length);
                if (same != c.output().length && c.minMargin() >= CudaParityTest.TOKEN_MARGIN) {
                    failures.add("batched case " + i + " tokens differ from step " + same);
                }
            }
            System.out.println(report);
        }
        assertThat(failures).as(fixture.name()).isEmpty();
    }

    /** Prefills {@code bs} prompts in both runners, then decodes {@code steps} teacher-forced steps; returns the worst logit gap. */
    private static float decodeBoth(ModelConfig config, ModelRunner eager, ModelRunner graphs, int bs, int steps,
                                    List<String> failures) {
        return decodeBoth(config, eager, graphs, bs, steps, failures, LOGIT_TOLERANCE, MARGIN);
    }

    /**
     * {@link #decodeBoth} with its bounds: logits within {@code logitTolerance}, tokens equal where eager's
     * top-1/top-2 margin is at least {@code tokenMargin}.
     */
    static float decodeBoth(ModelConfig config, ModelRunner eager, ModelRunner graphs, int bs, int steps,
                            List<String> failures, float logitTolerance, float tokenMargin) {
        SplittableRandom random = new SplittableRandom(bs);
        int vocab = config.vocabSize();
        int[] rowsE = new int[bs];
        int[] rowsG = new int[bs];
        int[] seqLens = new int[bs];
        int[] next = new int[bs];
        List<int[]> slotsE = new ArrayList<>();
        List<int[]> slotsG = new ArrayList<>();
        for (int r = 0; r < bs; r++) {
            int[] prompt = random.ints(2 + r % 7, 0, vocab).toArray();
            rowsE[r] = eager.reqToToken().allocRow();
            rowsG[r] = graphs.reqToToken().allocRow();
            float[] logits = prefill(eager, rowsE[r], prompt, slotsE);
            prefill(graphs, rowsG[r], prompt, slotsG);
            seqLens[r] = prompt.length;
            next[r] = argmax(logits, 0, vocab);
        }
        float worst = 0;
        for (int step = 0; step < steps; step++) {
            int maxSeq = Arrays.stream(seqLens).max().orElse(0) + 1;
            boolean graphExpected = bs <= 16 && !(config.rope() instanceof RopeScaling.Dynamic
                    && maxSeq > config.maxPositionEmbeddings());
            float[] le = decode(eager, rowsE, seqLens, next, slotsE);
            float[] lg = decode(graphs, rowsG, seqLens, next, slotsG);
            if (graphs.lastForwardUsedCudaGraph() != graphExpected) {
                failures.add("bs " + bs + " step " + step + ": graph used " + graphs.lastForwardUsedCudaGraph()
                        + ", expected " + graphExpected);
            }
            if (eager.lastForwardUsedCudaGraph()) failures.add("the runner without graphs used one");
            for (int r = 0; r < bs; r++) {
                for (int i = 0; i < vocab; i++) worst = Math.max(worst, Math.abs(le[r * vocab + i] - lg[r * vocab + i]));
                int te = argmax(le, r * vocab, vocab);
                int tg = argmax(lg, r * vocab, vocab);
                if (te != tg && margin(le, r * vocab, vocab) >= tokenMargin) {
                    failures.add("bs " + bs + " step " + step + " request " + r + ": token " + tg + " != eager " + te);
                }
                next[r] = te;
                seqLens[r]++;
            }
        }
        if (worst > logitTolerance) failures.add("bs " + bs + ": logits differ by " + worst);
        release(eager, rowsE, slotsE);
        release(graphs, rowsG, slotsG);
        return worst;
    }

    private static float[] prefill(ModelRunner runner, int row, int[] prompt, List<int[]> owned) {
        int n = prompt.length;
        int[] slots = runner.slots().alloc(n);
        owned.add(slots);
        runner.reqToToken().write(row, 0, slots);
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = i;
        return runner.forward(new ForwardBatch(ForwardMode.EXTEND, prompt, positions, new int[] {row}, new int[] {n},
                new int[] {0}, new int[] {n}, slots, new int[] {n - 1}, new int[] {n}));
    }

    private static float[] decode(ModelRunner runner, int[] rows, int[] seqLens, int[] ids, List<int[]> owned) {
        int[] slots = runner.slots().alloc(rows.length);
        owned.add(slots);
        for (int r = 0; r < rows.length; r++) runner.reqToToken().write(rows[r], seqLens[r], new int[] {slots[r]});
        return runner.forward(decodeBatch(rows, seqLens, ids, slots));
    }

    /** One decode token per request: {@code ids[r]} at position {@code seqLens[r]} into {@code slots[r]}. */
    private static ForwardBatch decodeBatch(int[] rows, int[] seqLens, int[] ids, int[] slots) {
        int bs = rows.length;
        int[] after = new int[bs];
        int[] ones = new int[bs];
        int[] logitRows = new int[bs];
        for (int r = 0; r < bs; r++) {
            after[r] = seqLens[r] + 1;
            ones[r] = 1;
            logitRows[r] = r;
        }
        return new ForwardBatch(ForwardMode.DECODE, ids.clone(), seqLens.clone(), rows.clone(), after, seqLens.clone(),
                ones, slots, logitRows, after.clone());
    }

    private static void release(ModelRunner runner, int[] rows, List<int[]> owned) {
        for (int[] s : owned) runner.slots().free(s);
        for (int row : rows) runner.reqToToken().freeRow(row);
    }

    private static int argmax(float[] x, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[from + i] > x[from + best]) best = i;
        return best;
    }

    private static float margin(float[] x, int from, int n) {
        int best = argmax(x, from, n);
        float second = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) if (i != best) second = Math.max(second, x[from + i]);
        return x[from + best] - second;
    }
}
