package dev.sglj.engine.sched;

import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.kv.SlotAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what one prefill batch takes, by SGLang's budgets: the KV tokens not yet promised
 * ({@code available + evictable}, less the future tokens reserved for running requests at the
 * current new-token ratio, less what this batch already took), {@code --max-prefill-tokens}, the
 * chunk budget, and {@code --max-running-requests}. A prompt longer than the chunk budget is cut and
 * continues next step as the chunked request.
 */
final class PrefillAdder {
    /** One admitted piece of work: feed {@code take} tokens of {@code req} from its cached position. */
    record Piece(Req req, int take, boolean newlyAdmitted) {}

    private final SlotAllocator slots;
    private final PrefixCache cache;
    private final long reservedByRunning;
    private final boolean nothingRunning;
    private long takenTotal;
    private int remainingInput;
    private int remainingChunk;
    private final List<Piece> pieces = new ArrayList<>();
    private Req chunked;

    PrefillAdder(SlotAllocator slots, PrefixCache cache, List<Req> running, double newTokenRatio,
                 SchedulerSettings settings) {
        this.slots = slots;
        this.cache = cache;
        long reserved = 0;
        for (Req r : running) {
            reserved += (long) Math.ceil(Math.min(r.remainingNewTokens(), SchedulerSettings.CLIP_MAX_NEW_TOKENS) * newTokenRatio);
        }
        this.reservedByRunning = reserved;
        this.nothingRunning = running.isEmpty();
        this.remainingInput = settings.maxPrefillTokens();
        this.remainingChunk = settings.chunkBudget();
    }

    private long remainingTotal() {
        return (long) slots.available() + cache.evictableSize() - reservedByRunning - takenTotal;
    }

    /**
     * Continues the request whose prompt was cut last step; it gets the chunk budget's worth, or what the
     * pool has left. With nothing left it takes nothing this step and stays the chunked request.
     */
    void addChunked(Req req) {
        int take = Math.min(req.pendingTokens(), remainingChunk);
        take = (int) Math.min(take, Math.max(remainingTotal(), 0));
        if (take <= 0) {
            chunked = req;
            return;
        }
        admit(req, take, false);
    }

    /**
     * Tries a waiting request, already matched and locked by the caller ({@code req.cached} is its
     * cached prefix). Returns false when the batch is full and the caller should stop adding.
     */
    boolean tryAdd(Req req) {
        if (chunked != null || remainingChunk <= 0 || remainingInput <= 0) return false;
        int extend = req.pendingTokens();
        long future = Math.min(req.remainingNewTokens(), SchedulerSettings.CLIP_MAX_NEW_TOKENS);
        boolean onlyWork = nothingRunning && pieces.isEmpty();
        if (extend + future > remainingTotal() && !(onlyWork && extend <= remainingTotal())) return false;
        int take = Math.min(extend, Math.min(remainingChunk, pieces.isEmpty() ? Integer.MAX_VALUE : remainingInput));
        take = (int) Math.min(take, remainingTotal());
        if (take <= 0) return false;
        admit(req, take, true);
        takenTotal += future;
        return true;
    }

    private void admit(Req req, int take, boolean fresh) {
        pieces.add(new Piece(req, take, fresh));
        takenTotal += take;
        remainingInput -= take;
        remainingChunk -= take;
        if (take < req.pendingTokens()) chunked = req;
    }

    List<Piece> pieces() {
        return pieces;
    }

    /** The request cut by this batch, to continue next step, or null. */
    Req chunked() {
        return chunked;
    }
}
