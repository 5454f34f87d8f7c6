package dev.sglj.engine.compute.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Page-locked host memory that the backend's host-to-device transfers are staged in, so that each is one
 * asynchronous cuMemcpyHtoDAsync, or a kernel reading the staged bytes itself: memory from cuMemAllocHost is
 * device-accessible at its host address under unified addressing, which every 64-bit Linux CUDA device has.
 *
 * <p>Such a copy or kernel reads the bytes only when the stream reaches it, so the host must not overwrite
 * them before. The memory is a ring of {@value #SEGMENTS} segments of {@value #SEGMENT_BYTES} bytes, handed
 * out in order. When the host leaves a segment it records an event on the stream, after every piece of work
 * that reads the segment; before it takes the segment again, {@value #SEGMENTS} - 1 segments later, it waits
 * for that event, which has normally passed long before. So the guard costs one event record and one wait
 * per segment filled, not per transfer.
 *
 * <p>An event per segment, not the caller's invariant that {@code SamplingKernels}' two alternating buffers
 * rely on (a launch's ids are awaited before the launch after the next): every op that takes host values
 * stages here (ints, floats, writeInts, scatterInts, a CUDA graph's inputs), any number of times a step,
 * whoever calls, and some callers never wait (tests; benchmarks queueing replays back to back), so nothing
 * bounds how far the host runs ahead of the stream.
 *
 * <p>Not during stream capture: a captured copy would read its staging address again at every replay.
 * Use from the backend's thread.
 */
final class UploadStaging implements AutoCloseable {
    static final int SEGMENTS = 4;
    static final long SEGMENT_BYTES = 1L << 20;
    private static final long ALIGN = 16;

    private final long stream;
    /** Allocated on first use. */
    private final MemorySegment[] segments = new MemorySegment[SEGMENTS];
    /** The event recorded when the host last left segment i; 0 until it first did. */
    private final long[] left = new long[SEGMENTS];
    private int current;
    private long used;

    UploadStaging(long stream) {
        this.stream = stream;
    }

    /**
     * {@code bytes} (1 to {@value #SEGMENT_BYTES}) of page-locked memory for the host to fill now; the work
     * reading it must be queued on the stream before the next call. Nothing overwrites it until the stream
     * has passed that work.
     */
    MemorySegment take(long bytes) {
        if (bytes <= 0 || bytes > SEGMENT_BYTES) {
            throw new IllegalArgumentException("staging: " + bytes + " bytes, not in [1, " + SEGMENT_BYTES + "]");
        }
        if (used + bytes > SEGMENT_BYTES) advance();
        if (segments[current] == null) segments[current] = CudaDriver.mallocHost(SEGMENT_BYTES);
        MemorySegment slice = segments[current].asSlice(used, bytes);
        used = (used + bytes + ALIGN - 1) / ALIGN * ALIGN;
        return slice;
    }

    /**
     * Queues a copy of {@code bytes} of {@code src} (heap or native memory) to device address {@code dst}: one
     * cuMemcpyHtoDAsync per segment's worth.
     */
    void copyToDevice(long dst, MemorySegment src, long bytes) {
        for (long done = 0; done < bytes; ) {
            long n = Math.min(SEGMENT_BYTES, bytes - done);
            MemorySegment staged = take(n);
            MemorySegment.copy(src, done, staged, 0, n);
            CudaDriver.copyToDevice(dst + done, staged, n, stream);
            done += n;
        }
    }

    /** Marks the current segment's end on the stream and moves to the next, once the stream is past its last use. */
    private void advance() {
        if (left[current] == 0) left[current] = CudaDriver.createEvent(CudaDriver.EVENT_DISABLE_TIMING);
        CudaDriver.recordEvent(left[current], stream);
        current = (current + 1) % SEGMENTS;
        used = 0;
        if (left[current] != 0) CudaDriver.synchronizeEvent(left[current]);
    }

    /** Frees the memory and the events; the caller has synchronized the stream. */
    @Override
    public void close() {
        for (int i = 0; i < SEGMENTS; i++) {
            if (segments[i] != null) CudaDriver.freeHost(segments[i]);
            if (left[i] != 0) CudaDriver.destroyEvent(left[i]);
            segments[i] = null;
            left[i] = 0;
        }
    }
}
