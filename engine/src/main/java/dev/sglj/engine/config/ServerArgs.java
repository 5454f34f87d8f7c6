package dev.sglj.engine.config;

import dev.sglj.engine.compute.Devices;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.sched.SchedulePolicy;
import java.nio.file.Path;

/**
 * The engine's settings, named after SGLang's launch_server flags. Nullable fields mean "derive
 * from the model or the machine" (SGLang's auto); {@link #validate()} rejects impossible values
 * naming the flag.
 *
 * @param modelPath          HF model directory; null serves the built-in random-weight model
 * @param dtype              SGLang's {@code --dtype}: auto, or the compute dtype the device supports
 * @param contextLength      null = the model's {@code max_position_embeddings}
 * @param maxTotalTokens     KV pool size in tokens; null = derived from the memory budget
 * @param memFractionStatic  share of GPU memory for weights + KV pool; null = SGLang's heuristic
 * @param chunkedPrefillSize most prompt tokens per step; -1 disables chunking; null = SGLang's default by GPU
 *                           memory ({@link #defaultChunkedPrefillSize}), {@value #DEFAULT_CPU_CHUNKED_PREFILL} on the CPU
 * @param cudaGraphMaxBs     largest decode batch captured in a CUDA graph; null = SGLang's default for the GPU
 * @param disableCudaGraph   run every decode step eagerly on the GPU
 * @param disableOverlapSchedule process each step's tokens before building the next step (SGLang's
 *                           {@code --disable-overlap-schedule}); by default the host processes step N's
 *                           tokens while the device runs step N+1
 */
