package dev.sglj.engine.compute.cpu;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** A row-major tensor in host memory: owned (an arena that {@link CpuBackend#free} closes) or borrowed. */
public final class CpuTensor implements Tensor {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final MemorySegment data;
    private final Arena arena;
    private final long rows;
    private final long cols;
    private volatile boolean freed;

    CpuTensor(String name, DType dtype, long[] shape, MemorySegment data, Arena arena) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        this.arena = arena;
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
    @Override
    public long rows() {
        return rows;
    }

    /** Elements per row: the product of the dimensions after the first (numel for a 1-D tensor). */
    @Override
    public long cols() {
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

    boolean owned() {
        return arena != null;
    }

    synchronized void release() {
        if (freed) {
            throw new IllegalStateException(this + " was already freed");
        }
        freed = true;
        if (arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return (name == null ? "tensor" : "tensor " + name) + " " + dtype + Arrays.toString(shape);
    }
}
