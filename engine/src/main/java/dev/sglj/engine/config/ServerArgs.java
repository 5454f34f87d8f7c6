package dev.sglj.engine.config;

import dev.sglj.engine.model.LoadFormat;
import java.nio.file.Path;

/**
 * The engine's settings, named after SGLang's launch_server flags. Nullable fields mean "derive
 * from the model or the machine" (SGLang's auto); {@link #validate()} rejects impossible values
 * with the flag's name.
 *
 * @param modelPath          HF model directory; null serves the built-in random-weight model
 * @param contextLength      null = the model's {@code max_position_embeddings}
 * @param maxTotalTokens     KV pool size in tokens; null = derived from the memory budget
 * @param chunkedPrefillSize most prompt tokens per step; -1 disables chunking
 */
public record ServerArgs(
        Path modelPath,
        Path tokenizerPath,
        LoadFormat loadFormat,
        String device,
        Integer contextLength,
        Integer maxTotalTokens,
        Integer maxRunningRequests,
        int chunkedPrefillSize,
        int maxPrefillTokens,
        long randomSeed) {

    public static final int DEFAULT_CPU_CHUNKED_PREFILL = 2048;
    public static final int DEFAULT_MAX_PREFILL_TOKENS = 16384;

    public static ServerArgs defaults() {
        return new ServerArgs(null, null, LoadFormat.AUTO, "cpu", null, null, null,
                DEFAULT_CPU_CHUNKED_PREFILL, DEFAULT_MAX_PREFILL_TOKENS, 0);
    }

    public ServerArgs withModelPath(Path p) {
        return new ServerArgs(p, tokenizerPath, loadFormat, device, contextLength, maxTotalTokens,
                maxRunningRequests, chunkedPrefillSize, maxPrefillTokens, randomSeed);
    }

    public ServerArgs withLoadFormat(LoadFormat f) {
        return new ServerArgs(modelPath, tokenizerPath, f, device, contextLength, maxTotalTokens,
                maxRunningRequests, chunkedPrefillSize, maxPrefillTokens, randomSeed);
    }

    public ServerArgs withMaxTotalTokens(Integer n) {
        return new ServerArgs(modelPath, tokenizerPath, loadFormat, device, contextLength, n,
                maxRunningRequests, chunkedPrefillSize, maxPrefillTokens, randomSeed);
    }

    public ServerArgs withMaxRunningRequests(Integer n) {
        return new ServerArgs(modelPath, tokenizerPath, loadFormat, device, contextLength, maxTotalTokens,
                n, chunkedPrefillSize, maxPrefillTokens, randomSeed);
    }

    public ServerArgs withChunkedPrefillSize(int n) {
        return new ServerArgs(modelPath, tokenizerPath, loadFormat, device, contextLength, maxTotalTokens,
                maxRunningRequests, n, maxPrefillTokens, randomSeed);
    }

    public ServerArgs withContextLength(Integer n) {
        return new ServerArgs(modelPath, tokenizerPath, loadFormat, device, n, maxTotalTokens,
                maxRunningRequests, chunkedPrefillSize, maxPrefillTokens, randomSeed);
    }

    /** @throws IllegalArgumentException naming the flag */
    public ServerArgs validate() {
        if (!device.equals("cpu")) {
            throw new IllegalArgumentException("--device " + device + " is not available in this build; use --device cpu");
        }
        positive("--context-length", contextLength);
        positive("--max-total-tokens", maxTotalTokens);
        positive("--max-running-requests", maxRunningRequests);
        if (chunkedPrefillSize == 0 || chunkedPrefillSize < -1) {
            throw new IllegalArgumentException("--chunked-prefill-size must be positive or -1 (disabled), got "
                    + chunkedPrefillSize);
        }
        positive("--max-prefill-tokens", maxPrefillTokens);
        return this;
    }

    private static void positive(String flag, Integer value) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException(flag + " must be positive, got " + value);
        }
    }
}