public record ServerArgs(
        Path modelPath,
        Path tokenizerPath,
        LoadFormat loadFormat,
        String device,
        String dtype,
        Integer contextLength,
        Integer maxTotalTokens,
        Double memFractionStatic,
        Integer maxRunningRequests,
        Integer chunkedPrefillSize,
        int maxPrefillTokens,
        SchedulePolicy schedulePolicy,
        double scheduleConservativeness,
        boolean disableRadixCache,
        boolean enableMixedChunk,
        int streamInterval,
        int decodeLogInterval,
        long randomSeed,
        Integer cudaGraphMaxBs,
        boolean disableCudaGraph,
        boolean disableOverlapSchedule) {

    public static final int DEFAULT_CPU_CHUNKED_PREFILL = 2048;
    public static final int DEFAULT_MAX_PREFILL_TOKENS = 16384;
    public static final int DEFAULT_DECODE_LOG_INTERVAL = 40;

    /**
     * SGLang's {@code --chunked-prefill-size} default for a GPU of {@code totalBytes}: below 35 GB 2048, below
     * 60 GB 4096, below 160 GB 8192, else 16384.
     */
    public static int defaultChunkedPrefillSize(long totalBytes) {
        double gb = totalBytes / (double) (1L << 30);
        return gb < 35 ? 2048 : gb < 60 ? 4096 : gb < 160 ? 8192 : 16384;
    }

    public static ServerArgs defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().modelPath(modelPath).tokenizerPath(tokenizerPath).loadFormat(loadFormat).device(device).dtype(dtype)
                .contextLength(contextLength).maxTotalTokens(maxTotalTokens).memFractionStatic(memFractionStatic)
                .maxRunningRequests(maxRunningRequests)
                .chunkedPrefillSize(chunkedPrefillSize).maxPrefillTokens(maxPrefillTokens)
                .schedulePolicy(schedulePolicy).scheduleConservativeness(scheduleConservativeness)
                .disableRadixCache(disableRadixCache).enableMixedChunk(enableMixedChunk)
                .streamInterval(streamInterval).decodeLogInterval(decodeLogInterval).randomSeed(randomSeed)
                .cudaGraphMaxBs(cudaGraphMaxBs).disableCudaGraph(disableCudaGraph)
                .disableOverlapSchedule(disableOverlapSchedule);
    }

    /** @throws IllegalArgumentException naming the flag */
    public ServerArgs validate() {
        Devices.validateDtype(Devices.validate(device), dtype);
        if (memFractionStatic != null && !(memFractionStatic > 0 && memFractionStatic < 1)) {
            throw new IllegalArgumentException("--mem-fraction-static must be in (0, 1), got " + memFractionStatic);
        }
        positive("--context-length", contextLength);
        positive("--max-total-tokens", maxTotalTokens);
        positive("--max-running-requests", maxRunningRequests);
        if (chunkedPrefillSize != null && (chunkedPrefillSize == 0 || chunkedPrefillSize < -1)) {
            throw new IllegalArgumentException("--chunked-prefill-size must be positive or -1 (disabled), got "
                    + chunkedPrefillSize);
        }
        positive("--max-prefill-tokens", maxPrefillTokens);
        positive("--stream-interval", streamInterval);
        positive("--decode-log-interval", decodeLogInterval);
        positive("--cuda-graph-max-bs", cudaGraphMaxBs);
        if (!(scheduleConservativeness > 0)) {
            throw new IllegalArgumentException("--schedule-conservativeness must be positive, got " + scheduleConservativeness);
        }
        return this;
    }

    private static void positive(String flag, Integer value) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException(flag + " must be positive, got " + value);
        }
    }

    /** Mutable form with SGLang's defaults, for the CLI and for embedding applications. */
    public static final class Builder {
        private Path modelPath;
        private Path tokenizerPath;
        private LoadFormat loadFormat = LoadFormat.AUTO;
        private String device;
        private String dtype = "auto";
        private Integer contextLength;
        private Integer maxTotalTokens;
        private Double memFractionStatic;
        private Integer maxRunningRequests;
        private Integer chunkedPrefillSize;
        private int maxPrefillTokens = DEFAULT_MAX_PREFILL_TOKENS;
        private SchedulePolicy schedulePolicy = SchedulePolicy.FCFS;
        private double scheduleConservativeness = 1.0;
        private boolean disableRadixCache;
        private boolean enableMixedChunk;
        private int streamInterval = 1;
        private int decodeLogInterval = DEFAULT_DECODE_LOG_INTERVAL;
        private long randomSeed;
        private Integer cudaGraphMaxBs;
        private boolean disableCudaGraph;
        private boolean disableOverlapSchedule;

        public Builder modelPath(Path v) { modelPath = v; return this; }
        public Builder tokenizerPath(Path v) { tokenizerPath = v; return this; }
        public Builder loadFormat(LoadFormat v) { loadFormat = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder dtype(String v) { dtype = v; return this; }
        public Builder contextLength(Integer v) { contextLength = v; return this; }
        public Builder maxTotalTokens(Integer v) { maxTotalTokens = v; return this; }
        public Builder memFractionStatic(Double v) { memFractionStatic = v; return this; }
        public Builder maxRunningRequests(Integer v) { maxRunningRequests = v; return this; }
        public Builder chunkedPrefillSize(Integer v) { chunkedPrefillSize = v; return this; }
        public Builder maxPrefillTokens(int v) { maxPrefillTokens = v; return this; }
        public Builder schedulePolicy(SchedulePolicy v) { schedulePolicy = v; return this; }
        public Builder scheduleConservativeness(double v) { scheduleConservativeness = v; return this; }
        public Builder disableRadixCache(boolean v) { disableRadixCache = v; return this; }
        public Builder enableMixedChunk(boolean v) { enableMixedChunk = v; return this; }
        public Builder streamInterval(int v) { streamInterval = v; return this; }
        public Builder decodeLogInterval(int v) { decodeLogInterval = v; return this; }
        public Builder randomSeed(long v) { randomSeed = v; return this; }
        public Builder cudaGraphMaxBs(Integer v) { cudaGraphMaxBs = v; return this; }
        public Builder disableCudaGraph(boolean v) { disableCudaGraph = v; return this; }
        public Builder disableOverlapSchedule(boolean v) { disableOverlapSchedule = v; return this; }

        public ServerArgs build() {
            String resolvedDevice = device != null ? device : Devices.detect();
            return new ServerArgs(modelPath, tokenizerPath, loadFormat, resolvedDevice, dtype, contextLength, maxTotalTokens,
                    memFractionStatic, maxRunningRequests, chunkedPrefillSize, maxPrefillTokens, schedulePolicy, scheduleConservativeness,
                    disableRadixCache, enableMixedChunk, streamInterval, decodeLogInterval, randomSeed,
                    cudaGraphMaxBs, disableCudaGraph, disableOverlapSchedule);
        }
    }
}
