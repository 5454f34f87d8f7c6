package dev.sglj.engine.kv;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;

/**
 * Per-layer K and V storage of {@code numSlots} token slots, each slot {@code numKvHeads * headDim}
 * values in the backend's {@link Backend#activationDtype()}. Sized once at start; never grows.
 */
public final class KvPool implements AutoCloseable {
    private final Backend backend;
    private final int numSlots;
    private final Tensor[] k;
    private final Tensor[] v;

    public KvPool(Backend backend, int numLayers, int numKvHeads, int headDim, int numSlots) {
        this.backend = backend;
        this.numSlots = numSlots;
        this.k = new Tensor[numLayers];
        this.v = new Tensor[numLayers];
        long width = (long) numKvHeads * headDim;
        for (int l = 0; l < numLayers; l++) {
            k[l] = backend.allocate(backend.activationDtype(), numSlots, width);
            v[l] = backend.allocate(backend.activationDtype(), numSlots, width);
        }
    }

    /** Bytes one token slot takes over all layers (K and V) in the cache dtype {@code dtype}. */
    public static long bytesPerSlot(int numLayers, int numKvHeads, int headDim, DType dtype) {
        return 2L * numLayers * numKvHeads * headDim * dtype.bytes();
    }

    public int numSlots() {
        return numSlots;
    }

    public Tensor k(int layer) {
        return k[layer];
    }

    public Tensor v(int layer) {
        return v[layer];
    }

    @Override
    public void close() {
        for (int l = 0; l < k.length; l++) {
            backend.free(k[l]);
            backend.free(v[l]);
        }
    }
}
