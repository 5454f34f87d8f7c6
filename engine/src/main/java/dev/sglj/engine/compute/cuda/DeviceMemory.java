package dev.sglj.engine.compute.cuda;

import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator over cuMemAlloc, as PyTorch's: a freed block goes to a free set and a later
 * request reuses the smallest free block that holds it without wasting more than a quarter of it
 * ({@link FreeBlocks}). All work runs on one stream, so a block freed after an op was queued may be
 * handed to the next op at once: stream order keeps them apart. cuMemFree (which synchronizes the
 * device) runs only when an allocation fails, to return the cached blocks before a retry, and at close.
 */
final class DeviceMemory {
    private static final long GRANULE = 512;

    private final long stream;
    private final FreeBlocks free = new FreeBlocks();
    /** Blocks of the CUDA-graph pool: only handed out while {@link #graphPool} is on, never returned by emptyCache. */
    private final FreeBlocks graphFree = new FreeBlocks();
    /** Every block handed out and not released yet, by address: its size as allocated. */
    private final Map<Long, Long> inUse = new HashMap<>();
    private boolean graphPool;
    private long reserved;

    DeviceMemory(long stream) {
        this.stream = stream;
    }

    static long rounded(long bytes) {
        return Math.max(GRANULE, (bytes + GRANULE - 1) / GRANULE * GRANULE);
    }

    /** A block of at least {@code bytes}, for {@link #release} once its last queued use is. */
    long allocate(long bytes, String what) {
        long size = rounded(bytes);
        FreeBlocks.Block cached = (graphPool ? graphFree : free).take(size);
        if (cached != null) return handOut(cached.ptr(), cached.size());
        try {
            return handOut(newBlock(size), size);
        } catch (CudaException e) {
            // Graphs are captured in the graph pool, and a capturing stream cannot be synchronized to empty the cache.
            if (e.code() != 2 || graphPool) throw e;
        }
        emptyCache();
        try {
            return handOut(newBlock(size), size);
        } catch (CudaException e) {
            if (e.code() != 2) throw e;
            long[] info = CudaDriver.memInfo();
            throw new OutOfDeviceMemoryException(what, size, info[0], info[1], reserved);
        }
    }

    private long newBlock(long size) {
        long p = CudaDriver.malloc(size);
        reserved += size;
        return p;
    }

    private long handOut(long ptr, long size) {
        inUse.put(ptr, size);
        return ptr;
    }

    /** Returns the block at {@code ptr}, of at least {@code bytes}, to the free set of the pool now in use. */
    void release(long ptr, long bytes) {
        Long size = inUse.remove(ptr);
        if (size == null || size < rounded(bytes)) {
            throw new IllegalStateException("release of " + bytes + " bytes at 0x" + Long.toHexString(ptr)
                    + ": " + (size == null ? "no block handed out there" : "the block there has " + size));
        }
        (graphPool ? graphFree : free).put(ptr, size);
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
        graphFree.drain(free::put);
    }

    /** Returns every cached free block to the driver (waits for the stream first). */
    void emptyCache() {
        CudaDriver.synchronize(stream);
        free.drain((p, size) -> {
            CudaDriver.free(p);
            reserved -= size;
        });
    }

    /** Bytes taken from the driver, in use or cached. */
    long reserved() {
        return reserved;
    }

    long cached() {
        return free.bytes();
    }
}
