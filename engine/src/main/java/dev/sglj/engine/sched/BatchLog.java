package dev.sglj.engine.sched;

/**
 * SGLang's batch log lines, in its exact format: {@code Prefill batch. ...} for each step with prefill
 * work, and every {@code --decode-log-interval} decode steps {@code Decode batch. ...} with the generation
 * throughput since the last such line. A prefill's new and cached prompt tokens also go to the stats.
 * {@code cuda graph} is that of the decode step being counted (as SGLang logs it from the step's own result),
 * not of whatever pass ran last: under the overlap schedule that may be the next step's prefill.
 */
final class BatchLog {
    private static final System.Logger LOG = System.getLogger("dev.sglj.scheduler");

    private final int decodeLogInterval;
    private int decodeSteps;
    private long lastDecodeLogNanos = System.nanoTime();
    private long tokensSinceDecodeLog;

    BatchLog(int decodeLogInterval) {
        this.decodeLogInterval = decodeLogInterval;
    }

    void prefill(StepBatch step, Scheduler s) {
        int newSeqs = 0, newTokens = 0, cachedTokens = 0;
        for (StepBatch.Entry e : step.entries()) {
            if (!e.prefill()) continue;
            newTokens += e.count();
            if (e.newSeq()) {
                newSeqs++;
                cachedTokens += e.firstPosition();
            }
        }
        s.stats().prefilled(newTokens, cachedTokens);
        LOG.log(System.Logger.Level.INFO, String.format(
                "Prefill batch. #new-seq: %d, #new-token: %d, #cached-token: %d, token usage: %.2f, "
                        + "#running-req: %d, #queue-req: %d,",
                newSeqs, newTokens, cachedTokens, s.tokenUsage(), s.runningBatchSize(), s.waitingCount()));
    }

    /** Counts a decode step of {@code decoded} tokens (replayed from a CUDA graph or not), logging the line when one is due. */
    void decode(int decoded, boolean cudaGraph, Scheduler s) {
        decodeSteps++;
        tokensSinceDecodeLog += decoded;
        if (decodeLogInterval <= 0 || decodeSteps % decodeLogInterval != 0) return;
        long now = System.nanoTime();
        double throughput = tokensSinceDecodeLog / Math.max((now - lastDecodeLogNanos) / 1e9, 1e-9);
        LOG.log(System.Logger.Level.INFO, String.format(
                "Decode batch. #running-req: %d, #token: %d, token usage: %.2f, cuda graph: %s, "
                        + "gen throughput (token/s): %.2f, #queue-req: %d,",
                s.runningBatchSize(), s.usedTokens(), s.tokenUsage(), cudaGraph ? "True" : "False",
                throughput, s.waitingCount()));
        lastDecodeLogNanos = now;
        tokensSinceDecodeLog = 0;
    }
}
