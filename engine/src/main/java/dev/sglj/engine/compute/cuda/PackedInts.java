package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.Tensor;
import java.util.Arrays;

/**
 * I32 vectors of one length in one device allocation, each a {@link Tensor} view of its part, whose values the
 * host stages ({@link #set}) and sends together in one host-to-device copy ({@link #upload}). A CUDA graph's
 * decode inputs live in one ({@code CudaGraphRunner}): the graph reads the same addresses at every replay, and
 * one copy replaces a copy per input.
 *
 * <p>As for a tensor from {@link CudaBackend#ints}, each vector's values are mirrored on the host
 * ({@code hostInts}) for the ops' index checks, updated when staged, until {@link CudaBackend#resolveFutureIds}
 * makes them unknown. The vectors are freed with the whole by {@link #close}, never one by one. Use from the
 * backend's thread.
 */
public final class PackedInts implements AutoCloseable {
    private final CudaBackend backend;
    private final CudaTensor whole;
    private final CudaTensor[] vectors;
    private final int length;
    /** Every vector's values, in device order: what the next {@link #upload} sends. */
    private final int[] staged;

    /** Views over {@code whole} ({@code [initial.length, length]}, I32) holding {@code initial}, not sent yet. */
    PackedInts(CudaBackend backend, CudaTensor whole, int[][] initial) {
        this.backend = backend;
        this.whole = whole;
        this.length = Math.toIntExact(whole.cols());
        this.vectors = new CudaTensor[initial.length];
        this.staged = new int[initial.length * length];
        for (int i = 0; i < initial.length; i++) {
            vectors[i] = whole.view(null, 4L * i * length, new long[] {length});
            vectors[i].hostInts = new int[length];
            set(i, initial[i], 0);
        }
    }

    /** The length of each vector. */
    public int length() {
        return length;
    }

    /** Vector {@code i}: a view, valid until {@link #close}. */
    public Tensor vector(int i) {
        return vectors[i];
    }

    /**
     * Stages vector {@code i} as {@code values} followed by {@code pad} up to {@link #length}; the device gets
     * it at the next {@link #upload}.
     */
    public void set(int i, int[] values, int pad) {
        if (values.length > length) {
            throw new IllegalArgumentException("packed ints: " + values.length + " values for vectors of " + length);
        }
        int at = i * length;
        System.arraycopy(values, 0, staged, at, values.length);
        Arrays.fill(staged, at + values.length, at + length, pad);
        int[] mirror = vectors[i].hostInts;
        if (mirror != null) System.arraycopy(staged, at, mirror, 0, length);
    }

    /** Queues one copy of every vector's staged values to the device, in stream order. */
    public void upload() {
        backend.uploadInts(whole, staged);
    }

    /** Frees the allocation (and so every vector); again: nothing. */
    @Override
    public void close() {
        backend.free(whole);
    }
}
