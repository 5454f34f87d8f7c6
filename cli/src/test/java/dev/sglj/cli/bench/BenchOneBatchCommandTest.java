package dev.sglj.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sglj.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchOneBatchCommandTest {
    static final String TINY_CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 320,
             "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256,
             "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": false,
             "torch_dtype": "float32", "bos_token_id": 1, "eos_token_id": 2}
            """;

    private static final String NUM = "\\s*([0-9.]+)";
    private static final Pattern PREFILL = Pattern.compile(
            "^Prefill\\. latency:" + NUM + " s, throughput:" + NUM + " token/s$", Pattern.MULTILINE);
    private static final Pattern DECODE_STEP = Pattern.compile(
            "^Decode (\\d+)\\. Batch size: (\\d+), latency:" + NUM + " s, throughput:" + NUM + " token/s$",
            Pattern.MULTILINE);
    private static final Pattern DECODE_MEDIAN = Pattern.compile(
            "^Decode\\.  median latency:" + NUM + " s, median throughput:" + NUM + " token/s$", Pattern.MULTILINE);
    private static final Pattern TOTAL = Pattern.compile(
            "^Total\\. latency:" + NUM + " s, throughput:" + NUM + " token/s$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {}

    private Run bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new BenchCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path tinyModel() throws IOException {
        Path model = Files.createDirectories(dir.resolve("tiny"));
        Files.writeString(model.resolve("config.json"), TINY_CONFIG);
        return model;
    }

    @Test
    void printsSglangLinesAndAppendsOneRecordPerBatchSize() throws IOException {
        Path results = dir.resolve("out/results.jsonl");
        Run run = bench("one-batch", "--model-path", tinyModel().toString(), "--load-format", "dummy",
                "--device", "cpu", "--batch-size", "1", "2", "--input-len", "8", "--output-len", "4",
                "--run-name", "tiny", "--result-filename", results.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        String out = run.out();
        assertThat(out).contains("max_total_num_tokens=24");
        assertThat(out.indexOf("Warmup ...")).isNotNegative().isLessThan(out.indexOf("Benchmark ..."));

        String measured = out.substring(out.indexOf("Benchmark ..."));
        assertThat(count(PREFILL, measured)).isEqualTo(2);
        assertThat(count(DECODE_MEDIAN, measured)).isEqualTo(2);
        assertThat(count(TOTAL, measured)).isEqualTo(2);
        List<String> steps = new ArrayList<>();
        Matcher m = DECODE_STEP.matcher(measured);
        while (m.find()) steps.add(m.group(1) + "@" + m.group(2));
        assertThat(steps).containsExactly("0@1", "1@1", "2@1", "0@2", "1@2", "2@2");

        List<String> lines = Files.readAllLines(results);
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 2; i++) {
            JsonNode r = json.readTree(lines.get(i));
            assertThat(iterableFieldNames(r)).containsExactly("run_name", "batch_size", "input_len", "output_len",
                    "prefill_latency", "prefill_throughput", "median_decode_latency", "median_decode_throughput",
                    "total_latency", "overall_throughput");
            int bs = i + 1;
            assertThat(r.get("run_name").asText()).isEqualTo("tiny");
            assertThat(r.get("batch_size").asInt()).isEqualTo(bs);
            assertThat(r.get("input_len").asInt()).isEqualTo(8);
            assertThat(r.get("output_len").asInt()).isEqualTo(4);
            double prefill = r.get("prefill_latency").asDouble();
            double total = r.get("total_latency").asDouble();
            double medianDecode = r.get("median_decode_latency").asDouble();
            assertThat(prefill).isPositive();
            assertThat(r.get("prefill_throughput").asDouble()).isCloseTo(8.0 * bs / prefill, within(1e-6 * 8 * bs / prefill));
            assertThat(r.get("median_decode_throughput").asDouble()).isCloseTo(bs / medianDecode, within(1e-6 * bs / medianDecode));
            assertThat(total).isGreaterThan(prefill + medianDecode);
            assertThat(r.get("overall_throughput").asDouble()).isCloseTo(12.0 * bs / total, within(1e-6 * 12 * bs / total));
        }

        bench("one-batch", "--model-path", tinyModel().toString(), "--load-format", "dummy",
                "--batch-size", "1", "--input-len", "4", "--output-len", "2", "--result-filename", results.toString());
        assertThat(Files.readAllLines(results)).as("records are appended").hasSize(3);
    }

    @Test
    void skipsBatchesThatDoNotFitMaxTotalTokens() throws IOException {
        Path results = dir.resolve("r.jsonl");
        Run run = bench("one-batch", "--model-path", tinyModel().toString(), "--load-format", "dummy",
                "--batch-size", "1", "4", "--input-len", "6", "--output-len", "2", "--max-total-tokens", "20",
                "--result-filename", results.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("skipping (4, 6, 2) due to max batch size limit");
        assertThat(Files.readAllLines(results)).hasSize(1);
    }

    @Test
    void rejectsBadArgumentsWithOneLineNamingTheFlag() throws IOException {
        String model = tinyModel().toString();
        Run device = bench("one-batch", "--model-path", model, "--device", "tpu");
        assertThat(device.exitCode()).isEqualTo(2);
        assertThat(device.err()).contains("--device must be cpu or cuda (got 'tpu')");

        Run format = bench("one-batch", "--model-path", model, "--load-format", "gguf");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).contains("--load-format must be one of auto, safetensors, dummy");

        Run batch = bench("one-batch", "--model-path", model, "--batch-size", "0");
        assertThat(batch.exitCode()).isEqualTo(2);
        assertThat(batch.err()).contains("--batch-size values must be positive (got 0)");

        Run missing = bench("one-batch", "--model-path", dir.resolve("nope").toString(), "--load-format", "dummy",
                "--result-filename", dir.resolve("x.jsonl").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).startsWith("error: ").contains("nope");
    }

    @Test
    void sgljMainReachesBenchOneBatch() {
        StringWriter out = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        assertThat(cmd.execute("bench", "one-batch", "--help")).isZero();
        assertThat(out.toString()).contains("--batch-size", "--input-len", "--output-len", "--result-filename",
                "--max-total-tokens", "--device", "--load-format");
    }

    private static int count(Pattern p, String s) {
        int n = 0;
        Matcher m = p.matcher(s);
        while (m.find()) n++;
        return n;
    }

    private static List<String> iterableFieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
