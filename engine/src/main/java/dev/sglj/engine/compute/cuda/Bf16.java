package dev.sglj.engine.compute.cuda;

/** bfloat16 bit conversions on the host, matching the kernels' (round to nearest even, NaN kept). */
public final class Bf16 {
    private Bf16() {}

    public static short fromFloat(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** {@code v} rounded to the nearest bfloat16. */
    public static float round(float v) {
        return toFloat(fromFloat(v));
    }
}
