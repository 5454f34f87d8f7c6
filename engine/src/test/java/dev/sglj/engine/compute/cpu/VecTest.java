package dev.sglj.engine.compute.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class VecTest {
    /** Every one of the 65536 half-precision bit patterns, vector path against the JDK's scalar conversion. */
    @Test
    void f16ConversionMatchesFloat16ToFloatForAllBitPatterns() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(65536 * 2 + 6);
            for (int i = 0; i < 65536; i++) {
                s.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) i);
            }
            float[] converted = new float[65536 + 3];
            Vec.toFloats(DType.F16, s, 0, converted, 0, converted.length);
            for (int i = 0; i < 65536; i++) {
                float expected = Float.float16ToFloat((short) i);
                if (Float.isNaN(expected)) {
                    assertThat(converted[i]).as("half 0x%04x", i).isNaN();
                } else {
                    assertThat(Float.floatToRawIntBits(converted[i])).as("half 0x%04x", i)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
    }

    @Test
    void bf16ConversionIsTheTopHalfOfAFloat() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(65536 * 2 + 2);
            for (int i = 0; i < 65536; i++) {
                s.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) i);
            }
            float[] converted = new float[65536 + 1];
            Vec.toFloats(DType.BF16, s, 0, converted, 0, converted.length);
            for (int i = 0; i < 65536; i++) {
                assertThat(Float.floatToRawIntBits(converted[i])).as("bf16 0x%04x", i).isEqualTo(i << 16);
            }
        }
    }
}
