package dev.sglj.engine.sched;

import dev.sglj.engine.kv.ReqToTokenPool;
import dev.sglj.engine.kv.SlotAllocator;
import dev.sglj.engine.runner.StepTokens;

/**
 * The overlap schedule's bookkeeping (its rules: {@link Scheduler}): the step launched and not processed
 * yet, at most one; the pending token and future id of each request that draws in a launched step; and,
 * when a step is processed, the tokens of requests that finished or were aborted since its launch (dropped,
 * {@link SchedulerStats#droppedTokens()}) and the slot the step after took for a request that finishes
 * (freed at once). A request retracted with a token in flight gets that token in the queue.
 */
final class InFlightStep {
    /** A launched step: its batch and the tokens its drawing entries drew (maybe still on the device). */
    record Launched(StepBatch step, StepTokens tokens) {}

    private final SlotAllocator slots;
    private final ReqToTokenPool table;
    private final SchedulerStats stats;
    private Launched launched;

    InFlightStep(SlotAllocator slots, ReqToTokenPool table, SchedulerStats stats) {
        this.slots = slots;
        this.table = table;
        this.stats = stats;
    }

    /**
     * A step just launched, drawing {@code tokens}: each request that draws in it has one more pending
     * token, fed to a later step by the future id {@code -(i + 1)}, {@code i} its row of the draw.
     */
    static Launched launched(StepBatch step, StepTokens tokens) {
        int drawn = 0;
        for (StepBatch.Entry e : step.entries()) {
            if (e.draws()) {
                e.req().pending++;
                e.req().future = -(++drawn);
            }
        }
        return new Launched(step, tokens);
    }

    /** Keeps {@code l} in flight until {@link #take()}. */
    void hold(Launched l) {
        launched = l;
    }

    /** The step in flight, now to be processed; null when none. */
    Launched take() {
        Launched l = launched;
        launched = null;
        return l;
    }

    /** The draw of the step in flight, which the next step's future ids name; null when none. */
    StepTokens tokens() {
        return launched == null ? null : launched.tokens();
    }

    boolean isEmpty() {
        return launched == null;
    }

    /** Forgets the step in flight unprocessed (everything is being aborted). */
    void clear() {
        launched = null;
    }

    /**
     * Settles a processed entry of {@code r} ({@code drew}: whether it drew a token): false when the entry
     * is dropped, its request having finished or been aborted after the step was launched.
     */
    boolean settle(Req r, boolean drew) {
        if (drew) r.pending--;
        if (r.finish == null) return true;
        if (drew) stats.dropped();
        return false;
    }

    /**
     * Frees the slot a later step in flight took for the next token of {@code r}, which finished with
     * {@code computed} tokens: that token will be dropped. Stream order keeps that step's write before any
     * reuse of the slot.
     */
    void freeSlotAhead(Req r, int computed) {
        if (r.cached > computed) slots.free(table.read(r.row, computed, r.cached));
    }
}
