package dev.sglj.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The {@code --backend} names, each mapped to the API shape it speaks and its server's default port. */
public enum Backend {
    SGLANG("sglang", new ApiShape.Native(), 30000),
    SGLANG_OAI("sglang-oai", new ApiShape.Completions(), 30000),
    SGLANG_OAI_CHAT("sglang-oai-chat", new ApiShape.Chat(), 30000),
    VLLM("vllm", new ApiShape.Completions(), 8000),
    OPENAI("openai", new ApiShape.Chat(), 30000);

    private final String cliName;
    private final ApiShape shape;
    private final int defaultPort;

    Backend(String cliName, ApiShape shape, int defaultPort) {
        this.cliName = cliName;
        this.shape = shape;
        this.defaultPort = defaultPort;
    }

    public String cliName() {
        return cliName;
    }

    public ApiShape shape() {
        return shape;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Whether SGLang's bench sends {@code ignore_eos} for this backend (its chat requests do not). */
    public boolean sendsIgnoreEos() {
        return !(shape instanceof ApiShape.Chat);
    }

    public static Backend parse(String name) {
        for (Backend b : values()) {
            if (b.cliName.equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown --backend '" + name + "'; allowed: " + allowed());
    }

    public static String allowed() {
        return Arrays.stream(values()).map(Backend::cliName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
