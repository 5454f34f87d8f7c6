package dev.sglj.engine.sched;

import dev.sglj.engine.model.ForwardMode;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and gauges of the scheduler, written by its thread and readable from any thread (for the
 * log lines, {@code /get_server_info} and Prometheus metrics).
 */
public final class SchedulerStats {
    private volatile int runningRequests;
    private volatile int queuedRequests;
    private volatile int usedTokens;
    private volatile double tokenUsage;
    private volatile int maxTotalTokens;
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder cachedTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final LongAdder finishedRequests = new LongAdder();
    private final LongAdder abortedRequests = new LongAdder();
    private final LongAdder retractedRequests = new LongAdder();
    private final LongAdder decodeSteps = new LongAdder();
    private final LongAdder decodeOverheadNanos = new LongAdder();
    private final LongAdder overlappedSteps = new LongAdder();
    private final LongAdder droppedTokens = new LongAdder();

    void update(Scheduler s) {
        runningRequests = s.runningCount();
        queuedRequests = s.waitingCount();
        usedTokens = s.usedTokens();
        tokenUsage = s.tokenUsage();
        maxTotalTokens = s.poolSize();
    }

    void prefilled(int newTokens, int cached) {
        promptTokens.add(newTokens + cached);
        cachedTokens.add(cached);
    }

    void generated(int n) {
        generatedTokens.add(n);
    }

    void finished() {
        finishedRequests.increment();
    }

    void aborted() {
        abortedRequests.increment();
    }

    void retracted(int n) {
        retractedRequests.add(n);
    }

    void overlapped() {
        overlappedSteps.increment();
    }

    void dropped() {
        droppedTokens.increment();
    }

    void stepTimed(ForwardMode mode, long nanosOutsideForward) {
        if (mode == ForwardMode.DECODE) {
            decodeSteps.increment();
            decodeOverheadNanos.add(nanosOutsideForward);
        }
    }

    /**
     * Mean host time per decode step not spent waiting for the device (scheduling, batching, processing
     * tokens), in ms. Under the overlap schedule most of it runs while the device computes the next step.
     */
    public double decodeOverheadMillis() {
        long steps = decodeSteps.sum();
        return steps == 0 ? 0 : decodeOverheadNanos.sum() / 1e6 / steps;
    }

    public int runningRequests() { return runningRequests; }
    public int queuedRequests() { return queuedRequests; }
    public int usedTokens() { return usedTokens; }
    public double tokenUsage() { return tokenUsage; }
    public int maxTotalTokens() { return maxTotalTokens; }
    public long promptTokens() { return promptTokens.sum(); }
    public long cachedTokens() { return cachedTokens.sum(); }
    public long generatedTokens() { return generatedTokens.sum(); }
    public long finishedRequests() { return finishedRequests.sum(); }
    public long abortedRequests() { return abortedRequests.sum(); }
    public long retractedRequests() { return retractedRequests.sum(); }
    /** Steps launched while the previous step's tokens were still unprocessed (the overlap schedule). */
    public long overlappedSteps() { return overlappedSteps.sum(); }
    /**
     * Tokens computed for a request that had already finished or been aborted when its step was processed
     * (the overlap schedule's one extra token after an EOS or stop string, or an abort with a token in flight).
     */
    public long droppedTokens() { return droppedTokens.sum(); }

    /** Share of prompt tokens served from the prefix cache so far. */
    public double cacheHitRate() {
        long prompt = promptTokens.sum();
        return prompt == 0 ? 0 : cachedTokens.sum() / (double) prompt;
    }
}
