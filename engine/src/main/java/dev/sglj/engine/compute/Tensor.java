package dev.sglj.engine.compute;

import java.util.Arrays;

/**
 * A tensor owned by a {@link Backend}: row-major, contiguous. Backends accept only their own
 * tensors. A 2-D view of {@code rows x cols} is the common case; weights are [out, in].
 */
public interface Tensor {
    DType dtype();

    long[] shape();

    default long rows() {
        long[] s = shape();
        return s.length == 1 ? 1 : s[0];
    }

    default long cols() {
        long[] s = shape();
        return s[s.length - 1];
    }

    default long numel() {
        return Arrays.stream(shape()).reduce(1, Math::multiplyExact);
    }
}
