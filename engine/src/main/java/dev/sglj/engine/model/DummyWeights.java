package dev.sglj.engine.model;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Random weights for {@code --load-format dummy}, as SGLang's dummy loader: every tensor uniform in
 * {@code [-RANGE, RANGE]} (SGLang's range), except norm weights, which are 1 so activations keep
 * their scale. Off-heap in one mapping ({@link HostMemory}: huge pages on Linux), in the config's
 * dtype, and a pure function of the seed: each chunk of {@value #CHUNK} elements draws from its own
 * splitmix64 stream (16 bits per element, so 65536 distinct values), so chunks fill in parallel.
 */
public final class DummyWeights implements WeightSource {
    public static final float RANGE = 1e-3f;
    static final int CHUNK = 1 << 20;
    /** Safetensors data is little-endian whatever the platform. */
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Every 16-bit random draw's value, pre-encoded: filling is then a table lookup per element. */
    private static final short[] BF16_TABLE = table(DummyWeights::toBf16);
    private static final short[] F16_TABLE = table(Float::floatToFloat16);

    private final Arena arena;
    private final Map<String, HostTensor> tensors;

    private DummyWeights(Arena arena, Map<String, HostTensor> tensors) {
        this.arena = arena;
        this.tensors = tensors;
    }

    /** Weights for every tensor {@code config} requires, in {@code config.torchDtype()}. */
    public static DummyWeights create(ModelConfig config, long seed) {
        return create(LlamaWeightNames.required(config), config.torchDtype(), seed);
    }

    public static DummyWeights create(List<LlamaWeightNames.TensorSpec> specs, DType dtype, long seed) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("dummy weights need a float dtype (got " + dtype + ")");
        }
        Arena arena = Arena.ofShared();
        try {
            long[] offsets = new long[specs.size() + 1];
            for (int i = 0; i < specs.size(); i++) {
                long bytes = Arrays.stream(specs.get(i).shape()).reduce(dtype.bytes(), Math::multiplyExact);
                offsets[i + 1] = offsets[i] + (bytes + 63) / 64 * 64;
            }
            MemorySegment memory = HostMemory.allocate(Math.max(offsets[specs.size()], 1), arena);
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            List<long[]> chunks = new ArrayList<>();
            List<HostTensor> ordered = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                LlamaWeightNames.TensorSpec spec = specs.get(i);
                long numel = Arrays.stream(spec.shape()).reduce(1, Math::multiplyExact);
                MemorySegment seg = memory.asSlice(offsets[i], numel * dtype.bytes());
                HostTensor t = new HostTensor(spec.name(), dtype, spec.shape().clone(), seg);
                if (tensors.put(spec.name(), t) != null) {
                    throw new IllegalArgumentException("tensor " + spec.name() + " listed twice");
                }
                ordered.add(t);
                for (long start = 0; start < numel; start += CHUNK) {
                    chunks.add(new long[] {i, start, Math.min(CHUNK, numel - start)});
                }
            }
            IntStream.range(0, chunks.size()).parallel().forEach(i -> {
                long[] c = chunks.get(i);
                HostTensor t = ordered.get((int) c[0]);
                fill(t, c[1], c[2], seed, c[0], c[1] / CHUNK);
            });
            return new DummyWeights(arena, Collections.unmodifiableMap(tensors));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static void fill(HostTensor t, long start, long count, long seed, long tensorIndex, long chunkIndex) {
        MemorySegment seg = t.data().asSlice(start * t.dtype().bytes(), count * t.dtype().bytes());
        if (LlamaWeightNames.isNorm(t.name())) {
            for (long j = 0; j < count; j++) {
                store(seg, t.dtype(), j, 1.0f);
            }
            return;
        }
        long state = mix(seed ^ mix(tensorIndex * 0x9E3779B97F4A7C15L + chunkIndex + 1));
        if (t.dtype() == DType.F32) {
            for (long j = 0; j < count; j++) {
                state += 0x9E3779B97F4A7C15L;
                seg.setAtIndex(LE_FLOAT, j, uniform(mix(state) >>> 48));
            }
            return;
        }
        short[] table = t.dtype() == DType.BF16 ? BF16_TABLE : F16_TABLE;
        long j = 0;
        for (; j + 4 <= count; j += 4) {
            state += 0x9E3779B97F4A7C15L;
            long r = mix(state);
            long packed = (table[(int) (r & 0xFFFF)] & 0xFFFFL)
                    | (table[(int) ((r >>> 16) & 0xFFFF)] & 0xFFFFL) << 16
                    | (table[(int) ((r >>> 32) & 0xFFFF)] & 0xFFFFL) << 32
                    | (table[(int) (r >>> 48)] & 0xFFFFL) << 48;
            seg.set(LE_LONG, j * 2, packed);
        }
        for (; j < count; j++) {
            state += 0x9E3779B97F4A7C15L;
            seg.setAtIndex(LE_SHORT, j, table[(int) (mix(state) >>> 48)]);
        }
    }

    private static short[] table(Function<Float, Short> encode) {
        short[] t = new short[1 << 16];
        for (int i = 0; i < t.length; i++) {
            t[i] = encode.apply(uniform(i));
        }
        return t;
    }

    /** Maps 16 random bits to {@code [-RANGE, RANGE)}. */
    private static float uniform(long bits16) {
        return (bits16 * 0x1p-15f - 1.0f) * RANGE;
    }

    /** splitmix64's output function. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void store(MemorySegment seg, DType dtype, long index, float v) {
        switch (dtype) {
            case F32 -> seg.setAtIndex(LE_FLOAT, index, v);
            case F16 -> seg.setAtIndex(LE_SHORT, index, Float.floatToFloat16(v));
            case BF16 -> seg.setAtIndex(LE_SHORT, index, toBf16(v));
            default -> throw new IllegalStateException(dtype.toString());
        }
    }

    /** Round-to-nearest-even float to bfloat16 (inputs here are finite). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public HostTensor get(String name, long... expectedShape) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new ModelLoadException("missing tensor " + name + " (looked in dummy weights)");
        }
        if (expectedShape.length > 0 && !Arrays.equals(t.shape(), expectedShape)) {
            throw new ModelLoadException(SafetensorsWeights.shapeMismatch(name, "dummy weights", t.shape(), expectedShape));
        }
        return t;
    }

    @Override
    public void close() {
        arena.close();
    }
}
