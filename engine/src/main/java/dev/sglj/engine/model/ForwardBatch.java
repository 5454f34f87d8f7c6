package dev.sglj.engine.model;

/**
 * One step of work for the model: the new tokens of every request in the batch, flattened (ragged).
 * Names follow SGLang's ForwardBatch.
 *
 * <p>Request {@code r} contributes {@code extendSeqLens[r]} consecutive tokens (1 in decode) at
 * positions {@code extendPrefixLens[r] .. seqLens[r]-1}; its KV slots for positions
 * {@code < seqLens[r]} are in row {@code reqPoolIndices[r]} of the request-to-token table, and the new
 * tokens' K/V go to {@code outCacheLoc}. {@code logitRows} lists the flattened rows whose logits are
 * wanted (normally the last token of each request; every prompt row when prompt logprobs are asked).
 *
 * <p>{@code ropeSeqLens[r]} is the sequence length dynamic-NTK RoPE scales request {@code r} for: the
 * whole prompt's length while it is prefilled (in one piece or in chunks), then the length so far —
 * what transformers uses for a single sequence, so chunking does not change the result.
 */
public record ForwardBatch(
        ForwardMode mode,
        int[] inputIds,
        int[] positions,
        int[] reqPoolIndices,
        int[] seqLens,
        int[] extendPrefixLens,
        int[] extendSeqLens,
        int[] outCacheLoc,
        int[] logitRows,
        int[] ropeSeqLens) {

    public ForwardBatch {
        int n = inputIds.length;
        if (positions.length != n || outCacheLoc.length != n) {
            throw new IllegalArgumentException("inputIds, positions and outCacheLoc differ in length");
        }
        int reqs = reqPoolIndices.length;
        if (seqLens.length != reqs || extendPrefixLens.length != reqs || extendSeqLens.length != reqs
                || ropeSeqLens.length != reqs) {
            throw new IllegalArgumentException("per-request arrays differ in length");
        }
        int total = 0;
        for (int r = 0; r < reqs; r++) {
            if (extendPrefixLens[r] + extendSeqLens[r] != seqLens[r]) {
                throw new IllegalArgumentException("request " + r + ": prefix + extend != seqLen");
            }
            total += extendSeqLens[r];
        }
        if (total != n) throw new IllegalArgumentException("extendSeqLens sum " + total + " != tokens " + n);
    }

    public int numTokens() {
        return inputIds.length;
    }

    public int numRequests() {
        return reqPoolIndices.length;
    }

    /** Whether {@code logitRows} is every row in order, 0 to {@code numTokens() - 1} (a decode batch's). */
    public boolean logitsOfEveryRow() {
        if (logitRows.length != numTokens()) return false;
        for (int i = 0; i < logitRows.length; i++) {
            if (logitRows[i] != i) return false;
        }
        return true;
    }

    /** Flattened row of the last new token of each request. */
    public static int[] lastRows(int[] extendSeqLens) {
        int[] rows = new int[extendSeqLens.length];
        int end = 0;
        for (int r = 0; r < extendSeqLens.length; r++) {
            end += extendSeqLens[r];
            rows[r] = end - 1;
        }
        return rows;
    }
}
