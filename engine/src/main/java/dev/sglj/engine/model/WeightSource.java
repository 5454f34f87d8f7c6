package dev.sglj.engine.model;

import dev.sglj.engine.compute.HostTensor;
import java.util.Set;

/** Named checkpoint tensors (memory-mapped safetensors or dummy random weights). */
public interface WeightSource extends AutoCloseable {
    Set<String> names();

    /**
     * The tensor of that name, checked against the expected shape (no check when none is given).
     *
     * @throws ModelLoadException naming the tensor (and its file) when missing or of another shape
     */
    HostTensor get(String name, long... expectedShape);

    boolean has(String name);

    @Override
    void close();
}
