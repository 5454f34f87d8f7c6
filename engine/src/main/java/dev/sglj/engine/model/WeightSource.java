package dev.sglj.engine.model;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** The file holding {@code name}, or null when the tensor does not come from a file. */
    default Path fileOf(String name) {
        return null;
    }

    /** The tensor on {@code backend}, checked against the spec's shape. */
    default Tensor load(Backend backend, LlamaWeightNames.TensorSpec spec) {
        return backend.weight(get(spec.name(), spec.shape()));
    }

    /**
     * One tensor named {@code name} on {@code backend} whose rows are the rows of {@code parts} in order
     * (see {@link Backend#weightRows}), each part checked against its spec's shape.
     */
    default Tensor loadRows(Backend backend, String name, List<LlamaWeightNames.TensorSpec> parts) {
        List<HostTensor> hosts = new ArrayList<>(parts.size());
        for (LlamaWeightNames.TensorSpec part : parts) hosts.add(get(part.name(), part.shape()));
        return backend.weightRows(name, hosts);
    }

    @Override
    void close();
}
