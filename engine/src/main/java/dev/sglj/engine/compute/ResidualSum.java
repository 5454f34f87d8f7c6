package dev.sglj.engine.compute;

/**
 * The residual stream between two RMSNorms of a decoder: the sum the next norm reads, as the last
 * linear (or the embedding) left it. {@link Backend#embeddingIntoResidual} and {@link
 * Backend#linearIntoResidual} make one and {@link Backend#norm} or a normed linear reads it, exactly once
 * for a {@link Deferred}.
 */
public sealed interface ResidualSum {
    /** The residual tensor (rows of the hidden width) that holds the sum once it is read. */
    Tensor residual();

    /** {@code delta} (a linear's output) is still to be added to {@code residual}, by the norm that reads it. */
    record Deferred(Tensor residual, Tensor delta) implements ResidualSum {}

    /**
     * {@code residual} holds the sum. {@code stats}, when not null, holds what the backend's fused linear
     * or embedding wrote about its rows for the next norm (sums of squares, {@link Backend#normStatistics})
     * in its {@code slot}; the next such linear writes the other slot.
     */
    record Stored(Tensor residual, Tensor stats, int slot) implements ResidualSum {}
}
