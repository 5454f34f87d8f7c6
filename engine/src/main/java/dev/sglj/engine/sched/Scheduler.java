package dev.sglj.engine.sched;

import dev.sglj.engine.FinishReason;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.kv.ReqToTokenPool;
import dev.sglj.engine.kv.SlotAllocator;
import dev.sglj.engine.runner.ModelRunner;
import dev.sglj.engine.runner.StepLogits;
import dev.sglj.engine.runner.StepTokens;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * SGLang's scheduler, on one thread: each step it takes new requests and aborts from its inbox,
 * forms a prefill batch (policy order, prefix-cache match, token budgets, chunking) or else a decode
 * batch of the running requests (retracting some when the KV pool runs out), runs it, samples,
 * checks stop conditions, caches finished and chunked requests' KV in the prefix cache, and
 * publishes outputs. Between steps every KV slot is free, owned by exactly one request, or held by
 * the cache ({@link #checkKvAccounting()}).
 *
 * <h2>The overlap schedule</h2>
 * On by default ({@code --disable-overlap-schedule} turns it off), as in SGLang: step N+1 is built and
 * launched before step N's tokens are processed, and N's tokens are processed while the device runs
 * N+1, so the host's work per step no longer leaves the GPU idle. A step is "in flight" from its launch
 * until its tokens are processed in the next {@link #step()}; at most one is ({@link InFlightStep} keeps it
 * and the tokens it owes).
 * <ul>
 *   <li>A request that drew a token in the step in flight has it {@code pending}; step N+1 feeds it as a
 *       future id, resolved by the runner where the token is (on the GPU by a kernel reading the buffer
 *       N's sampler wrote, in stream order; on the CPU from the host). A request whose pending token
 *       surely ends it (max_new_tokens, context length) is not fed again.</li>
 *   <li>A request that turns out finished at N (EOS, stop id or string) was fed to N+1 anyway: when N
 *       is processed it is cached and freed as without overlap, the slot N+1 took for it is freed at
 *       once, and its N+1 token is dropped. An abort or a retraction while its token is in flight is
 *       handled the same way; a retracted request still gets that token appended.</li>
 *   <li>Which draws cannot run ahead is the runner's call ({@code StepLogits.sampleAsync}): rows that
 *       ask for logprobs or that carry frequency/presence/repetition penalties (their next draw needs this
 *       token's value) are drawn synchronously, so such a step's tokens are known before the next step is
 *       built; only the processing overlaps then.</li>
 * </ul>
 * SGLang's {@code Prefill batch.} and {@code Decode batch.} log lines are {@link BatchLog}'s.
 * Every structure here has one owner, this thread; the device only sees stream-ordered work, so a KV
 * slot or table row freed while a step that reads it is in flight can be reused by the next step.
 */
public final class Scheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.sglj.scheduler");

    private sealed interface Command {
        record Submit(Req req) implements Command {}
        record Abort(String rid, boolean all) implements Command {}
        record Flush(CompletableFuture<Boolean> done) implements Command {}
    }

    private final ModelRunner runner;
    private final SlotAllocator slots;
    private final ReqToTokenPool table;
    private final PrefixCache cache;
    private final SchedulerSettings settings;
    private final int[] eosTokenIds;
    private final Random random;
    private final ConcurrentLinkedQueue<Command> inbox = new ConcurrentLinkedQueue<>();
    private final Semaphore wake = new Semaphore(0);
    private final List<Req> waiting = new ArrayList<>();
    private final List<Req> running = new ArrayList<>();
    private final SchedulerStats stats = new SchedulerStats();
    private final InFlightStep inFlight;
    private final BatchLog batchLog;
    private Req chunked;
    /** Nanoseconds of this step spent waiting for the device (forward, draws, tokens). */
    private long deviceWaitNanos;
    private double newTokenRatio;
    private volatile boolean closed;
    private Thread thread;

    public Scheduler(ModelRunner runner, PrefixCache cache, SchedulerSettings settings, int[] eosTokenIds) {
        this.runner = runner;
        this.slots = runner.slots();
        this.table = runner.reqToToken();
        this.cache = cache;
        this.settings = settings;
        this.eosTokenIds = eosTokenIds.clone();
        this.random = new Random(settings.randomSeed());
        this.newTokenRatio = settings.initNewTokenRatio();
        this.inFlight = new InFlightStep(slots, table, stats);
        this.batchLog = new BatchLog(settings.decodeLogInterval());
    }

    /** Runs the loop on its own thread until {@link #close()}. */
    public void start() {
        thread = Thread.ofPlatform().name("sglj-scheduler").daemon(true).start(this::loop);
    }

    public void submit(Req req) {
        validate(req);
        inbox.add(new Command.Submit(req));
        wake.release();
    }

    public void abort(String rid) {
        inbox.add(new Command.Abort(rid, false));
        wake.release();
    }

    public void abortAll() {
        inbox.add(new Command.Abort(null, true));
        wake.release();
    }

    /** Empties the prefix cache; completes with false (refused) while requests are queued or running. */
    public CompletableFuture<Boolean> flushCache() {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        inbox.add(new Command.Flush(done));
        wake.release();
        return done;
    }

    public SchedulerStats stats() {
        return stats;
    }

    private void validate(Req req) {
        int context = table.maxContext();
        if (req.promptLen >= context) {
            throw new IllegalArgumentException("The input (" + req.promptLen + " tokens) is longer than the model's "
                    + "context length (" + context + " tokens).");
        }
        if (req.promptLen + 1 > slots.size()) {
            throw new IllegalArgumentException("The input (" + req.promptLen + " tokens) does not fit the KV cache pool ("
                    + slots.size() + " tokens, --max-total-tokens).");
        }
        for (int id : req.request.inputIds()) {
            if (id < 0 || id >= runner.config().vocabSize()) {
                throw new IllegalArgumentException("input token id " + id + " is outside the vocabulary [0, "
                        + runner.config().vocabSize() + ")");
            }
        }
    }

    private void loop() {
        while (!closed) {
            try {
                if (!step()) wake.tryAcquire(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "scheduler step failed; aborting all requests", e);
                abortEverything("internal error: " + e.getMessage());
            }
        }
    }

    /**
     * One scheduler iteration; false when there was nothing to run or process. Call from one thread only.
     * Builds and launches the next step, then processes the step in flight (overlap schedule) or the one
     * just launched.
     */
    public boolean step() {
        long start = System.nanoTime();
        deviceWaitNanos = 0;
        drainInbox();
        StepBatch step = nextBatch();
        if (step == null) {
            boolean worked = !inFlight.isEmpty();
            completeInFlight();
            stats.update(this);
            return worked;
        }
        if (!inFlight.isEmpty()) stats.overlapped();
        InFlightStep.Launched launched = launch(step, inFlight.tokens());
        completeInFlight();
        if (settings.disableOverlapSchedule()) {
            complete(launched);
        } else {
            inFlight.hold(launched);
        }
        stats.update(this);
        stats.stepTimed(step.batch().mode(), System.nanoTime() - start - deviceWaitNanos);
        return true;
    }

    /**
     * Runs a step: the forward pass (its future input ids naming the draw {@code prior}), prompt logprobs
     * and the draw, which may still be on the device when this returns. Every request that draws now has
     * one more pending token; a request whose last prompt chunk ran joins the running set.
     */
    private InFlightStep.Launched launch(StepBatch step, StepTokens prior) {
        long t0 = System.nanoTime();
        StepTokens tokens;
        try (StepLogits logits = runner.run(step.batch(), prior)) {
            recordPromptLogprobs(step, logits);
            tokens = sample(step, logits);
        }
        deviceWaitNanos += System.nanoTime() - t0;
        for (StepBatch.Entry e : step.entries()) {
            if (e.samples() && e.prefill() && !running.contains(e.req())) running.add(e.req());
        }
        return InFlightStep.launched(step, tokens);
    }

    private void completeInFlight() {
        InFlightStep.Launched l = inFlight.take();
        if (l != null) complete(l);
    }

    /** Processes a launched step's tokens (waiting for them if need be) and publishes what is due. */
    private void complete(InFlightStep.Launched l) {
        long t0 = System.nanoTime();
        SampledToken[] picked = l.tokens().await();
        deviceWaitNanos += System.nanoTime() - t0;
        List<Req> touched = new ArrayList<>();
        int next = 0;
        for (StepBatch.Entry e : l.step().entries()) {
            if (process(e, e.draws() ? picked[next++] : null)) touched.add(e.req());
        }
        touched.forEach(this::publishIfDue);
    }

    private void drainInbox() {
        for (Command c; (c = inbox.poll()) != null; ) {
            switch (c) {
                case Command.Submit s -> waiting.add(s.req());
                case Command.Abort a -> abort(a);
                case Command.Flush f -> {
                    completeInFlight();
                    boolean flushed = flush();
                    stats.update(this);
                    f.done().complete(flushed);
                }
            }
        }
    }

    private boolean flush() {
        if (!running.isEmpty() || !waiting.isEmpty() || chunked != null) return false;
        boolean flushed = cache.flush();
        if (flushed) LOG.log(System.Logger.Level.INFO, "Cache flushed successfully!");
        return flushed;
    }

    private void abort(Command.Abort a) {
        for (Req r : List.copyOf(waiting)) {
            if (a.all() || r.rid.equals(a.rid())) {
                waiting.remove(r);
                finishAborted(r);
            }
        }
        List<Req> active = new ArrayList<>(running);
        if (chunked != null) active.add(chunked);
        for (Req r : active) {
            if (a.all() || r.rid.equals(a.rid())) {
                release(r);
                running.remove(r);
                if (r == chunked) chunked = null;
                finishAborted(r);
            }
        }
    }

    private void finishAborted(Req r) {
        r.finish = new FinishReason.Abort("Abort in waiting queue or running batch");
        stats.aborted();
        publish(r);
    }

    private void abortEverything(String message) {
        inFlight.clear();
        List<Req> all = new ArrayList<>(waiting);
        all.addAll(running);
        if (chunked != null) all.add(chunked);
        waiting.clear();
        running.clear();
        chunked = null;
        for (Req r : all) {
            if (r.row >= 0) release(r);
            r.finish = new FinishReason.Abort(message);
            publish(r);
        }
    }

    private StepBatch nextBatch() {
        StepBatch.Builder builder = new StepBatch.Builder();
        List<PrefillAdder.Piece> pieces = planPrefill();
        boolean decodeToo = pieces.isEmpty() || settings.enableMixedChunk();
        List<Req> decoding = decodeToo ? decodable() : List.of();
        if (!decoding.isEmpty()) {
            decoding = makeRoomForDecode(decoding);
            int[] slots = growByOne(decoding);
            for (int i = 0; i < decoding.size(); i++) builder.add(decoding.get(i), new int[] {slots[i]}, false, false);
        }
        for (PrefillAdder.Piece p : pieces) {
            int[] newSlots = cache.allocate(p.take());
            if (newSlots == null) {
                giveBack(p);
                continue;
            }
            table.write(p.req().row, p.req().cached, newSlots);
            p.req().cached += newSlots.length;
            builder.add(p.req(), newSlots, true, p.newlyAdmitted());
        }
        if (builder.isEmpty()) return null;
        StepBatch step = builder.build();
        if (!pieces.isEmpty()) batchLog.prefill(step, this);
        if (!decoding.isEmpty()) afterDecodeStep(decoding.size(), runner.usesCudaGraph(step.batch()));
        return step;
    }

    /**
     * The running requests that feed a token this step: all of them without overlap; with a step in
     * flight, not those its token surely ends (max_new_tokens reached, context full), nor one that draws
     * nothing (max_new_tokens 0).
     */
    private List<Req> decodable() {
        List<Req> out = new ArrayList<>(running.size());
        for (Req r : running) {
            if (r.drawnCount() < r.params().maxNewTokens() && r.length() + r.pending < table.maxContext()) out.add(r);
        }
        return out;
    }

    /** A new KV slot at the next position of each request, written to the table in one operation. */
    private int[] growByOne(List<Req> reqs) {
        int[] newSlots = cache.allocate(reqs.size());
        if (newSlots == null) throw new IllegalStateException("no KV slot for a decode token after making room");
        int[] rows = new int[reqs.size()];
        int[] positions = new int[reqs.size()];
        for (int i = 0; i < rows.length; i++) {
            Req r = reqs.get(i);
            rows[i] = r.row;
            positions[i] = r.cached++;
        }
        table.writeEach(rows, positions, newSlots);
        return newSlots;
    }

    /** An admitted piece whose slots could not be allocated goes back where it came from. */
    private void giveBack(PrefillAdder.Piece p) {
        Req r = p.req();
        if (p.newlyAdmitted()) {
            cache.releaseRequest(table.read(r.row, 0, r.cached), r.handle);
            table.freeRow(r.row);
            r.resetKv();
            waiting.addFirst(r);
            if (chunked == r) chunked = null;
        }
    }

    private List<PrefillAdder.Piece> planPrefill() {
        if (chunked == null && waiting.isEmpty()) return List.of();
        PrefillAdder adder = new PrefillAdder(slots, cache, running, newTokenRatio, settings);
        if (chunked != null) adder.addChunked(chunked);
        int active = running.size() + (chunked != null ? 1 : 0);
        for (Req r : settings.policy().order(waiting, cache, random)) {
            if (active >= settings.maxRunningRequests()) break;
            if (r.pending != 0) throw new IllegalStateException("request " + r.rid + " waits with a token in flight");
            int row = table.allocRow();
            if (row < 0) break;
            PrefixCache.MatchResult m = cache.matchPrefix(r.allTokens(), reusableLength(r));
            cache.lock(m.handle());
            r.row = row;
            r.handle = m.handle();
            r.cached = m.length();
            if (m.length() > 0) table.write(row, 0, m.slots());
            if (!adder.tryAdd(r)) {
                cache.unlock(m.handle());
                table.freeRow(row);
                r.resetKv();
                break;
            }
            if (r.cachedTokens < 0) r.cachedTokens = m.length();
            waiting.remove(r);
            active++;
        }
        chunked = adder.chunked();
        return adder.pieces();
    }

    /**
     * How much of a request's tokens a cached prefix may cover: all but the last (one must be computed
     * to sample), and for prompt logprobs from {@code logprob_start_len} on, no further than the row
     * before that position, whose logits give the first asked logprob (as SGLang limits its match).
     */
    private static int reusableLength(Req r) {
        int limit = r.length() - 1;
        if (r.wantsPromptLogprobs()) limit = Math.min(limit, Math.max(r.params().logprobStartLen() - 1, 0));
        return limit;
    }

    /**
     * SGLang's retraction: when the pool cannot give every decoding request a slot, send some back (those
     * with the fewest tokens drawn first). Returns the requests that stay. A retracted request with a token
     * in flight gets it appended when that step is processed.
     */
    private List<Req> makeRoomForDecode(List<Req> decoding) {
        if ((long) slots.available() + cache.evictableSize() >= decoding.size()) return decoding;
        List<Req> order = new ArrayList<>(decoding);
        order.sort(Comparator.comparingInt(Req::drawnCount).thenComparing(r -> -r.promptLen));
        List<Req> kept = new ArrayList<>(decoding);
        List<Req> retracted = new ArrayList<>();
        for (Req victim : order) {
            if ((long) slots.available() + cache.evictableSize() >= kept.size() || kept.size() == 1) break;
            kept.remove(victim);
            running.remove(victim);
            release(victim);
            retracted.add(victim);
        }
        double old = newTokenRatio;
        long decoded = 0, maxNew = 0;
        for (Req r : running) {
            decoded += r.drawnCount();
            maxNew += r.params().maxNewTokens();
        }
        if (maxNew > 0) {
            newTokenRatio = Math.min(1.0,
                    (decoded + (double) SchedulerSettings.RETRACT_DECODE_STEPS * running.size()) / maxNew);
        }
        for (int i = retracted.size() - 1; i >= 0; i--) waiting.addFirst(retracted.get(i));
        stats.retracted(retracted.size());
        LOG.log(System.Logger.Level.WARNING, String.format(
                "KV cache pool is full. Retract requests. #retracted_reqs: %d, #new_token_ratio: %.4f -> %.4f",
                retracted.size(), old, newTokenRatio));
        return kept;
    }

    /** Returns a request's KV to the cache and allocator, keeping its tokens (for retraction and abort). */
    private void release(Req r) {
        cache.releaseRequest(table.read(r.row, 0, r.cached), r.handle);
        table.freeRow(r.row);
        r.resetKv();
    }

    private void afterDecodeStep(int decoded, boolean cudaGraph) {
        newTokenRatio = Math.max(newTokenRatio - settings.newTokenRatioDecay(), settings.minNewTokenRatio());
        batchLog.decode(decoded, cudaGraph, this);
    }

    /**
     * One token for each entry that {@linkplain StepBatch.Entry#draws draws}, in entry order, drawn together
     * on the logits' device (possibly still on their way when this returns).
     */
    private static StepTokens sample(StepBatch step, StepLogits logits) {
        List<StepBatch.Entry> drawing = step.entries().stream().filter(StepBatch.Entry::draws).toList();
        int[] rows = new int[drawing.size()];
        RequestSampler[] states = new RequestSampler[drawing.size()];
        for (int i = 0; i < rows.length; i++) {
            StepBatch.Entry e = drawing.get(i);
            rows[i] = e.logitIndex() + e.logitCount() - 1;
            states[i] = e.req().sampler;
        }
        return rows.length == 0 ? StepTokens.none() : logits.sampleAsync(rows, states);
    }

    /**
     * Processes one entry of a step; {@code picked}: the token it drew, null when it draws none. Returns
     * false when the entry is dropped: its request finished (or was aborted) after the step was launched.
     */
    private boolean process(StepBatch.Entry e, SampledToken picked) {
        Req r = e.req();
        if (!inFlight.settle(r, picked != null)) return false;
        int computed = e.firstPosition() + e.count();
        if (!e.samples()) {
            PrefixCache.LockedPrefix p = cache.cacheUnfinishedRequest(r.tokens(0, computed),
                    table.read(r.row, 0, computed), r.handle);
            table.write(r.row, 0, p.slots());
            r.handle = p.handle();
            return true;
        }
        if (picked == null) {
            r.finish = new FinishReason.Length(0);
        } else {
            TokenLogprob chosen = asLogprob(picked);
            r.append(chosen.tokenId());
            if (r.params().returnLogprob()) r.addOutputLogprob(chosen);
            stats.generated(1);
            r.finish = finishReason(r, chosen.tokenId());
        }
        if (r == chunked) chunked = null;
        if (r.finish != null) {
            if (r.row >= 0) {
                cache.cacheFinishedRequest(r.tokens(0, computed), table.read(r.row, 0, computed), r.handle);
                inFlight.freeSlotAhead(r, computed);
                table.freeRow(r.row);
                r.resetKv();
                running.remove(r);
            } else {
                waiting.remove(r); // retracted with this token in flight: it finished in the queue
            }
            stats.finished();
        }
        return true;
    }

    /**
     * Prompt logprobs of the entries that cover asked-for prompt positions: row {@code i} of an entry
     * predicts prompt token {@code firstPosition + i + 1}.
     */
    private static void recordPromptLogprobs(StepBatch step, StepLogits logits) {
        for (StepBatch.Entry e : step.entries()) {
            Req r = e.req();
            if (!r.wantsPromptLogprobs() || e.firstPosition() >= r.promptLen) continue;
            int start = r.params().logprobStartLen();
            if (e.firstPosition() == 0 && start == 0) r.addInputLogprob(new TokenLogprob(r.token(0), null, List.of()));
            IntList rows = new IntList();
            IntList targets = new IntList();
            for (int i = 0; i < e.logitCount(); i++) {
                int target = e.firstPosition() + i + 1;
                if (target >= r.promptLen || target < start) continue;
                rows.add(e.logitIndex() + i);
                targets.add(r.token(target));
            }
            if (rows.size() == 0) continue;
            for (SampledToken t : logits.logprobs(rows.toArray(), targets.toArray(), r.params().topLogprobsNum())) {
                r.addInputLogprob(asLogprob(t));
            }
        }
    }

    private static TokenLogprob asLogprob(SampledToken t) {
        return new TokenLogprob(t.tokenId(), t.hasLogprob() ? t.logprob() : null, t.top());
    }

    private FinishReason finishReason(Req r, int token) {
        SamplingParams p = r.params();
        boolean minReached = r.outputCount() >= p.minNewTokens();
        if (minReached && !p.ignoreEos() && Arrays.stream(eosTokenIds).anyMatch(id -> id == token)) {
            return FinishReason.Stop.token(token);
        }
        if (minReached && p.stopTokenIds().contains(token)) return FinishReason.Stop.token(token);
        if (r.stopWatcher != null) {
            String matched = r.stopWatcher.accept(token);
            if (matched != null && minReached) return FinishReason.Stop.text(matched);
        }
        if (r.outputCount() >= p.maxNewTokens()) return new FinishReason.Length(p.maxNewTokens());
        if (r.length() >= table.maxContext()) return new FinishReason.Length(r.outputCount());
        return null;
    }

    private void publishIfDue(Req r) {
        if (!r.hasUnpublished()) return;
        int n = r.outputCount();
        if (r.finish != null || n == 1 || n % Math.max(settings.streamInterval(), 1) == 0) publish(r);
    }

    private void publish(Req r) {
        if (r.stream != null) r.stream.publish(r.takeOutput());
    }

    int usedTokens() {
        return slots.size() - slots.available() - cache.evictableSize();
    }

    double tokenUsage() {
        return usedTokens() / (double) slots.size();
    }

    int runningCount() {
        return running.size() + (chunked != null ? 1 : 0);
    }

    /** The running batch (SGLang's {@code #running-req} of its batch lines): without the chunked request. */
    int runningBatchSize() {
        return running.size();
    }

    int waitingCount() {
        return waiting.size();
    }

    int poolSize() {
        return slots.size();
    }

    /**
     * The KV invariant: free + owned by requests + held by the cache == pool size, and every table row
     * in use belongs to an active request. Throws when broken.
     */
    public void checkKvAccounting() {
        long owned = 0;
        int rows = 0;
        List<Req> active = new ArrayList<>(running);
        if (chunked != null) active.add(chunked);
        for (Req r : active) {
            owned += r.ownedSlots();
            rows++;
        }
        long total = slots.available() + owned + cache.totalSize();
        if (total != slots.size()) {
            throw new IllegalStateException("KV accounting broken: free " + slots.available() + " + owned " + owned
                    + " + cached " + cache.totalSize() + " != pool " + slots.size());
        }
        if (table.availableRows() + rows != table.maxRequests()) {
            throw new IllegalStateException("table rows: " + table.availableRows() + " free + " + rows + " active != "
                    + table.maxRequests());
        }
    }

    /** True when nothing is queued, running or in flight. */
    public boolean idle() {
        return waiting.isEmpty() && running.isEmpty() && chunked == null && inbox.isEmpty() && inFlight.isEmpty();
    }

    @Override
    public void close() {
        closed = true;
        wake.release();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        abortEverything("server is shutting down");
    }
}
