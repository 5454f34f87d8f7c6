package dev.sglj.cli;

import dev.sglj.engine.config.ServerArgs;
import dev.sglj.engine.model.LoadFormat;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** SGLang's launch_server flags that apply to an engine, shared by every command that starts one. */
public final class ServerOptions {
    @Option(names = "--model-path", paramLabel = "DIR",
            description = "Hugging Face model directory (config.json + safetensors). Default: the built-in random-weight model.")
    Path modelPath;

    @Option(names = "--tokenizer-path", paramLabel = "DIR", description = "Tokenizer directory. Default: the model directory.")
    Path tokenizerPath;

    @Option(names = "--load-format", defaultValue = "auto", description = "auto, safetensors or dummy (random weights for the model's config). Default: ${DEFAULT-VALUE}.")
    String loadFormat;

    @Option(names = "--device", defaultValue = "cpu", description = "Device to run on. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--context-length", description = "Maximum sequence length. Default: the model's max_position_embeddings.")
    Integer contextLength;

    @Option(names = "--max-total-tokens", description = "KV cache pool size in tokens. Default: derived from memory.")
    Integer maxTotalTokens;

    @Option(names = "--max-running-requests", description = "Most requests running at once.")
    Integer maxRunningRequests;

    @Option(names = "--chunked-prefill-size", defaultValue = "" + ServerArgs.DEFAULT_CPU_CHUNKED_PREFILL,
            description = "Most prompt tokens per step; -1 disables chunking. Default: ${DEFAULT-VALUE}.")
    int chunkedPrefillSize;

    @Option(names = "--max-prefill-tokens", defaultValue = "" + ServerArgs.DEFAULT_MAX_PREFILL_TOKENS,
            description = "Token budget of one prefill batch. Default: ${DEFAULT-VALUE}.")
    int maxPrefillTokens;

    @Option(names = "--random-seed", defaultValue = "0", description = "Seed for dummy weights and unseeded sampling. Default: ${DEFAULT-VALUE}.")
    long randomSeed;

    public ServerArgs toServerArgs() {
        return new ServerArgs(modelPath, tokenizerPath, LoadFormat.parse(loadFormat), device, contextLength,
                maxTotalTokens, maxRunningRequests, chunkedPrefillSize, maxPrefillTokens, randomSeed).validate();
    }
}
