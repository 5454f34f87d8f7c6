package dev.sglj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServingBenchCommandTest {
    @TempDir
    Path tmp;

    private static int execute(StringWriter out, StringWriter err, String... args) {
        ServingBenchCommand command = new ServingBenchCommand();
        command.pauseAfterWarmup = Duration.ZERO;
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            c.getErr().println("error: " + ex.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    @Test
    void randomRunPrintsTheBlockAppendsJsonlAndDrawsThePlot() throws Exception {
        Path jsonl = tmp.resolve("runs.jsonl");
        Path png = tmp.resolve("plot.png");
        try (StubLlmServer stub = new StubLlmServer(20, 5, 1, 8, null)) {
            for (int run = 0; run < 2; run++) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int code = execute(out, err, "--backend", "sglang-oai", "--base-url", stub.baseUrl().toString(),
                        "--dataset-name", "random", "--random-input-len", "8", "--random-output-len", "4",
                        "--random-range-ratio", "1", "--num-prompts", "6", "--request-rate", "100",
                        "--max-concurrency", "2", "--output-file", jsonl.toString(), "--plot", png.toString(),
                        "--output-details");
                assertThat(code).as(err.toString()).isZero();
                String text = out.toString();
                assertThat(text).contains("============ Serving Benchmark Result ============\n")
                        .contains("Backend:                                 sglang-oai\n")
                        .contains("Traffic request rate:                    100.0     \n")
                        .contains("Max request concurrency:                 2         \n")
                        .contains("Successful requests:                     6         \n")
                        .contains("Total input tokens:                      48        \n")
                        .contains("Total generated tokens:                  24        \n")
                        .contains("-----Time per Output Token (excl. 1st token)------\n")
                        .endsWith("==================================================\n" + "Plot written to " + png
                                + "\n");
                assertThat(err.toString()).contains("100%|").contains("6/6");
            }
            assertThat(stub.requests.get()).as("1 warmup + 6 per run").isEqualTo(14);
        }
        List<String> lines = Files.readAllLines(jsonl);
        assertThat(lines).hasSize(2);
        JsonNode record = new ObjectMapper().readTree(lines.getFirst());
        assertThat(record.get("backend").asText()).isEqualTo("sglang-oai");
        assertThat(record.get("completed").asInt()).isEqualTo(6);
        assertThat(record.get("total_output_tokens").asInt()).isEqualTo(24);
        for (String key : List.of("duration", "request_throughput", "output_throughput", "mean_ttft_ms",
                "p99_ttft_ms", "mean_tpot_ms", "mean_itl_ms", "p95_itl_ms", "max_itl_ms", "mean_e2e_latency_ms",
                "concurrency")) {
            assertThat(record.get(key).isNumber()).as(key).isTrue();
        }
        assertThat(record.get("output_lens").toString()).isEqualTo("[4,4,4,4,4,4]");
        assertThat(record.get("input_lens").toString()).isEqualTo("[8,8,8,8,8,8]");
        assertThat(record.get("itls").get(0)).hasSize(3);
        assertThat(record.get("generated_texts").get(0).asText()).isEqualTo("tok0 tok1 tok2 tok3 ");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(900);
    }

    @Test
    void badInputGivesOneLineErrors() {
        StringWriter err = new StringWriter();
        assertThat(execute(new StringWriter(), err, "--backend", "tgi", "--base-url", "http://127.0.0.1:1"))
                .isEqualTo(1);
        assertThat(err.toString()).startsWith("error: unknown --backend 'tgi'; allowed: sglang, sglang-oai,");
        err = new StringWriter();
        assertThat(execute(new StringWriter(), err, "--base-url", "http://127.0.0.1:1", "--model", "m",
                "--extra-request-body", "[1]")).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: --extra-request-body must be a JSON object");
        err = new StringWriter();
        assertThat(execute(new StringWriter(), err, "--base-url", "http://127.0.0.1:1", "--model", "m")).isEqualTo(1);
        assertThat(err.toString()).contains("--dataset-path");
    }
}
