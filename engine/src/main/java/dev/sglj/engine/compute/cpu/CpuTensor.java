package dev.sglj.engine.compute.cpu;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** A row-major tensor in host memory: owned (a block that {@link CpuBackend#free} gives back) or borrowed. */
public final class CpuTensor implements Tensor {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final MemorySegment data;
    private final TensorMemory.Block block;
    private final long rows;
    private final long cols;
    private volatile boolean freed;

    CpuTensor(String name, DType dtype, long[] shape, MemorySegment data, TensorMemory.Block block) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        this.block = block;
        long numel = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        this.rows = shape.length <= 1 ? 1 : shape[0];
        this.cols = shape.length <= 1 ? numel : Arrays.stream(shape, 1, shape.length).reduce(1, Math::multiplyExact);
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
        if (freed) {
            throw new IllegalStateException(this + " was freed");
        }
        return data;
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
