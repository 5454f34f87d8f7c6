package dev.sglj.engine.compute.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator over cuMemAlloc, as PyTorch's: a freed block goes to a free list of its
 * (rounded) size and the next request of that size reuses it. All work runs on one stream, so a
 * block freed after an op was queued may be handed to the next op at once: stream order keeps them
 * apart. cuMemFree (which synchronizes the device) runs only when an allocation fails, to return
 * the cached blocks before a retry, and at close.
 */
final class DeviceMemory {
    private static final long GRANULE = 512;

    private final long stream;
    private final Map<Long, ArrayDeque<Long>> freeBySize = new HashMap<>();
    /** Blocks of the CUDA-graph pool: only handed out while {@link #graphPool} is on, never returned by emptyCache. */
    private final Map<Long, ArrayDeque<Long>> graphFree = new HashMap<>();
    private boolean graphPool;
    private long reserved;
    private long cachedBytes;

    DeviceMemory(long stream) {
        this.stream = stream;
    }

    static long rounded(long bytes) {
        return Math.max(GRANULE, (bytes + GRANULE - 1) / GRANULE * GRANULE);
    }

    /** A block of at least {@code bytes}; its size for {@link #release} is {@link #rounded}. */
    long allocate(long bytes, String what) {
        long size = rounded(bytes);
        if (graphPool) {
            ArrayDeque<Long> pooled = graphFree.get(size);
            if (pooled != null && !pooled.isEmpty()) return pooled.pop();
            long p = CudaDriver.malloc(size);
            reserved += size;
            return p;
        }
        ArrayDeque<Long> list = freeBySize.get(size);
        if (list != null && !list.isEmpty()) {
            cachedBytes -= size;
            return list.pop();
        }
        try {
            long p = CudaDriver.malloc(size);
            reserved += size;
            return p;
        } catch (CudaException e) {
            if (e.code() != 2) throw e;
        }
        emptyCache();
        try {
            long p = CudaDriver.malloc(size);
            reserved += size;
            return p;
        } catch (CudaException e) {
            if (e.code() != 2) throw e;
            long[] info = CudaDriver.memInfo();
            throw new OutOfDeviceMemoryException(what, size, info[0], info[1], reserved);
        }
    }

    void release(long ptr, long bytes) {
        long size = rounded(bytes);
        if (graphPool) {
            graphFree.computeIfAbsent(size, s -> new ArrayDeque<>()).push(ptr);
            return;
        }
        freeBySize.computeIfAbsent(size, s -> new ArrayDeque<>()).push(ptr);
        cachedBytes += size;
    }

    /**
     * Switches allocation to the CUDA-graph pool: blocks freed while it is on stay in the pool, so a
     * captured graph's scratch addresses are never handed to eager work, while graphs captured one
     * after another (and replayed one at a time on the stream) share them.
     */
    void graphPool(boolean on) {
        graphPool = on;
    }

    /** Moves the graph pool's free blocks back to the ordinary cache (once its graphs are destroyed). */
    void releaseGraphPool() {
        for (Map.Entry<Long, ArrayDeque<Long>> e : graphFree.entrySet()) {
            for (long p : e.getValue()) {
                freeBySize.computeIfAbsent(e.getKey(), s -> new ArrayDeque<>()).push(p);
                cachedBytes += e.getKey();
            }
        }
        graphFree.clear();
    }

    /** Returns every cached free block to the driver (waits for the stream first). */
    void emptyCache() {
        CudaDriver.synchronize(stream);
        for (Map.Entry<Long, ArrayDeque<Long>> e : freeBySize.entrySet()) {
            for (long p : e.getValue()) {
                CudaDriver.free(p);
                reserved -= e.getKey();
            }
        }
        freeBySize.clear();
        cachedBytes = 0;
    }

    /** Bytes taken from the driver, in use or cached. */
    long reserved() {
        return reserved;
    }

    long cached() {
        return cachedBytes;
    }
}
