package dev.sglj.engine.model;

/** SGLang's {@code --load-format} values that apply: real safetensors, or random weights. */
public enum LoadFormat {
    AUTO, SAFETENSORS, DUMMY;

    public static LoadFormat parse(String flag) {
        return switch (flag) {
            case "auto" -> AUTO;
            case "safetensors" -> SAFETENSORS;
            case "dummy" -> DUMMY;
            default -> throw new IllegalArgumentException(
                    "--load-format must be one of auto, safetensors, dummy (got '" + flag + "')");
        };
    }
}
