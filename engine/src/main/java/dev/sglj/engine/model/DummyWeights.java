package dev.sglj.engine.model;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostMemory;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.UniformFill;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Random weights for {@code --load-format dummy}, as SGLang's dummy loader: every tensor uniform in
 * {@code [-RANGE, RANGE)} (SGLang's range), except norm weights, which are 1 so activations keep
 * their scale. Each tensor is a pure function of the seed and its name ({@link #tensorSeed}).
 *
 * <p>A model loads them with {@link #load}/{@link #loadRows}, which have the backend fill its own
 * memory ({@link Backend#dummyWeight}: on the device for CUDA), so no host copy is ever built for
 * it. {@link #get} makes a tensor in host memory ({@link HostMemory}, in the config's dtype) on first
 * use, with the same values the CPU backend's fill gives.
 */
public final class DummyWeights implements WeightSource {
    public static final float RANGE = 1e-3f;

    private final Map<String, LlamaWeightNames.TensorSpec> specs;
    private final DType dtype;
    private final long seed;
    private final Arena arena = Arena.ofShared();
    private final Map<String, HostTensor> made = new ConcurrentHashMap<>();

    private DummyWeights(Map<String, LlamaWeightNames.TensorSpec> specs, DType dtype, long seed) {
        this.specs = specs;
        this.dtype = dtype;
        this.seed = seed;
    }

    /** Weights for every tensor {@code config} requires, in {@code config.torchDtype()}. */
    public static DummyWeights create(ModelConfig config, long seed) {
        return create(LlamaWeightNames.required(config), config.torchDtype(), seed);
    }

    public static DummyWeights create(List<LlamaWeightNames.TensorSpec> specs, DType dtype, long seed) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("dummy weights need a float dtype (got " + dtype + ")");
        }
        Map<String, LlamaWeightNames.TensorSpec> byName = new LinkedHashMap<>();
        for (LlamaWeightNames.TensorSpec spec : specs) {
            if (byName.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("tensor " + spec.name() + " listed twice");
            }
        }
        return new DummyWeights(Collections.unmodifiableMap(byName), dtype, seed);
    }

    /** The seed of tensor {@code name}'s values: the model seed mixed with a 64-bit FNV-1a hash of the name. */
    static long tensorSeed(long seed, String name) {
        long h = 0xCBF29CE484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001B3L;
        }
        return UniformFill.mix(seed ^ UniformFill.mix(h));
    }

    @Override
    public Set<String> names() {
        return specs.keySet();
    }

    @Override
    public boolean has(String name) {
        return specs.containsKey(name);
    }

    @Override
    public HostTensor get(String name, long... expectedShape) {
        LlamaWeightNames.TensorSpec spec = spec(name, expectedShape);
        return made.computeIfAbsent(name, n -> {
            long bytes = Arrays.stream(spec.shape()).reduce(dtype.bytes(), Math::multiplyExact);
            MemorySegment seg = HostMemory.allocate(Math.max(bytes, 1), arena).asSlice(0, bytes);
            fill(n, seg);
            return new HostTensor(n, dtype, spec.shape().clone(), seg);
        });
    }

    private void fill(String name, MemorySegment seg) {
        boolean norm = LlamaWeightNames.isNorm(name);
        UniformFill.fill(seg, dtype, tensorSeed(seed, name), norm ? 0f : RANGE, norm ? 1f : 0f);
    }

    @Override
    public Tensor load(Backend backend, LlamaWeightNames.TensorSpec spec) {
        spec(spec.name(), spec.shape());
        return dummy(backend, spec.name(), spec.shape());
    }

    /** One tensor filled as a whole, under the fused name (the parts' own values are not reproduced). */
    @Override
    public Tensor loadRows(Backend backend, String name, List<LlamaWeightNames.TensorSpec> parts) {
        for (LlamaWeightNames.TensorSpec part : parts) spec(part.name(), part.shape());
        return dummy(backend, name, LlamaWeightNames.concatRows(parts));
    }

    private Tensor dummy(Backend backend, String name, long[] shape) {
        boolean norm = LlamaWeightNames.isNorm(name);
        return backend.dummyWeight(name, dtype, shape, tensorSeed(seed, name), norm ? 0f : RANGE, norm ? 1f : 0f);
    }

    private LlamaWeightNames.TensorSpec spec(String name, long[] expectedShape) {
        LlamaWeightNames.TensorSpec spec = specs.get(name);
        if (spec == null) {
            throw new ModelLoadException("missing tensor " + name + " (looked in dummy weights)");
        }
        if (expectedShape.length > 0 && !Arrays.equals(spec.shape(), expectedShape)) {
            throw new ModelLoadException(SafetensorsWeights.shapeMismatch(name, "dummy weights", spec.shape(), expectedShape));
        }
        return spec;
    }

    @Override
    public void close() {
        arena.close();
    }
}
