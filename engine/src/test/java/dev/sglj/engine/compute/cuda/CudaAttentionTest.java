package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.GpuData.BF16_TOLERANCE;
import static dev.sglj.engine.compute.cuda.GpuData.assertClose;
import static dev.sglj.engine.compute.cuda.GpuData.bf16Uniform;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.AttentionBatch;
import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.cpu.CpuBackend;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CUDA attention against the CPU backend's F32 attention on identical BF16-exact q and caches,
 * KV slots scattered through the request-to-token table. Bound: 1e-2 relative (BF16 output).
 */
@Tag("gpu")
class CudaAttentionTest extends OnGpuAndCpu {
    /**
     * A ragged batch: per request, cached prefix and new tokens. A positive {@code plannedContext} plans
     * the GPU launch for that many keys per request, as a CUDA graph captured for the whole context does,
     * while the device-side lengths stay the real ones.
     */
    record Case(int[] prefix, int[] extend, int heads, int kvHeads, int dim, int plannedContext) {
        Case(int[] prefix, int[] extend, int heads, int kvHeads, int dim) {
            this(prefix, extend, heads, kvHeads, dim, 0);
        }

        int requests() {
            return prefix.length;
        }
    }

    @ParameterizedTest(name = "extend dim {0} heads {1}/{2}")
    @CsvSource({"16, 4, 2", "32, 4, 4", "64, 8, 2", "128, 32, 8", "256, 8, 4"})
    void extendWithCachedPrefixes(int dim, int heads, int kvHeads) {
        compare(new Case(new int[] {0, 37, 5, 0, 300}, new int[] {17, 1, 64, 100, 33}, heads, kvHeads, dim), "extend");
    }

    /**
     * The tensor-core kernels (head dims 128 and 64; 128-row query tiles, 64-key K/V tiles): ragged new
     * lengths off the tile sizes, up to three query tiles, cached prefixes off the key tile, one decode
     * row and one request with no new token in the batch, grouped-query ratios 1, 3, 4 and 8.
     */
    @ParameterizedTest(name = "tensor-core extend dim {0} heads {1}/{2}")
    @CsvSource({"128, 32, 8", "128, 12, 4", "128, 8, 8", "64, 16, 2", "64, 8, 8"})
    void tensorCoreExtendRaggedWithPrefixes(int dim, int heads, int kvHeads) {
        assertThat(AttentionKernels.tensorCoreTile(dim)).isPresent();
        compare(new Case(new int[] {0, 37, 5, 0, 300, 129, 64, 11}, new int[] {17, 1, 64, 383, 33, 255, 130, 0},
                heads, kvHeads, dim), "tensor-core extend");
    }

    @ParameterizedTest(name = "decode dim {0} heads {1}/{2}")
    @CsvSource({"16, 4, 2", "64, 8, 1", "128, 32, 8", "128, 32, 4", "128, 12, 4", "256, 16, 4"})
    void decodeSplitsLongContexts(int dim, int heads, int kvHeads) {
        compare(new Case(new int[] {0, 15, 200, 3000, 64, 1023}, new int[] {1, 1, 1, 1, 1, 1}, heads, kvHeads, dim),
                "decode");
        compare(new Case(new int[] {4095}, new int[] {1}, heads, kvHeads, dim), "decode batch 1");
    }

    @Test
    void decodeBalancesLongRequestsOfABatchTooLargeToSplitForParallelism() {
        assertThat(AttentionKernels.decodePlan(new AttentionKernels.Shape(32, 8, 128, 1f), 40, 5000, 132).spread())
                .isEqualTo(1);
        compare(mixedLengthDecode(40, 5000, 0), "decode of mixed lengths up to 5000, balance splits");
        compare(mixedLengthDecode(40, 5000, 131072), "decode of mixed lengths planned for 131072");
    }

    /**
     * A decode batch of {@code requests} Llama-3.1-8B-shaped requests with contexts spread over [1, maxLen):
     * too many blocks to split for parallelism, so only the balance rule splits the long ones.
     */
    static Case mixedLengthDecode(int requests, int maxLen, int plannedContext) {
        int[] prefix = new int[requests];
        int[] extend = new int[requests];
        for (int r = 0; r < requests; r++) {
            prefix[r] = (r * 977) % maxLen;
            extend[r] = 1;
        }
        return new Case(prefix, extend, 32, 8, 128, plannedContext);
    }

    @ParameterizedTest(name = "decode dim {0} heads {1}/{2}, not a multiple of 8")
    @CsvSource({"12, 4, 2", "100, 8, 4", "2, 2, 1"})
    void decodeWithHeadDimsOutsideTheRowKernel(int dim, int heads, int kvHeads) {
        compare(new Case(new int[] {0, 15, 200, 1500, 64}, new int[] {1, 1, 1, 1, 1}, heads, kvHeads, dim), "decode");
    }

