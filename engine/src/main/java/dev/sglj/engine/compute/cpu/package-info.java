/**
 * The CPU {@link dev.sglj.engine.compute.Backend}: tensors in off-heap memory
 * ({@link java.lang.foreign.MemorySegment}), every op vectorised with the Vector API and spread over
 * all cores by one {@link java.util.concurrent.ForkJoinPool} per backend.
 *
 * <p>Contract beyond the SPI: activations are F32, indices I32; weights are BF16, F16 or F32 and are
 * used in place (a weight from a memory-mapped checkpoint is never copied: a row-stacked weight from
 * {@link dev.sglj.engine.compute.cpu.CpuBackend#weightRows} keeps its parts where they are and
 * {@code linear} walks them in one pass; dummy weights are filled in huge-page mappings); all math
 * accumulates in F32. A tensor of shape {@code [d0, ...]} is seen by row ops as {@code d0} rows of
 * {@code numel / d0} elements (a 1-D tensor as one row). Memory from {@link CpuBackend#allocate}
 * is zero-filled and 64-byte aligned; {@link CpuBackend#free} gives it back (small blocks are pooled
 * for reuse up to a budget, the rest released at once) and any later use of the freed tensor fails.
 * Ops check dtypes, shapes and indices and throw {@link IllegalArgumentException} naming the op and
 * the offending operand.
 */
package dev.sglj.engine.compute.cpu;
