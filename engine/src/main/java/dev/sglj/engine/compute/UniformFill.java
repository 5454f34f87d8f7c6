package dev.sglj.engine.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;

/**
 * Fills host memory with seeded uniform random values in a float dtype (dummy weights on the host):
 * a pure function of the seed, with each chunk of {@value #CHUNK} elements drawing from its own
 * splitmix64 stream (16 bits per element, so 65536 distinct values), so chunks fill in parallel.
 * Data is little-endian, as safetensors stores it.
 */
public final class UniformFill {
    static final int CHUNK = 1 << 20;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Every 16-bit draw's value pre-encoded per (dtype, range): filling is then a table lookup per element. */
    private static final Map<String, short[]> TABLES = new ConcurrentHashMap<>();

    private UniformFill() {}

    /**
     * Fills {@code seg} (elements of {@code dtype}: F32, F16 or BF16) uniformly in {@code [-range, range)}
     * from {@code seed}, or with {@code value} everywhere when {@code range} is 0.
     */
    public static void fill(MemorySegment seg, DType dtype, long seed, float range, float value) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("uniform fill needs a float dtype (got " + dtype + ")");
        }
        long numel = seg.byteSize() / dtype.bytes();
        long chunks = (numel + CHUNK - 1) / CHUNK;
        LongStream.range(0, chunks).parallel().forEach(c -> {
            long start = c * CHUNK;
            MemorySegment part = seg.asSlice(start * dtype.bytes(), Math.min(CHUNK, numel - start) * dtype.bytes());
            if (range == 0f) {
                fillConstant(part, dtype, value);
            } else {
                fillChunk(part, dtype, mix(seed ^ mix(c + 1)), range);
            }
        });
    }

    private static void fillConstant(MemorySegment seg, DType dtype, float value) {
        long count = seg.byteSize() / dtype.bytes();
        for (long j = 0; j < count; j++) {
            switch (dtype) {
                case F32 -> seg.setAtIndex(LE_FLOAT, j, value);
                case F16 -> seg.setAtIndex(LE_SHORT, j, Float.floatToFloat16(value));
                case BF16 -> seg.setAtIndex(LE_SHORT, j, toBf16(value));
                default -> throw new IllegalStateException(dtype.toString());
            }
        }
    }

    private static void fillChunk(MemorySegment seg, DType dtype, long state, float range) {
        long count = seg.byteSize() / dtype.bytes();
        if (dtype == DType.F32) {
            for (long j = 0; j < count; j++) {
                state += GOLDEN;
                seg.setAtIndex(LE_FLOAT, j, uniform(mix(state) >>> 48, range));
            }
            return;
        }
        short[] table = TABLES.computeIfAbsent(dtype + " " + range, k -> table(dtype, range));
        long j = 0;
        for (; j + 4 <= count; j += 4) {
            state += GOLDEN;
            long r = mix(state);
            long packed = (table[(int) (r & 0xFFFF)] & 0xFFFFL)
                    | (table[(int) ((r >>> 16) & 0xFFFF)] & 0xFFFFL) << 16
                    | (table[(int) ((r >>> 32) & 0xFFFF)] & 0xFFFFL) << 32
                    | (table[(int) (r >>> 48)] & 0xFFFFL) << 48;
            seg.set(LE_LONG, j * 2, packed);
        }
        for (; j < count; j++) {
            state += GOLDEN;
            seg.setAtIndex(LE_SHORT, j, table[(int) (mix(state) >>> 48)]);
        }
    }

    private static short[] table(DType dtype, float range) {
        short[] t = new short[1 << 16];
        for (int i = 0; i < t.length; i++) {
            float v = uniform(i, range);
            t[i] = dtype == DType.BF16 ? toBf16(v) : Float.floatToFloat16(v);
        }
        return t;
    }

    /** Maps 16 random bits to {@code [-range, range)}. */
    private static float uniform(long bits16, float range) {
        return (bits16 * 0x1p-15f - 1.0f) * range;
    }

    /** splitmix64's output function. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Round-to-nearest-even float to bfloat16 (inputs here are finite). */
    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