    @ParameterizedTest(name = "decode dim {0} heads {1}/{2}, planned for a 131072 context")
    @CsvSource({"128, 32, 8", "64, 8, 1", "12, 4, 2"})
    void decodePlannedForTheWholeContextSkipsEmptySplits(int dim, int heads, int kvHeads) {
        compare(new Case(new int[] {0, 63, 64, 700, 3000}, new int[] {1, 1, 1, 1, 1}, heads, kvHeads, dim, 131072),
                "decode planned for 131072");
        compare(new Case(new int[] {511}, new int[] {1}, heads, kvHeads, dim, 131072), "decode batch 1 planned for 131072");
    }

    private void compare(Case c, String what) {
        compare(gpu, cpu, c, what, DType.BF16, BF16_TOLERANCE);
    }

    /**
     * The case on {@code gpu} with q and caches of {@code dtype} (BF16-exact values for BF16, full-precision
     * ones for F32) against {@code cpu} on the same values, within {@code tolerance}.
     */
    static void compare(CudaBackend gpu, CpuBackend cpu, Case c, String what, DType dtype, double tolerance) {
        Random random = new Random(c.dim() * 31L + c.heads());
        int requests = c.requests();
        int[] seqLens = new int[requests];
        int[] starts = new int[requests];
        int tokens = 0;
        int maxSeq = 0;
        for (int r = 0; r < requests; r++) {
            seqLens[r] = c.prefix()[r] + c.extend()[r];
            starts[r] = tokens;
            tokens += c.extend()[r];
            maxSeq = Math.max(maxSeq, seqLens[r]);
        }
        int totalSlots = 0;
        for (int len : seqLens) totalSlots += len;
        int slots = totalSlots + 7;
        int[] perm = GpuData.permutation(random, slots);
        int stride = c.plannedContext() > 0 ? c.plannedContext() : maxSeq + 3;
        int tableRows = requests + 2;
        int[] table = new int[tableRows * stride];
        int[] pool = new int[requests];
        int next = 0;
        for (int r = 0; r < requests; r++) {
            pool[r] = (r * 5 + 1) % tableRows;
            for (int j = 0; j < seqLens[r]; j++) table[pool[r] * stride + j] = perm[next++];
        }
        int width = c.kvHeads() * c.dim();
        float[] q = values(random, dtype, tokens * c.heads() * c.dim(), 2f);
        float[] k = values(random, dtype, slots * width, 2f);
        float[] v = values(random, dtype, slots * width, 1f);
        float scale = (float) (1 / Math.sqrt(c.dim()));
        float[] expected = run(cpu, cpu.floats(q, tokens, (long) c.heads() * c.dim()), cpu.floats(k, slots, width),
                cpu.floats(v, slots, width), c, table, stride, pool, seqLens, seqLens, starts, tokens, scale,
                DType.F32);
        int[] plannedSeqLens = seqLens.clone();
        if (c.plannedContext() > 0) Arrays.fill(plannedSeqLens, c.plannedContext());
        float[] actual = run(gpu, gpu.upload(q, dtype, tokens, (long) c.heads() * c.dim()),
                gpu.upload(k, dtype, slots, width), gpu.upload(v, dtype, slots, width), c, table, stride,
                pool, seqLens, plannedSeqLens, starts, tokens, scale, dtype);
        assertClose(what + " dim " + c.dim() + " heads " + c.heads() + "/" + c.kvHeads(), actual, expected,
                tolerance);
    }

    private static float[] values(Random random, DType dtype, int n, float range) {
        return dtype == DType.BF16 ? bf16Uniform(random, n, range) : GpuData.f32Uniform(random, n, range);
    }

    /** {@code hostSeqLens} are the lengths the launch is planned for; the kernels read {@code seqLens}. */
    static float[] run(Backend b, Tensor q, Tensor k, Tensor v, Case c, int[] table, int stride, int[] pool,
                       int[] seqLens, int[] hostSeqLens, int[] starts, int tokens, float scale, DType outType) {
        AttentionBatch batch = new AttentionBatch(c.requests(), b.ints(table), stride, b.ints(pool), b.ints(seqLens),
                b.ints(c.extend()), b.ints(starts), hostSeqLens, c.extend(), starts);
        Tensor out = b.allocate(outType, tokens, (long) c.heads() * c.dim());
        b.attention(q, k, v, batch, out, c.heads(), c.kvHeads(), c.dim(), scale);
        return b.toHost(out);
    }
}
