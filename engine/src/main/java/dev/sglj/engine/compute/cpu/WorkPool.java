package dev.sglj.engine.compute.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a loop over {@code [0, count)} split into chunks on a fixed pool plus the calling thread.
 * Chunks are claimed dynamically, so uneven chunks (attention over requests of different lengths)
 * still balance. Small loops run on the caller alone.
 */
final class WorkPool implements AutoCloseable {
    /** Work of one chunk, {@code [from, to)}. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /** Below this many element-operations per chunk a hand-off to another thread costs more than it saves. */
    static final long MIN_CHUNK_COST = 1 << 15;

    private final ForkJoinPool pool;
    private final int parallelism;

    WorkPool(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        this.parallelism = parallelism;
        this.pool = parallelism == 1 ? null : new ForkJoinPool(parallelism - 1);
    }

    int parallelism() {
        return parallelism;
    }

    /**
     * Runs {@code body} over {@code [0, count)} in chunks, where one index costs about
     * {@code costPerIndex} element-operations; at most 4 chunks per thread, none cheaper than
     * {@link #MIN_CHUNK_COST}.
     */
    void forEach(int count, long costPerIndex, Range body) {
        long byCost = Math.max(1, count * Math.max(1, costPerIndex) / MIN_CHUNK_COST);
        int chunks = (int) Math.min(Math.min(count, byCost), 4L * parallelism);
        forChunks(count, chunks, body);
    }

    /** Runs {@code body} over {@code [0, count)} split into exactly {@code chunks} near-equal chunks. */
    void forChunks(int count, int chunks, Range body) {
        if (count <= 0) {
            return;
        }
        if (chunks <= 1 || pool == null) {
            body.run(0, count);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                body.run((int) ((long) count * c / chunks), (int) ((long) count * (c + 1) / chunks));
            }
        };
        int helpers = Math.min(parallelism - 1, chunks - 1);
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[helpers];
        for (int i = 0; i < helpers; i++) {
            tasks[i] = pool.submit(worker);
        }
        try {
            worker.run();
        } catch (Throwable e) {
            next.set(chunks);
            for (ForkJoinTask<?> task : tasks) {
                task.quietlyJoin();
            }
            throw e;
        }
        for (ForkJoinTask<?> task : tasks) {
            task.join();
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
