package dev.sglj.engine.compute.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Page-locked host memory kept across calls and grown when short, for device-to-host copies at PCIe speed
 * (a pageable buffer would go through the driver's bounce buffer). Every read synchronizes the stream
 * before it returns, so regrowing between calls is safe. Not thread-safe.
 */
final class PinnedBuffer {
    private MemorySegment segment;

    /** At least {@code needed} bytes (contents undefined). */
    MemorySegment ensure(long needed) {
        if (segment == null || segment.byteSize() < needed) {
            release();
            segment = CudaDriver.mallocHost(Math.max(64 << 10, Long.highestOneBit(Math.max(1, needed)) * 2));
        }
        return segment;
    }

    /** Copies {@code bytes} from device address {@code src} on {@code stream}, waits, and returns them (valid until the next call). */
    MemorySegment read(long src, long bytes, long stream) {
        MemorySegment host = ensure(bytes).asSlice(0, bytes);
        if (bytes == 0) return host;
        CudaDriver.copyToHost(host, src, bytes, stream);
        CudaDriver.synchronize(stream);
        return host;
    }

    void release() {
        if (segment != null) CudaDriver.freeHost(segment);
        segment = null;
    }
}
