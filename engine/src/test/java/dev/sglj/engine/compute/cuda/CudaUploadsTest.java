package dev.sglj.engine.compute.cuda;

import static dev.sglj.engine.compute.cuda.GpuData.readInts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Host-to-device transfers staged in page-locked memory ({@link UploadStaging}): {@link PackedInts} vectors sent
 * in one copy, scatterInts' kernel reading its pairs there, uploads above a segment split into copies, and
 * staged bytes surviving until the stream has read them while the host runs megabytes ahead.
 */
@Tag("gpu")
class CudaUploadsTest extends OnGpu {

    @Test
    void packedIntsSendEveryVectorInOneCopyAndMirrorItOnTheHost() {
        Tensor vector;
        try (PackedInts packed = gpu.packedInts(new int[] {1, 2, 3}, new int[] {4, 5, 6})) {
            vector = packed.vector(0);
            assertThat(readInts(gpu, packed.vector(0))).containsExactly(1, 2, 3);
            assertThat(readInts(gpu, packed.vector(1))).containsExactly(4, 5, 6);
            packed.set(0, new int[] {7}, -1);
            packed.set(1, new int[] {8, 9, 10}, 0);
            assertThat(((CudaTensor) packed.vector(0)).hostInts).containsExactly(7, -1, -1);
            packed.upload();
            assertThat(readInts(gpu, packed.vector(0))).containsExactly(7, -1, -1);
            assertThat(readInts(gpu, packed.vector(1))).containsExactly(8, 9, 10);

            gpu.resolveFutureIds(packed.vector(1), 0, null);
            packed.set(1, new int[] {1, 1, 1}, 0);
            assertThat(((CudaTensor) packed.vector(1)).hostInts).as("unknown after resolveFutureIds").isNull();

            assertThatThrownBy(() -> packed.set(0, new int[4], 0)).hasMessageContaining("4 values for vectors of 3");
            assertThatThrownBy(() -> gpu.free(packed.vector(1))).hasMessageContaining("view");
        }
        assertThatThrownBy(() -> readInts(gpu, vector)).hasMessageContaining("freed");
        assertThatThrownBy(() -> gpu.packedInts(new int[2], new int[3])).hasMessageContaining("vectors of 3 and 2");
    }

    /**
     * GEMMs keep the stream busy for milliseconds while the host stages more than twice the ring's
     * {@value UploadStaging#SEGMENTS} x {@value UploadStaging#SEGMENT_BYTES} bytes (one transfer larger than a
     * segment): a segment the host came back to before the stream copied it would hand later values to earlier
     * tensors.
     */
    @Test
    void stagedBytesSurviveUntilTheStreamCopiedThem() {
        Tensor x = gpu.allocate(DType.BF16, 4096, 4096);
        Tensor y = gpu.allocate(DType.BF16, 4096, 4096);
        List<PackedInts> sent = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) gpu.linear(x, x, null, y);
            int[] lengths = new int[24];
            Arrays.fill(lengths, 50_000);
            lengths[3] = 200_000;
            for (int k = 0; k < lengths.length; k++) {
                sent.add(gpu.packedInts(pattern(k, lengths[k]), pattern(-k, lengths[k])));
            }
            for (int k = 0; k < lengths.length; k++) {
                assertThat(readInts(gpu, sent.get(k).vector(0))).as("transfer " + k).isEqualTo(pattern(k, lengths[k]));
                assertThat(readInts(gpu, sent.get(k).vector(1))).as("transfer -" + k)
                        .isEqualTo(pattern(-k, lengths[k]));
            }
        } finally {
            sent.forEach(PackedInts::close);
            gpu.free(x);
            gpu.free(y);
        }
    }

    /**
     * scatterInts' kernel reads its pairs from page-locked staging, a launch per segment's worth: 300,000 pairs
     * (three launches) reverse a tensor, and a tensor from ints keeps its host mirror.
     */
    @Test
    void scatterIntsReadsItsPairsFromStaging() {
        int n = 300_000;
        int[] offsets = new int[n];
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = n - 1 - i;
            values[i] = 7 * i;
        }
        Tensor dst = gpu.allocate(DType.I32, n);
        Tensor mirrored = gpu.ints(new int[5]);
        try {
            gpu.scatterInts(dst, offsets, values);
            gpu.scatterInts(mirrored, new int[] {3, 1}, new int[] {8, 9});
            int[] back = readInts(gpu, dst);
            for (int i = 0; i < n; i++) assertThat(back[n - 1 - i]).as("offset " + (n - 1 - i)).isEqualTo(7 * i);
            assertThat(readInts(gpu, mirrored)).containsExactly(0, 9, 0, 8, 0);
            assertThat(((CudaTensor) mirrored).hostInts).containsExactly(0, 9, 0, 8, 0);
        } finally {
            gpu.free(dst);
            gpu.free(mirrored);
        }
    }

    /** ints, floats and writeInts above a segment go in segment-sized copies, at the right offsets. */
    @Test
    void uploadsLargerThanASegmentArriveWhole() {
        int n = 600_000;
        int[] ints = pattern(3, n);
        float[] floats = new float[n];
        for (int i = 0; i < n; i++) floats[i] = i * 0.5f;
        Tensor t = gpu.ints(ints);
        Tensor f = gpu.floats(floats, n);
        try {
            assertThat(readInts(gpu, t)).isEqualTo(ints);
            assertThat(gpu.toHost(f)).isEqualTo(floats);
            int[] src = pattern(9, n);
            gpu.writeInts(t, 1000, src, 5, 300_000);
            int[] expected = ints.clone();
            System.arraycopy(src, 5, expected, 1000, 300_000);
            assertThat(readInts(gpu, t)).isEqualTo(expected);
            assertThat(((CudaTensor) t).hostInts).isEqualTo(expected);
        } finally {
            gpu.free(t);
            gpu.free(f);
        }
    }

    private static int[] pattern(int k, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = k * 1_000_003 + i;
        return v;
    }
}
