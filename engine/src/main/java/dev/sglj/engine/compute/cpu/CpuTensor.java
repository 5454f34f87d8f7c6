package dev.sglj.engine.compute.cpu;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * A row-major tensor in host memory: owned (a block that {@link CpuBackend#free} gives back) or
 * borrowed. A borrowed weight may be a row-concatenation of several segments ({@link #parts}, from
 * {@link CpuBackend#weightRows}): its rows are the parts' rows in order, and only ops that walk the
 * parts ({@code linear}, {@code toHost}) accept it.
 */
public final class CpuTensor implements Tensor {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final List<MemorySegment> parts;
    private final TensorMemory.Block block;
    private final long rows;
    private final long cols;
    private volatile boolean freed;

    CpuTensor(String name, DType dtype, long[] shape, MemorySegment data, TensorMemory.Block block) {
        this(name, dtype, shape, List.of(data), block);
    }

    private CpuTensor(String name, DType dtype, long[] shape, List<MemorySegment> parts, TensorMemory.Block block) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.parts = List.copyOf(parts);
        this.block = block;
        long numel = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        this.rows = shape.length <= 1 ? 1 : shape[0];
        this.cols = shape.length <= 1 ? numel : Arrays.stream(shape, 1, shape.length).reduce(1, Math::multiplyExact);
    }

    /** A borrowed tensor whose rows are those of {@code parts} in order (segments of whole rows of {@code shape}). */
    static CpuTensor ofRows(String name, DType dtype, long[] shape, List<MemorySegment> parts) {
        return new CpuTensor(name, dtype, shape, parts, null);
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Rows as row ops see them: {@code shape[0]}, or 1 for a 1-D tensor. */
    long rowCount() {
        return rows;
    }

    /** Elements per row as row ops see them: the product of the dimensions after the first. */
    long rowLength() {
        return cols;
    }

    /** The backing memory (a slice of a mapped file for weights taken in place). */
    public MemorySegment data() {
        requireLive();
        if (parts.size() != 1) {
            throw new IllegalArgumentException(this + " is a row-concatenation of " + parts.size()
                    + " parts: only linear (as weight or bias) and toHost read it");
        }
        return parts.getFirst();
    }

    /** The segments holding consecutive row ranges: one for every tensor but a {@link #ofRows} weight. */
    List<MemorySegment> parts() {
        requireLive();
        return parts;
    }

    void requireLive() {
        if (freed) {
            throw new IllegalStateException(this + " was freed");
        }
    }

    public String name() {
        return name;
    }

    /** Marks the tensor freed; returns its memory block, null for a borrowed (weight) tensor. */
    synchronized TensorMemory.Block release() {
        if (freed) {
            throw new IllegalStateException(this + " was already freed");
        }
        freed = true;
        return block;
    }

    @Override
    public String toString() {
        return (name == null ? "tensor" : "tensor " + name) + " " + dtype + Arrays.toString(shape);
    }
}
