package dev.sglj.engine.compute.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * The token ids of one asynchronous sampling launch ({@link CudaBackend#sampleInto}): written on the
 * device, where the next forward pass reads them as its future input ids
 * ({@link CudaBackend#resolveFutureIds}), and copied to page-locked host memory behind an event, which
 * {@link #await} waits for. Nothing here synchronizes the stream, so the host can queue the next step
 * while this one runs.
 *
 * <p>One buffer holds one step's ids at a time: a new launch into it overwrites both copies. The runner
 * keeps two and alternates, and the scheduler awaits a step's ids before it launches the step after the
 * next one, so a step's ids stay valid while the following step runs. Use from the backend's thread.
 */
public final class TokenBuffer implements AutoCloseable {
    private final CudaBackend backend;
    private final int capacity;
    private final long device;
    private final MemorySegment host;
    private final long event;
    private int count = -1;
    private boolean closed;

    TokenBuffer(CudaBackend backend, int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("token buffer capacity must be positive, got " + capacity);
        this.backend = backend;
        this.capacity = capacity;
        this.device = backend.scratch(4L * capacity, "future token ids");
        this.host = CudaDriver.mallocHost(4L * capacity);
        this.event = CudaDriver.createEvent(CudaDriver.EVENT_DISABLE_TIMING);
    }

    /** The most ids one launch may write. */
    public int capacity() {
        return capacity;
    }

    /** How many ids the last launch wrote (-1 before the first). */
    public int count() {
        return count;
    }

    long devicePtr() {
        checkOpen();
        return device;
    }

    /** After a launch queued {@code n} ids at {@link #devicePtr}: queues their copy to the host and the event. */
    void queueReadback(int n, long stream) {
        checkOpen();
        if (n < 0 || n > capacity) throw new IllegalArgumentException(n + " token ids for a buffer of " + capacity);
        CudaDriver.copyToHost(host, device, 4L * n, stream);
        CudaDriver.recordEvent(event, stream);
        count = n;
    }

    /**
     * Waits for the ids of the last launch into this buffer (not for anything queued after it) and returns
     * them. A -1 (a row the device could not sample) is an error here: such rows are never launched
     * asynchronously.
     */
    public int[] await() {
        checkOpen();
        if (count < 0) throw new IllegalStateException("no sampling launch wrote this token buffer");
        CudaDriver.synchronizeEvent(event);
        int[] ids = host.asSlice(0, 4L * count).toArray(JAVA_INT);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) throw new IllegalStateException("asynchronous sampling row " + i + " came back " + ids[i]);
        }
        return ids;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("token buffer closed");
    }

    /** Frees both copies and the event (waiting for the stream first, as other work may still read them). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        backend.synchronize();
        backend.releaseScratch(device, 4L * capacity);
        CudaDriver.freeHost(host);
        CudaDriver.destroyEvent(event);
    }
}
