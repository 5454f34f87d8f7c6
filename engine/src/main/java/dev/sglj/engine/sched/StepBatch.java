package dev.sglj.engine.sched;

import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import java.util.ArrayList;
import java.util.List;

/** One forward pass worth of work and, per request in it, where its logits land in the output. */
record StepBatch(ForwardBatch batch, List<Entry> entries) {

    /**
     * {@code req} fed {@code count} tokens from position {@code firstPosition}; its logits are rows
     * {@code [logitIndex, logitIndex + logitCount)}; {@code samples} when its last token was fed.
     */
    record Entry(Req req, int firstPosition, int count, int logitIndex, int logitCount, boolean samples,
                 boolean prefill, boolean newSeq) {

        /** Whether it draws a token this step (its last chunk, and it may generate). */
        boolean draws() {
            return samples && req.params().maxNewTokens() != 0;
        }
    }

    /** Accumulates requests' new tokens into flattened ragged arrays. */
    static final class Builder {
        private final IntList ids = new IntList(), positions = new IntList(), loc = new IntList();
        private final IntList logitRows = new IntList(), rows = new IntList(), seqLens = new IntList();
        private final IntList prefixLens = new IntList(), extendLens = new IntList(), ropeLens = new IntList();
        private final List<Entry> entries = new ArrayList<>();
        private boolean anyPrefill, anyDecode;

        /**
         * Adds {@code newSlots.length} tokens of {@code req} from its cached position (slots already in
         * its row); {@code newSeq} marks a request admitted in this step. A token still in flight goes in
         * as its future id.
         */
        void add(Req req, int[] newSlots, boolean prefill, boolean newSeq) {
            int first = req.cached - newSlots.length;
            int take = newSlots.length;
            int flatStart = ids.size();
            for (int i = 0; i < take; i++) {
                ids.add(req.inputId(first + i));
                positions.add(first + i);
            }
            loc.addAll(newSlots);
            rows.add(req.row);
            seqLens.add(first + take);
            prefixLens.add(first);
            extendLens.add(take);
            ropeLens.add(Math.max(req.promptLen, first + take));
            boolean samples = req.cached == req.length() + req.pending;
            boolean promptRows = req.wantsPromptLogprobs() && first < req.promptLen;
            int logitFrom = promptRows ? 0 : take - 1;
            int logitIndex = logitRows.size();
            int logitCount = samples || promptRows ? take - logitFrom : 0;
            for (int i = 0; i < logitCount; i++) logitRows.add(flatStart + logitFrom + i);
            entries.add(new Entry(req, first, take, logitIndex, logitCount, samples, prefill, newSeq));
            if (prefill) anyPrefill = true; else anyDecode = true;
        }

        boolean isEmpty() {
            return entries.isEmpty();
        }

        StepBatch build() {
            ForwardMode mode = anyPrefill && anyDecode ? ForwardMode.MIXED
                    : anyPrefill ? ForwardMode.EXTEND : ForwardMode.DECODE;
            return new StepBatch(new ForwardBatch(mode, ids.toArray(), positions.toArray(), rows.toArray(),
                    seqLens.toArray(), prefixLens.toArray(), extendLens.toArray(), loc.toArray(),
                    logitRows.toArray(), ropeLens.toArray()), List.copyOf(entries));
        }
    }
}
