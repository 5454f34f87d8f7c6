package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.GpuData.BF16_TOLERANCE;
import static dev.sglj.engine.compute.cuda.GpuData.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.cuda.GemmPlans.Plan;
import dev.sglj.engine.compute.cuda.GemmPlans.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GEMM tuning ({@link GemmTuner}) on the Llama-3.1-8B shapes: a tuned linear gives cublasGemmEx's output within
 * {@link GpuData#BF16_TOLERANCE} and keeps its plan, a captured graph replays the eager output bit for bit, and
 * a second backend on the same cache directory runs the saved plans without tuning. Each backend here has a
 * fresh cache directory holding only the kernels {@link OnGpu}'s backend compiled, so no plan comes from
 * elsewhere.
 */
@Tag("gpu")
class CudaGemmTuningTest extends OnGpu {
    /** {outCols, k, output dtype}: q/k/v, o, gate/up, down, lm_head. */
    static final List<Object[]> SHAPES = List.of(new Object[] {6144, 4096, DType.BF16},
            new Object[] {4096, 4096, DType.BF16}, new Object[] {28672, 4096, DType.BF16},
            new Object[] {4096, 14336, DType.BF16}, new Object[] {128256, 4096, DType.F32});

    @TempDir
    static Path temp;
    static CudaBackend tuned;

    @BeforeAll
    static void openTunedBackend() throws IOException {
        tuned = new CudaBackend(0, cacheWithKernels(temp.resolve("tuned")));
    }

    @AfterAll
    static void closeTunedBackend() {
        tuned.close();
    }

    /** A new cache directory holding the NVRTC kernels of the default one, so a backend opens without compiling. */
    static Path cacheWithKernels(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path kernels = KernelCompiler.defaultCacheDir();
        if (Files.isDirectory(kernels)) {
            try (Stream<Path> files = Files.list(kernels)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".cubin")).toList()) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        return dir;
    }

    static Stream<Arguments> cases() {
        return Stream.of(8, 64, 152, 256)
                .flatMap(m -> SHAPES.stream().map(s -> Arguments.of(m, s[0], s[1], s[2])));
    }

    private static Tensor input(CudaBackend b, int rows, int k, long seed) {
        return b.dummyWeight("x", DType.BF16, new long[] {rows, k}, seed, 1f, 0f);
    }

    private static Tensor weight(CudaBackend b, int outCols, int k, long seed) {
        return b.dummyWeight("w", DType.BF16, new long[] {outCols, k}, seed + 1, 0.05f, 0f);
    }

    @ParameterizedTest(name = "{0} rows of {2} to {1}, {3} out")
    @MethodSource("cases")
    void tunedLinearMatchesGemmExAndKeepsItsPlan(int rows, int outCols, int k, DType out) {
        GemmTuner gemms = tuned.gemms();
        Shape shape = new Shape(rows, outCols, k, out);
        Tensor x = input(tuned, rows, k, rows);
        Tensor w = weight(tuned, outCols, k, outCols);
        Tensor reference = tuned.allocate(out, rows, outCols);
        Tensor got = tuned.allocate(out, rows, outCols);
        assertThat(gemms.plan(shape)).as("plan before tuning").isNull();
        tuned.linear(x, w, null, reference);
        int before = gemms.tunedShapes();

        tuned.tuningGemms(() -> tuned.linear(x, w, null, got));
        Plan plan = gemms.plan(shape);
        assertThat(plan).as("plan after tuning").isNotNull();
        assertThat(gemms.tunedShapes()).isEqualTo(before + 1);
        float[] first = tuned.toHost(got);
        assertClose("tuned " + shape + " (" + plan.getClass().getSimpleName() + ") vs cublasGemmEx", first,
                tuned.toHost(reference), BF16_TOLERANCE);

        tuned.tuningGemms(() -> tuned.linear(x, w, null, got));
        tuned.linear(x, w, null, got);
        assertThat(gemms.tunedShapes()).as("shapes tuned after reusing the plan").isEqualTo(before + 1);
        assertThat(gemms.plan(shape)).isEqualTo(plan);
        GpuData.assertSameBits("output of the kept plan", tuned.toHost(got), first);
        for (Tensor t : List.of(x, w, reference, got)) tuned.free(t);
    }

    @Test
    void capturedTunedLinearReplaysTheEagerOutput() {
        for (Object[] s : List.of(SHAPES.get(3), SHAPES.get(4))) {
            int rows = 128;
            int outCols = (int) s[0];
            int k = (int) s[1];
            DType out = (DType) s[2];
            Tensor x = input(tuned, rows, k, 7);
            Tensor w = weight(tuned, outCols, k, 7);
            Tensor eager = tuned.allocate(out, rows, outCols);
            Tensor replayed = tuned.allocate(out, rows, outCols);
            tuned.tuningGemms(() -> tuned.linear(x, w, null, eager));
            Shape shape = new Shape(rows, outCols, k, out);
            Plan plan = tuned.gemms().plan(shape);
            int tunedBefore = tuned.gemms().tunedShapes();
            assertThatThrownBy(() -> tuned.tuningGemms(() -> tuned.capture(() -> {})))
                    .isInstanceOf(IllegalStateException.class);

            try (CudaGraph graph = tuned.capture(() -> tuned.linear(x, w, null, replayed))) {
                graph.replay();
                GpuData.assertSameBits("graph replay of " + shape + " (" + plan + ")", tuned.toHost(replayed),
                        tuned.toHost(eager));
            }
            assertThat(tuned.gemms().tunedShapes()).isEqualTo(tunedBefore);
            assertThat(tuned.gemms().plan(shape)).isEqualTo(plan);
            for (Tensor t : List.of(x, w, eager, replayed)) tuned.free(t);
        }
    }

    @Test
    void aSecondBackendOnTheSameCacheRunsTheSavedPlansWithoutTuning() throws IOException {
        Path dir = cacheWithKernels(temp.resolve("restart"));
        List<Shape> shapes = List.of(new Shape(64, 4096, 4096, DType.BF16), new Shape(152, 4096, 14336, DType.BF16),
                new Shape(128, 28672, 4096, DType.BF16), new Shape(128, 128256, 4096, DType.F32));
        Map<Shape, Plan> plans = new LinkedHashMap<>();
        Map<Shape, float[]> outputs = new LinkedHashMap<>();
        String name;
        try (CudaBackend first = new CudaBackend(0, dir)) {
            name = first.deviceInfo().name();
            for (Shape s : shapes) {
                outputs.put(s, run(first, s));
                plans.put(s, first.gemms().plan(s));
            }
            assertThat(first.gemms().tunedShapes()).isEqualTo(shapes.size());
        }
        assertThat(GemmPlans.file(dir, name, CublasLt.version())).isRegularFile();
        try (CudaBackend second = new CudaBackend(0, dir)) {
            for (Shape s : shapes) {
                assertThat(second.gemms().plan(s)).as("plan of " + s + " after a restart").isEqualTo(plans.get(s));
                GpuData.assertSameBits("output of " + s + " after a restart", run(second, s), outputs.get(s));
            }
            assertThat(second.gemms().tunedShapes()).as("shapes tuned after a restart").isZero();
        }
        System.out.println("  plans: " + plans);
    }

    /** Runs shape {@code s} on seeded inputs inside a tuning scope and returns its output. */
    private static float[] run(CudaBackend b, Shape s) {
        Tensor x = input(b, s.rows(), s.k(), 3);
        Tensor w = weight(b, s.outCols(), s.k(), 3);
        Tensor out = b.allocate(s.out(), s.rows(), s.outCols());
        b.tuningGemms(() -> b.linear(x, w, null, out));
        float[] host = b.toHost(out);
        for (Tensor t : List.of(x, w, out)) b.free(t);
        return host;
    }
}
