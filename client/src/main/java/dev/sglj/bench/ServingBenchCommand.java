package dev.sglj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sglj.client.LlmHttpClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sglj bench serving}: SGLang's bench_serving against a running server. */
@Command(name = "serving", mixinStandardHelpOptions = true,
        description = "Benchmark the online serving throughput of a running server (SGLang's bench_serving).")
public final class ServingBenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", defaultValue = "sglang",
            description = "sglang (/generate), sglang-oai, vllm (/v1/completions), sglang-oai-chat, openai "
                    + "(/v1/chat/completions). Default: ${DEFAULT-VALUE}.")
    String backend;
    @Option(names = "--base-url", description = "Server base URL; overrides --host and --port.")
    String baseUrl;
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Default: ${DEFAULT-VALUE}.")
    String host;
    @Option(names = "--port", description = "Default: the backend's usual port (30000; vllm 8000).")
    Integer port;
    @Option(names = "--dataset-name", defaultValue = "sharegpt",
            description = "sharegpt, random, random-ids, generated-shared-prefix. Default: ${DEFAULT-VALUE}.")
    String datasetName;
    @Option(names = "--dataset-path", description = "Local ShareGPT JSON file (sharegpt; random's prompt source).")
    Path datasetPath;
    @Option(names = "--model", description = "Model name sent to OpenAI APIs; default: the server's /v1/models.")
    String model;
    @Option(names = "--tokenizer", description = "Directory with tokenizer.json (or the file) for token counts; "
            + "without it the server's counts are used.")
    Path tokenizerPath;
    @Option(names = "--num-prompts", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}.")
    int numPrompts;
    @Option(names = "--sharegpt-output-len", description = "Output length for every ShareGPT request.")
    Integer sharegptOutputLen;
    @Option(names = "--sharegpt-context-len", description = "Drop ShareGPT requests longer than this in total.")
    Integer sharegptContextLen;
    @Option(names = "--random-input-len", defaultValue = "1024", description = "Default: ${DEFAULT-VALUE}.")
    int randomInputLen;
    @Option(names = "--random-output-len", defaultValue = "1024", description = "Default: ${DEFAULT-VALUE}.")
    int randomOutputLen;
    @Option(names = "--random-range-ratio", defaultValue = "0.0",
            description = "Lengths are drawn from [len * ratio, len]. Default: ${DEFAULT-VALUE}.")
    double randomRangeRatio;
    @Option(names = "--request-rate", defaultValue = "inf",
            description = "Requests per second (Poisson arrivals); inf sends all at once. Default: ${DEFAULT-VALUE}.")
    String requestRate;
    @Option(names = "--max-concurrency", description = "Most requests in flight at once.")
    Integer maxConcurrency;
    @Option(names = "--output-file", description = "Append one JSON line with every metric to this file.")
    Path outputFile;
    @Option(names = "--output-details", description = "Add per-request details to the --output-file record.")
    boolean outputDetails;
    @Option(names = "--flush-cache", description = "Flush the server's prefix cache before the measured run.")
    boolean flushCache;
    @Option(names = "--disable-tqdm", description = "No progress bar.")
    boolean disableProgress;
    @Option(names = "--disable-stream", description = "Send non-streaming requests.")
    boolean disableStream;
    @Option(names = "--disable-ignore-eos", description = "Let requests stop at EOS.")
    boolean disableIgnoreEos;
    @Option(names = "--seed", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    long seed;
    @Option(names = "--extra-request-body", paramLabel = "JSON",
            description = "JSON object merged into every request body.")
    String extraRequestBody;
    @Option(names = "--warmup-requests", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int warmupRequests;
    @Option(names = "--gsp-num-groups", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int gspNumGroups;
    @Option(names = "--gsp-prompts-per-group", defaultValue = "16", description = "Default: ${DEFAULT-VALUE}.")
    int gspPromptsPerGroup;
    @Option(names = "--gsp-system-prompt-len", defaultValue = "2048", description = "Default: ${DEFAULT-VALUE}.")
    int gspSystemPromptLen;
    @Option(names = "--gsp-question-len", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
    int gspQuestionLen;
    @Option(names = "--gsp-output-len", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.")
    int gspOutputLen;
    @Option(names = "--plot", paramLabel = "FILE.png",
            description = "Draw TTFT/ITL histograms and throughput over time into this PNG.")
    Path plot;

    /** The pause between warmup and the measured run (tests shorten it). */
    Duration pauseAfterWarmup = Duration.ofSeconds(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Backend chosen = Backend.parse(backend);
        double rate = parseRate(requestRate);
        ObjectNode extra = parseExtraBody(extraRequestBody);
        URI base = URI.create(baseUrl != null ? baseUrl
                : "http://" + host + ":" + (port != null ? port : chosen.defaultPort()));
        LlmHttpClient client = new LlmHttpClient(base, System.getenv("OPENAI_API_KEY"));
        String modelName = model != null ? model : ServerModel.resolve(client, chosen);

        LocalTokenizer tokenizer = openTokenizer(modelName);
        try {
            Random rng = new Random(seed);
            List<DatasetRow> rows = dataset(rng, tokenizer);
            out.println("#Input tokens: " + rows.stream().mapToLong(DatasetRow::promptLen).sum());
            out.println("#Output tokens: " + rows.stream().mapToLong(DatasetRow::outputLen).sum());
            out.flush();

            ServingBenchmark.Settings settings = new ServingBenchmark.Settings(chosen, modelName, rate,
                    maxConcurrency, warmupRequests, !disableStream, !disableIgnoreEos, extra, seed, flushCache,
                    pauseAfterWarmup);
            PrintWriter bar = disableProgress ? null : spec.commandLine().getErr();
            ServingBenchmark benchmark = new ServingBenchmark(client, settings, tokenizer, out, bar);
            ServingBenchmark.Run run = benchmark.run(rows);
            out.print(ResultBlock.format(chosen.cliName(), rate, maxConcurrency, run.durationS(), run.metrics()));
            out.flush();
            if (outputFile != null) {
                appendRecord(chosen, rate, run, benchmark);
            }
            if (plot != null) {
                BenchPlot.write(plot, run);
                out.println("Plot written to " + plot);
            }
            return run.metrics().completed() > 0 ? 0 : 1;
        } finally {
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
    }

    private List<DatasetRow> dataset(Random rng, LocalTokenizer tokenizer) {
        if (numPrompts < 1) {
            throw new IllegalArgumentException("--num-prompts must be >= 1, got " + numPrompts);
        }
        return switch (datasetName) {
            case "sharegpt" -> {
                if (datasetPath == null) {
                    throw new IllegalArgumentException(
                            "--dataset-name sharegpt needs --dataset-path (a local ShareGPT JSON file)");
                }
                yield Datasets.sharegpt(datasetPath, numPrompts, rng, tokenizer, sharegptOutputLen,
                        sharegptContextLen);
            }
            case "random" -> Datasets.random(randomInputLen, randomOutputLen, randomRangeRatio, numPrompts, rng,
                    tokenizer, datasetPath);
            case "random-ids" -> Datasets.random(randomInputLen, randomOutputLen, randomRangeRatio, numPrompts, rng,
                    tokenizer, null);
            case "generated-shared-prefix" -> Datasets.generatedSharedPrefix(gspNumGroups, gspPromptsPerGroup,
                    gspSystemPromptLen, gspQuestionLen, gspOutputLen, rng, tokenizer);
            default -> throw new IllegalArgumentException("unknown --dataset-name '" + datasetName
                    + "'; allowed: sharegpt, random, random-ids, generated-shared-prefix");
        };
    }

    /** --tokenizer, or else --model when it names a local directory holding a tokenizer.json (as SGLang does). */
    private LocalTokenizer openTokenizer(String modelName) {
        if (tokenizerPath != null) {
            return LocalTokenizer.load(tokenizerPath);
        }
        if (modelName != null) {
            try {
                Path dir = Path.of(modelName);
                if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
                    return LocalTokenizer.load(dir);
                }
            } catch (java.nio.file.InvalidPathException ignored) {
                // a hub-style model name, not a path
            }
        }
        return null;
    }

    static double parseRate(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        double rate;
        if (t.equals("inf") || t.equals("infinity")) {
            rate = Double.POSITIVE_INFINITY;
        } else {
            try {
                rate = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--request-rate must be a number or inf, got '" + text + "'");
            }
        }
        if (!(rate > 0)) {
            throw new IllegalArgumentException("--request-rate must be > 0, got " + text);
        }
        return rate;
    }

    static ObjectNode parseExtraBody(String text) {
        if (text == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException("--extra-request-body must be a JSON object, got: " + text);
            }
            return object;
        } catch (IOException e) {
            throw new IllegalArgumentException("--extra-request-body is not valid JSON: " + e.getMessage(), e);
        }
    }

    private void appendRecord(Backend chosen, double rate, ServingBenchmark.Run run, ServingBenchmark counter)
            throws IOException {
        ServingMetrics m = run.metrics();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("backend", chosen.cliName());
        record.put("dataset_name", datasetName);
        record.put("request_rate", rate);
        record.put("max_concurrency", maxConcurrency);
        record.put("sharegpt_output_len", sharegptOutputLen);
        record.put("random_input_len", randomInputLen);
        record.put("random_output_len", randomOutputLen);
        record.put("random_range_ratio", randomRangeRatio);
        record.put("num_prompts", numPrompts);
        record.put("seed", seed);
        record.put("duration", run.durationS());
        record.put("completed", m.completed());
        record.put("total_input_tokens", m.totalInput());
        record.put("total_output_tokens", m.totalOutput());
        record.put("total_output_tokens_retokenized", m.totalOutputRetokenized());
        record.put("request_throughput", m.requestThroughput());
        record.put("input_throughput", m.inputThroughput());
        record.put("output_throughput", m.outputThroughput());
        record.put("output_throughput_retokenized", m.outputThroughputRetokenized());
        record.put("total_throughput", m.totalThroughput());
        record.put("total_throughput_retokenized", m.totalThroughputRetokenized());
        record.put("mean_e2e_latency_ms", m.meanE2eLatencyMs());
        record.put("median_e2e_latency_ms", m.medianE2eLatencyMs());
        record.put("std_e2e_latency_ms", m.stdE2eLatencyMs());
        record.put("p99_e2e_latency_ms", m.p99E2eLatencyMs());
        record.put("mean_ttft_ms", m.meanTtftMs());
        record.put("median_ttft_ms", m.medianTtftMs());
        record.put("std_ttft_ms", m.stdTtftMs());
        record.put("p99_ttft_ms", m.p99TtftMs());
        record.put("mean_tpot_ms", m.meanTpotMs());
        record.put("median_tpot_ms", m.medianTpotMs());
        record.put("std_tpot_ms", m.stdTpotMs());
        record.put("p99_tpot_ms", m.p99TpotMs());
        record.put("mean_itl_ms", m.meanItlMs());
        record.put("median_itl_ms", m.medianItlMs());
        record.put("std_itl_ms", m.stdItlMs());
        record.put("p95_itl_ms", m.p95ItlMs());
        record.put("p99_itl_ms", m.p99ItlMs());
        record.put("max_itl_ms", m.maxItlMs());
        record.put("concurrency", m.concurrency());
        if (outputDetails) {
            List<RequestOutcome> outcomes = run.outcomes();
            record.put("input_lens", outcomes.stream().map(RequestOutcome::promptLen).toList());
            record.put("output_lens", outcomes.stream().map(o -> o.success() ? o.outputLen() : 0).toList());
            record.put("output_lens_retokenized", outcomes.stream()
                    .map(o -> o.success() ? counter.retokenizedLength(o) : 0).toList());
            record.put("ttfts", outcomes.stream().map(RequestOutcome::ttft).toList());
            record.put("itls", outcomes.stream().map(RequestOutcome::itl).toList());
            record.put("generated_texts", outcomes.stream().map(RequestOutcome::generatedText).toList());
            record.put("errors", outcomes.stream().map(RequestOutcome::error).toList());
        }
        Files.writeString(outputFile, JSON.writeValueAsString(record) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
