/**
 * The CPU {@link dev.sglj.engine.compute.Backend}: tensors in off-heap memory
 * ({@link java.lang.foreign.MemorySegment}), every op vectorised with the Vector API and spread over
 * all cores by one {@link java.util.concurrent.ForkJoinPool} per backend.
 *
 * <p>Contract beyond the SPI: activations are F32, indices I32; weights are BF16, F16 or F32 and are
 * used in place (a weight from a memory-mapped checkpoint is never copied); all math accumulates in
 * F32. A tensor of shape {@code [d0, ...]} is seen by row ops as {@code d0} rows of
 * {@code numel / d0} elements (a 1-D tensor as one row). Each {@link CpuTensor} from
 * {@link CpuBackend#allocate} owns a shared arena that {@link CpuBackend#free} closes; using a freed
 * tensor fails. Ops check dtypes, shapes and indices and throw {@link IllegalArgumentException}
 * naming the op and the offending operand.
 */
package dev.sglj.engine.compute.cpu;
