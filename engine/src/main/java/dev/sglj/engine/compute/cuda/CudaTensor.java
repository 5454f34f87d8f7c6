package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.util.Arrays;

/**
 * A row-major tensor in device memory: an allocation of its own, or a {@link #view} of part of one. {@code hostInts}
 * keeps the values of an I32 tensor made by {@link CudaBackend#ints} (or a {@link PackedInts} vector) so that
 * indices can be checked on the host without a device read.
 */
final class CudaTensor implements Tensor {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long bytes;
    private long ptr;
    /** The tensor whose memory a view shares (null for an allocation), and the view's byte offset in it. */
    private final CudaTensor base;
    private final long offset;
    int[] hostInts;

    CudaTensor(String name, DType dtype, long[] shape, long ptr) {
        this(name, dtype, shape, ptr, null, 0);
    }

    private CudaTensor(String name, DType dtype, long[] shape, long ptr, CudaTensor base, long offset) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.bytes = Math.multiplyExact(Arrays.stream(shape).reduce(1, Math::multiplyExact), (long) dtype.bytes());
        this.ptr = ptr;
        this.base = base;
        this.offset = offset;
    }

    /**
     * A tensor of this dtype and {@code shape} over this tensor's bytes from {@code offset}: valid while this
     * tensor is, freed with it and never on its own.
     */
    CudaTensor view(String name, long offset, long[] shape) {
        if (base != null) throw new IllegalArgumentException("view of " + this + ": already a view");
        CudaTensor v = new CudaTensor(name, dtype, shape, 0, this, offset);
        if (offset < 0 || offset % dtype.bytes() != 0 || offset + v.bytes > bytes) {
            throw new IllegalArgumentException("view " + v + " at byte " + offset + " outside " + this);
        }
        return v;
    }

    /** Whether this is a {@link #view} of another tensor. */
    boolean isView() {
        return base != null;
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
        if (base != null) return base.ptr() + offset;
        if (ptr == 0) throw new IllegalStateException("tensor " + this + " was freed");
        return ptr;
    }

    /** Whether the data starts on a boundary of {@code bytes}, as the kernels' vector accesses need. */
    boolean alignedTo(int bytes) {
        return ptr() % bytes == 0;
    }

    boolean freed() {
        return base != null ? base.freed() : ptr == 0;
    }

    /** Marks the tensor freed and returns its address for the allocator; not for a view. */
    long take() {
        if (base != null) throw new IllegalStateException(this + " is a view, freed with the tensor it views");
        long p = ptr();
        ptr = 0;
        return p;
    }

    @Override
    public String toString() {
        return (name == null ? "cuda tensor" : name) + " " + dtype + Arrays.toString(shape);
    }
}
