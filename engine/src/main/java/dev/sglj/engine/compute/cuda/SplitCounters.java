package dev.sglj.engine.compute.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * The counters decode attention's split blocks count themselves done with, one per (request, head group),
 * so the last block of a group merges the splits ({@code merge_if_last_split} in attention.cu). The kernel
 * leaves every counter at zero, so the buffer is zeroed only when it is allocated. A grown buffer replaces
 * the old one, which stays allocated until {@link #close}: a captured CUDA graph keeps the address it was
 * captured with. Raw device allocations, outside the caching allocator and its graph pool, for the same reason.
 */
final class SplitCounters implements AutoCloseable {
    private static final long MIN_COUNTERS = 1024;
    private final long stream;
    private final List<Long> allocated = new ArrayList<>();
    private long ptr;
    private long count;

    SplitCounters(long stream) {
        this.stream = stream;
    }

    /** A zeroed buffer of at least {@code needed} counters (4 bytes each). */
    long atLeast(long needed) {
        if (needed > count) {
            long size = Math.max(MIN_COUNTERS, Math.max(needed, 2 * count));
            ptr = CudaDriver.malloc(4 * size);
            allocated.add(ptr);
            CudaDriver.memset(ptr, (byte) 0, 4 * size, stream);
            count = size;
        }
        return ptr;
    }

    @Override
    public void close() {
        for (long p : allocated) CudaDriver.free(p);
        allocated.clear();
        ptr = 0;
        count = 0;
    }
}
