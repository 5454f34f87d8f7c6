package dev.sglj.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.Devices;
import dev.sglj.engine.compute.cuda.CudaBackend;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelLoadException;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.runner.CudaGraphRunner;
import dev.sglj.engine.runner.ModelRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sglj bench one-batch}: SGLang's {@code bench_one_batch} latency test. Loads the model,
 * warms up once (first batch size and input length, at most 32 output tokens), then measures every
 * (batch size, input length, output length) combination and appends one JSONL record per
 * combination to {@code --result-filename}.
 */
@Command(name = "one-batch",
        mixinStandardHelpOptions = true,
        description = "Latency of one static batch without a server: prefill, then greedy decode steps "
                + "(SGLang's bench_one_batch).")
public final class BenchOneBatchCommand implements Callable<Integer> {
    private static final int WARMUP_MAX_OUTPUT_LEN = 32;

    @Spec
    CommandSpec spec;

    @Option(names = "--model-path", required = true, description = "Hugging Face model directory (config.json, safetensors).")
    Path modelPath;

    @Option(names = "--load-format", defaultValue = "auto", description = "auto, safetensors or dummy (random weights). Default: ${DEFAULT-VALUE}.")
    String loadFormat;

    @Option(names = "--device", description = "cpu or cuda. Default: cuda when a GPU is present, else cpu.")
    String device;

    @Option(names = "--dtype", defaultValue = "auto",
            description = "Compute dtype: auto (cuda: bfloat16; cpu: float32), bfloat16 or float32 on cuda, float32 on cpu."
                    + " Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--batch-size", arity = "1..*", defaultValue = "1", description = "One or more batch sizes. Default: ${DEFAULT-VALUE}.")
    List<Integer> batchSizes;

    @Option(names = "--input-len", arity = "1..*", defaultValue = "1024", description = "One or more prompt lengths. Default: ${DEFAULT-VALUE}.")
    List<Integer> inputLens;

    @Option(names = "--output-len", arity = "1..*", defaultValue = "16", description = "One or more output lengths (tokens, the prefill's included). Default: ${DEFAULT-VALUE}.")
    List<Integer> outputLens;

    @Option(names = "--run-name", defaultValue = "default", description = "Name stored in each record. Default: ${DEFAULT-VALUE}.")
    String runName;

    @Option(names = "--result-filename", defaultValue = "result.jsonl", description = "JSONL file the records are appended to. Default: ${DEFAULT-VALUE}.")
    Path resultFile;

    @Option(names = "--max-total-tokens", description = "KV pool size in tokens. Default: enough for the largest batch; "
            + "combinations that do not fit are skipped.")
    Integer maxTotalTokens;

    @Option(names = "--max-prefill-tokens", defaultValue = "16384", description = "Prompt tokens one prefill forward may take; a larger batch prefills in several forwards of whole prompts. Default: ${DEFAULT-VALUE}.")
    int maxPrefillTokens;

    @Option(names = "--log-decode-step", defaultValue = "0", description = "Also print every N-th decode step (0: only the first five). Default: ${DEFAULT-VALUE}.")
    int logDecodeStep;

    @Option(names = "--random-seed", defaultValue = "0", description = "Seed of the synthetic prompts. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--cuda-graph-max-bs",
            description = "Largest decode batch captured in a CUDA graph (--device cuda). Default: 8, 24, 32 or 256 by GPU memory, as SGLang.")
    Integer cudaGraphMaxBs;

    @Option(names = "--disable-cuda-graph", description = "Run every decode step eagerly (--device cuda).")
    boolean disableCudaGraph;

