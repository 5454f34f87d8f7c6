package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.util.Arrays;

/**
 * A row-major tensor in device memory. {@code hostInts} keeps the values of an I32 tensor made by
 * {@link CudaBackend#ints} so that indices can be checked on the host without a device read.
 */
final class CudaTensor implements Tensor {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long bytes;
    private long ptr;
    int[] hostInts;

    CudaTensor(String name, DType dtype, long[] shape, long ptr) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.bytes = Math.multiplyExact(Arrays.stream(shape).reduce(1, Math::multiplyExact), (long) dtype.bytes());
        this.ptr = ptr;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    long bytes() {
        return bytes;
    }

    /** The device address; fails on a freed tensor. */
    long ptr() {
        if (ptr == 0) throw new IllegalStateException("tensor " + this + " was freed");
        return ptr;
    }

    boolean freed() {
        return ptr == 0;
    }

    /** Marks the tensor freed and returns its address for the allocator. */
    long take() {
        long p = ptr();
        ptr = 0;
        return p;
    }

    @Override
    public String toString() {
        return (name == null ? "cuda tensor" : name) + " " + dtype + Arrays.toString(shape);
    }
}
