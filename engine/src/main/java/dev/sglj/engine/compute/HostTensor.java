package dev.sglj.engine.compute;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

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
}