    @Override
    public Integer call() {
        validate();
        LoadFormat format = parseLoadFormat();
        PrintWriter out = spec.commandLine().getOut();
        int poolTokens = maxTotalTokens != null ? maxTotalTokens : defaultPoolTokens();
        int maxRequests = Collections.max(batchSizes);
        int contextLength = Collections.max(inputLens) + Collections.max(outputLens);
        try (LoadedModel model = ModelLoader.load(modelPath, format);
             Backend backend = newBackend();
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), backend,
                     poolTokens, maxRequests, contextLength, cudaGraphBatchSizes(backend))) {
            out.println("max_total_num_tokens=" + poolTokens + ", cuda_graph_max_bs=" + runner.cudaGraphMaxBatchSize());
            OneBatchBenchmark bench = new OneBatchBenchmark(runner, out, logDecodeStep, maxPrefillTokens);

            out.println("Warmup ...");
            int warmupBatch = Math.min(batchSizes.getFirst(), bench.maxBatchSize(inputLens.getFirst(), outputLens.getFirst()));
            if (warmupBatch > 0) {
                bench.run(runName, bench.syntheticPrompts(warmupBatch, inputLens.getFirst(), seed),
                        Math.min(WARMUP_MAX_OUTPUT_LEN, outputLens.getFirst()));
            }
            out.println("Benchmark ...");
            List<OneBatchResult> results = new ArrayList<>();
            for (int bs : batchSizes) {
                for (int il : inputLens) {
                    for (int ol : outputLens) {
                        if (bs > bench.maxBatchSize(il, ol)) {
                            out.printf(Locale.ROOT, "skipping (%d, %d, %d) due to max batch size limit%n", bs, il, ol);
                            continue;
                        }
                        results.add(bench.run(runName, bench.syntheticPrompts(bs, il, seed), ol));
                    }
                }
            }
            appendResults(results);
            out.flush();
            return 0;
        } catch (ModelLoadException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
    }

    /** SGLang's captured sizes on the GPU (none on the CPU or with --disable-cuda-graph). */
    private List<Integer> cudaGraphBatchSizes(Backend backend) {
        if (!(backend instanceof CudaBackend gpu) || disableCudaGraph) return List.of();
        return CudaGraphRunner.captureSizes(cudaGraphMaxBs != null ? cudaGraphMaxBs
                : CudaGraphRunner.defaultMaxBatchSize(gpu.deviceInfo().totalBytes()));
    }

    private Backend newBackend() {
        return Devices.open(device, dtype);
    }

    /** Room for the largest batch at the longest lengths asked. */
    private int defaultPoolTokens() {
        long tokens = (long) Collections.max(batchSizes) * (Collections.max(inputLens) + Collections.max(outputLens));
        if (tokens > Integer.MAX_VALUE) {
            throw new ParameterException(spec.commandLine(), "batch size x (input + output length) = " + tokens
                    + " tokens is too large for one KV pool");
        }
        return (int) tokens;
    }

    private void validate() {
        try {
            if (device == null) device = Devices.detect();
            Devices.validateDtype(Devices.validate(device), dtype);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        requirePositive("--batch-size", batchSizes);
        requirePositive("--input-len", inputLens);
        requirePositive("--output-len", outputLens);
        if (maxTotalTokens != null && maxTotalTokens <= 0) {
            throw new ParameterException(spec.commandLine(), "--max-total-tokens must be positive (got " + maxTotalTokens + ")");
        }
        if (cudaGraphMaxBs != null && cudaGraphMaxBs <= 0) {
            throw new ParameterException(spec.commandLine(), "--cuda-graph-max-bs must be positive (got " + cudaGraphMaxBs + ")");
        }
        if (maxPrefillTokens <= 0) {
            throw new ParameterException(spec.commandLine(), "--max-prefill-tokens must be positive (got " + maxPrefillTokens + ")");
        }
        if (logDecodeStep < 0) {
            throw new ParameterException(spec.commandLine(), "--log-decode-step must be >= 0 (got " + logDecodeStep + ")");
        }
    }

    private void requirePositive(String flag, List<Integer> values) {
        for (int v : values) {
            if (v <= 0) throw new ParameterException(spec.commandLine(), flag + " values must be positive (got " + v + ")");
        }
    }

    private LoadFormat parseLoadFormat() {
        try {
            return LoadFormat.parse(loadFormat);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void appendResults(List<OneBatchResult> results) {
        if (results.isEmpty()) return;
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        try {
            for (OneBatchResult r : results) lines.append(json.writeValueAsString(r.jsonFields())).append('\n');
            Path parent = resultFile.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(resultFile, lines, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write --result-filename " + resultFile + ": " + e.getMessage(), e);
        }
    }
}
