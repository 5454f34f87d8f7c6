package dev.sglj.cli;

import dev.sglj.engine.config.ServerArgs;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.sched.SchedulePolicy;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** SGLang's launch_server flags that apply to an engine, shared by every command that starts one. */
public final class ServerOptions {
    @Option(names = "--model-path", paramLabel = "DIR",
            description = "Hugging Face model directory (config.json + safetensors). Default: the built-in random-weight model.")
    Path modelPath;

    @Option(names = "--tokenizer-path", paramLabel = "DIR", description = "Tokenizer directory. Default: the model directory.")
    Path tokenizerPath;

    @Option(names = "--load-format", defaultValue = "auto",
            description = "auto, safetensors or dummy (random weights for the model's config). Default: ${DEFAULT-VALUE}.")
    String loadFormat;

    @Option(names = "--device", description = "cpu or cuda. Default: cuda when a GPU is present, else cpu.")
    String device;

    @Option(names = "--dtype", defaultValue = "auto",
            description = "Compute dtype: auto (cuda: bfloat16; cpu: float32), bfloat16 or float32 on cuda, float32 on cpu."
                    + " Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--mem-fraction-static",
            description = "Share of GPU memory for weights and the KV pool. Default: SGLang's heuristic.")
    Double memFractionStatic;

    @Option(names = "--context-length", description = "Maximum sequence length. Default: the model's max_position_embeddings.")
    Integer contextLength;

    @Option(names = "--max-total-tokens", description = "KV cache pool size in tokens. Default: derived from memory.")
    Integer maxTotalTokens;

    @Option(names = "--max-running-requests", description = "Most requests running at once.")
    Integer maxRunningRequests;

    @Option(names = "--chunked-prefill-size",
            description = "Most prompt tokens per step; -1 disables chunking. Default: by GPU memory as SGLang "
                    + "(8192 on an 80 GB card), " + ServerArgs.DEFAULT_CPU_CHUNKED_PREFILL + " on the CPU.")
    Integer chunkedPrefillSize;

    @Option(names = "--max-prefill-tokens", defaultValue = "" + ServerArgs.DEFAULT_MAX_PREFILL_TOKENS,
            description = "Token budget of one prefill batch. Default: ${DEFAULT-VALUE}.")
    int maxPrefillTokens;

    @Option(names = "--schedule-policy", defaultValue = "fcfs",
            description = "fcfs, lpm, dfs-weight or random. Default: ${DEFAULT-VALUE}.")
    String schedulePolicy;

    @Option(names = "--schedule-conservativeness", defaultValue = "1.0",
            description = "Scales the KV reserved for running requests' future tokens. Default: ${DEFAULT-VALUE}.")
    double scheduleConservativeness;

    @Option(names = "--disable-radix-cache", description = "Do not keep KV of finished requests for prefix reuse.")
    boolean disableRadixCache;

    @Option(names = "--enable-mixed-chunk", description = "Let decode tokens ride with a prefill chunk.")
    boolean enableMixedChunk;

    @Option(names = "--stream-interval", defaultValue = "1", description = "Stream every this many tokens. Default: ${DEFAULT-VALUE}.")
    int streamInterval;

    @Option(names = "--decode-log-interval", defaultValue = "" + ServerArgs.DEFAULT_DECODE_LOG_INTERVAL,
            description = "Log a decode batch line every this many steps. Default: ${DEFAULT-VALUE}.")
    int decodeLogInterval;

    @Option(names = "--random-seed", defaultValue = "0", description = "Seed for dummy weights and unseeded sampling. Default: ${DEFAULT-VALUE}.")
    long randomSeed;

    @Option(names = "--cuda-graph-max-bs",
            description = "Largest decode batch captured in a CUDA graph (--device cuda). Default: 8, 24, 32 or 256 by GPU memory, as SGLang.")
    Integer cudaGraphMaxBs;

    @Option(names = "--disable-cuda-graph", description = "Run every decode step eagerly (--device cuda).")
    boolean disableCudaGraph;

    @Option(names = "--disable-overlap-schedule",
            description = "Process each step's tokens before building the next step, instead of while the device runs it.")
    boolean disableOverlapSchedule;

    public ServerArgs toServerArgs() {
        return ServerArgs.builder().modelPath(modelPath).tokenizerPath(tokenizerPath)
                .loadFormat(LoadFormat.parse(loadFormat)).device(device).dtype(dtype).contextLength(contextLength)
                .maxTotalTokens(maxTotalTokens).memFractionStatic(memFractionStatic).maxRunningRequests(maxRunningRequests)
                .chunkedPrefillSize(chunkedPrefillSize).maxPrefillTokens(maxPrefillTokens)
                .schedulePolicy(SchedulePolicy.parse(schedulePolicy)).scheduleConservativeness(scheduleConservativeness)
                .disableRadixCache(disableRadixCache).enableMixedChunk(enableMixedChunk).streamInterval(streamInterval)
                .decodeLogInterval(decodeLogInterval).randomSeed(randomSeed)
                .cudaGraphMaxBs(cudaGraphMaxBs).disableCudaGraph(disableCudaGraph)
                .disableOverlapSchedule(disableOverlapSchedule).build().validate();
    }
}
