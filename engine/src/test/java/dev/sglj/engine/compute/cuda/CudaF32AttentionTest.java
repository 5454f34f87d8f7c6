package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.GpuData.F32_TOLERANCE;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.compute.cuda.CudaAttentionTest.Case;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The F32 attention kernels (the F32 instances of {@code attention.cu}) against the CPU backend on identical
 * full-precision q and caches, KV slots scattered through the request-to-token table, on
 * {@link CudaAttentionTest}'s cases: extend (every head dim on the CUDA-core kernel, the tensor-core
 * dims 64 and 128 included), split-K decode for head dims on and off multiples of 8, and decode planned
 * for a CUDA graph's whole context. Bound: {@value GpuData#F32_TOLERANCE} relative.
 */
@Tag("gpu")
class CudaF32AttentionTest {
    static CudaBackend gpu;
    static CpuBackend cpu;

    @BeforeAll
    static void start() {
        gpu = new CudaBackend(DType.F32);
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        gpu.close();
        cpu.close();
    }

    private static void compare(Case c, String what) {
        CudaAttentionTest.compare(gpu, cpu, c, "f32 " + what, DType.F32, F32_TOLERANCE);
    }

    @ParameterizedTest(name = "extend dim {0} heads {1}/{2}")
    @CsvSource({"16, 4, 2", "32, 4, 4", "64, 8, 2", "128, 32, 8", "256, 8, 4", "100, 8, 4", "6, 2, 1"})
    void extendWithCachedPrefixes(int dim, int heads, int kvHeads) {
        compare(new Case(new int[] {0, 37, 5, 0, 300}, new int[] {17, 1, 64, 100, 33}, heads, kvHeads, dim), "extend");
    }

    @ParameterizedTest(name = "ragged extend dim {0} heads {1}/{2}")
    @CsvSource({"128, 32, 8", "128, 12, 4", "64, 16, 2", "64, 8, 8"})
    void raggedExtendWithPrefixesAndAnIdleRequest(int dim, int heads, int kvHeads) {
        compare(new Case(new int[] {0, 37, 5, 0, 300, 129, 64, 11}, new int[] {17, 1, 64, 383, 33, 255, 130, 0},
                heads, kvHeads, dim), "ragged extend");
    }

    @ParameterizedTest(name = "decode dim {0} heads {1}/{2}")
    @CsvSource({"16, 4, 2", "64, 8, 1", "128, 32, 8", "128, 32, 4", "128, 12, 4", "256, 16, 4", "12, 4, 2",
            "100, 8, 4", "2, 2, 1"})
    void decodeSplitsLongContexts(int dim, int heads, int kvHeads) {
        compare(new Case(new int[] {0, 15, 200, 3000, 64, 1023}, new int[] {1, 1, 1, 1, 1, 1}, heads, kvHeads, dim),
                "decode");
        compare(new Case(new int[] {4095}, new int[] {1}, heads, kvHeads, dim), "decode batch 1");
    }

    @Test
    void decodeBalancesLongRequestsOfABatchTooLargeToSplitForParallelism() {
        compare(CudaAttentionTest.mixedLengthDecode(40, 5000, 0), "decode of mixed lengths up to 5000, balance splits");
        compare(CudaAttentionTest.mixedLengthDecode(40, 5000, 131072), "decode of mixed lengths planned for 131072");
    }

    @ParameterizedTest(name = "decode dim {0} heads {1}/{2}, planned for a 131072 context")
    @CsvSource({"128, 32, 8", "64, 8, 1", "12, 4, 2"})
    void decodePlannedForTheWholeContextSkipsEmptySplits(int dim, int heads, int kvHeads) {
        compare(new Case(new int[] {0, 63, 64, 700, 3000}, new int[] {1, 1, 1, 1, 1}, heads, kvHeads, dim, 131072),
                "decode planned for 131072");
        compare(new Case(new int[] {511}, new int[] {1}, heads, kvHeads, dim, 131072), "decode batch 1 planned for 131072");
    }
}
