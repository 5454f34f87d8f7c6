package dev.sglj.engine.compute;

/** Element types of device tensors and checkpoint tensors. */
public enum DType {
    F32(4), F16(2), BF16(2), I32(4);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype a safetensors header names ("F32", "F16", "BF16", "I32"), or null if unsupported. */
    public static DType fromSafetensors(String name) {
        return switch (name) {
            case "F32" -> F32;
            case "F16" -> F16;
            case "BF16" -> BF16;
            case "I32" -> I32;
            default -> null;
        };
    }
}
