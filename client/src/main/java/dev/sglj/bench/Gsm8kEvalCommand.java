package dev.sglj.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sglj.client.LlmHttpClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sglj eval gsm8k}: few-shot GSM8K accuracy of a running server (SGLang's benchmark/gsm8k). */
@Command(name = "gsm8k", mixinStandardHelpOptions = true,
        description = "Few-shot GSM8K accuracy of a running server (SGLang's benchmark/gsm8k/bench_sglang.py).")
public final class Gsm8kEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-path", defaultValue = "test.jsonl",
            description = "GSM8K JSONL (question, answer ending '#### N'); never downloaded. Default: ${DEFAULT-VALUE}.")
    Path dataPath;
    @Option(names = "--shots-path", description = "JSONL to take the few-shot examples from; default: --data-path.")
    Path shotsPath;
    @Option(names = "--num-shots", defaultValue = "5", description = "Default: ${DEFAULT-VALUE}.")
    int numShots;
    @Option(names = "--num-questions", defaultValue = "200", description = "Default: ${DEFAULT-VALUE}.")
    int numQuestions;
    @Option(names = "--parallel", defaultValue = "64", description = "Requests in flight. Default: ${DEFAULT-VALUE}.")
    int parallel;
    @Option(names = "--max-new-tokens", defaultValue = "512", description = "Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;
    @Option(names = "--backend", defaultValue = "sglang",
            description = "sglang (/generate), sglang-oai, vllm (/v1/completions), sglang-oai-chat, openai "
                    + "(/v1/chat/completions). Default: ${DEFAULT-VALUE}.")
    String backend;
    @Option(names = "--base-url", description = "Server base URL; overrides --host and --port.")
    String baseUrl;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Default: ${DEFAULT-VALUE}.")
    String host;
    @Option(names = "--port", description = "Default: the backend's usual port (30000; vllm 8000).")
    Integer port;
    @Option(names = "--model", description = "Model name sent to OpenAI APIs; default: the server's /v1/models.")
    String model;
    @Option(names = "--result-file", description = "Append one JSON line with the result to this file.")
    Path resultFile;
    @Option(names = "--disable-tqdm", description = "No progress bar.")
    boolean disableProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Backend chosen = Backend.parse(backend);
        URI base = URI.create(baseUrl != null ? baseUrl
                : "http://" + host + ":" + (port != null ? port : chosen.defaultPort()));
        LlmHttpClient client = new LlmHttpClient(base, System.getenv("OPENAI_API_KEY"));
        String modelName = model != null ? model : ServerModel.resolve(client, chosen);
        List<Gsm8k.Example> data = Gsm8k.read(dataPath);
        List<Gsm8k.Example> shots = shotsPath != null ? Gsm8k.read(shotsPath) : data;

        Gsm8kEval.Settings settings = new Gsm8kEval.Settings(chosen, modelName, numShots, numQuestions, parallel,
                maxNewTokens);
        Gsm8kEval.Result result = new Gsm8kEval(client, settings)
                .run(data, shots, disableProgress ? null : spec.commandLine().getErr());
        if (result.failed() > 0) {
            String firstError = result.graded().stream().filter(g -> !g.error().isEmpty()).findFirst()
                    .map(Gsm8kEval.Graded::error).orElse("");
            out.println("Failed requests: " + result.failed() + " (first error: " + firstError + ")");
        }
        out.println(String.format(Locale.ROOT, "Accuracy: %.3f", result.accuracy()));
        out.println(String.format(Locale.ROOT, "Invalid: %.3f", result.invalid()));
        out.println(String.format(Locale.ROOT, "Latency: %.3f s", result.latencyS()));
        out.println(String.format(Locale.ROOT, "Output throughput: %.3f token/s", result.outputThroughput()));
        out.flush();
        if (resultFile != null) {
            appendRecord(chosen, result);
        }
        return result.failed() == result.graded().size() ? 1 : 0;
    }

    private void appendRecord(Backend chosen, Gsm8kEval.Result result) throws IOException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("task", "gsm8k");
        record.put("backend", chosen.cliName());
        record.put("latency", Math.round(result.latencyS() * 1000) / 1000.0);
        record.put("accuracy", Math.round(result.accuracy() * 1000) / 1000.0);
        record.put("invalid", Math.round(result.invalid() * 1000) / 1000.0);
        record.put("output_throughput", result.outputThroughput());
        record.put("num_requests", result.graded().size());
        record.put("other", Map.of("num_questions", numQuestions, "num_shots", numShots, "parallel", parallel));
        Files.writeString(resultFile, new ObjectMapper().writeValueAsString(record) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
