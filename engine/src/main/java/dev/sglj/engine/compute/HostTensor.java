package dev.sglj.engine.compute;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor in host memory as a checkpoint stores it (often a slice of a memory-mapped file),
 * before a backend takes it as a weight.
 */
public record HostTensor(String name, DType dtype, long[] shape, MemorySegment data) {
    public HostTensor {
        long expected = Arrays.stream(shape).reduce(1, Math::multiplyExact) * dtype.bytes();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.byteSize()
                    + " bytes for shape " + Arrays.toString(shape) + " " + dtype + " (expected " + expected + ")");
        }
    }

    public long numel() {
        return data.byteSize() / dtype.bytes();
    }

    /**
     * The shape of {@code parts} stacked by rows ({@code Backend.weightRows} {@code name}): the sum of their
     * first dimensions, every other dimension equal, and with {@code sameDtype} one dtype.
     */
    public static long[] stackedShape(String name, List<HostTensor> parts, boolean sameDtype) {
        if (parts.isEmpty()) throw new IllegalArgumentException("weightRows " + name + ": no parts");
        HostTensor first = parts.getFirst();
        long[] shape = first.shape().clone();
        long rows = 0;
        for (HostTensor p : parts) {
            long[] s = p.shape();
            if ((sameDtype && p.dtype() != first.dtype()) || s.length != shape.length
                    || !Arrays.equals(s, 1, s.length, shape, 1, shape.length)) {
                throw new IllegalArgumentException("weightRows " + name + ": part " + p.name() + " " + p.dtype()
                        + Arrays.toString(s) + " does not stack under " + first.name() + " " + first.dtype()
                        + Arrays.toString(shape));
            }
            rows += s[0];
        }
        shape[0] = rows;
        return shape;
    }
}
