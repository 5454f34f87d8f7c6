package dev.sglj.engine.compute;

/**
 * Per-request layout of a ragged batch for attention, as device tensors (all I32) plus the host
 * copy of the lengths that backends use to split work.
 *
 * <p>Request {@code r} owns query rows {@code [extendStarts[r], extendStarts[r] + extendLens[r])}
 * of the flattened batch. Its sequence after this step has {@code seqLens[r]} tokens whose KV slots
 * are {@code reqToToken[reqPoolIndices[r] * reqToTokenStride + j]} for {@code j < seqLens[r]}; the new
 * tokens are the last {@code extendLens[r]} positions, and each attends causally to every slot up to
 * and including its own position.
 */
public record AttentionBatch(
        int numRequests,
        Tensor reqToToken,
        int reqToTokenStride,
        Tensor reqPoolIndices,
        Tensor seqLens,
        Tensor extendLens,
        Tensor extendStarts,
        int[] hostSeqLens,
        int[] hostExtendLens,
        int[] hostExtendStarts) {}
