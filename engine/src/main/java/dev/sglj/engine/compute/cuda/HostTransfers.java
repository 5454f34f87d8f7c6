package dev.sglj.engine.compute.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * The backend's transfers between host arrays and device addresses, on its stream. Uploads go through
 * page-locked staging ({@link UploadStaging}) and never wait: an asynchronous copy, or for a scatter a kernel
 * reading the staged pairs itself. Reads land in one page-locked buffer ({@link PinnedBuffer}: logits come
 * back at PCIe speed) and wait for the stream. No checks here: the backend checks tensors and ranges. Use
 * from the backend's thread.
 */
final class HostTransfers implements AutoCloseable {
    private final long stream;
    private final Kernels kernels;
    private final UploadStaging staging;
    private final PinnedBuffer readback = new PinnedBuffer();

    HostTransfers(long stream, Kernels kernels) {
        this.stream = stream;
        this.kernels = kernels;
        this.staging = new UploadStaging(stream);
    }

    /** Queues a copy of {@code src[from, from + count)} to device address {@code dst}. */
    void ints(long dst, int[] src, int from, int count) {
        staging.copyToDevice(dst, MemorySegment.ofArray(src).asSlice(4L * from, 4L * count), 4L * count);
    }

    /** Queues a copy of {@code values} to device address {@code dst}. */
    void floats(long dst, float[] values) {
        staging.copyToDevice(dst, MemorySegment.ofArray(values), 4L * values.length);
    }

    /** Queues {@code values}, rounded to BF16 (nearest even), to device address {@code dst}. */
    void bf16(long dst, float[] values) {
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Bf16.fromFloat(values[i]);
        staging.copyToDevice(dst, MemorySegment.ofArray(bits), 2L * values.length);
    }

    /**
     * Queues {@code dst[offsets[i]] = values[i]} for the I32 array at {@code dst}: one scatter_ints launch per
     * {@link UploadStaging#SEGMENT_BYTES} of (offset, value) pairs, reading them from the staging itself
     * (unified addressing: no device buffer, no copy).
     */
    void scatterInts(long dst, int[] offsets, int[] values) {
        int n = offsets.length;
        int perLaunch = (int) (UploadStaging.SEGMENT_BYTES / 8);
        for (int from = 0; from < n; from += perLaunch) {
            int m = Math.min(perLaunch, n - from);
            MemorySegment packed = staging.take(8L * m);
            MemorySegment.copy(offsets, from, packed, JAVA_INT, 0, m);
            MemorySegment.copy(values, from, packed, JAVA_INT, 4L * m, m);
            kernels.args().ptr(dst).ptr(packed.address()).i32(m);
            kernels.launchElements("scatter_ints", m);
        }
    }

    /** {@code n} F32 values from device address {@code src}, waiting for the stream. */
    float[] readFloats(long src, int n) {
        return readback.read(src, 4L * n, stream).toArray(JAVA_FLOAT);
    }

    /** {@code n} BF16 values from device address {@code src} as floats, waiting for the stream. */
    float[] readBf16(long src, int n) {
        MemorySegment host = readback.read(src, 2L * n, stream);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = Bf16.toFloat(host.getAtIndex(JAVA_SHORT, i));
        return out;
    }

    /** Frees the page-locked memory; the caller has synchronized the stream. */
    @Override
    public void close() {
        readback.release();
        staging.close();
    }
}
