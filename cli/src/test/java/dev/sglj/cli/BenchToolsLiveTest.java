package dev.sglj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.bench.Backend;
import dev.sglj.bench.Gsm8k;
import dev.sglj.bench.Gsm8kEval;
import dev.sglj.bench.Gsm8kEvalCommand;
import dev.sglj.bench.ServingBenchCommand;
import dev.sglj.client.LlmHttpClient;
import dev.sglj.engine.Engine;
import dev.sglj.engine.config.ServerArgs;
import dev.sglj.server.ServerConfig;
import dev.sglj.server.SgljServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** sglj bench serving and sglj eval gsm8k against a live SGL-J server (built-in model) on a random port. */
class BenchToolsLiveTest {
    private static SgljServer server;
    private static String base;

    @BeforeAll
    static void start() {
        server = SgljServer.start(Engine.start(ServerArgs.builder().maxTotalTokens(8192).maxRunningRequests(32).build()),
                ServerConfig.onPort(0));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String run(Object command, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        assertThat(code).as(out + "\n" + err).isZero();
        return out.toString();
    }

    @Test
    void servingBenchOverEveryApiShape() {
        for (String backend : List.of("sglang", "sglang-oai", "sglang-oai-chat")) {
            String out = run(new ServingBenchCommand(), "--backend", backend, "--base-url", base,
                    "--dataset-name", "random", "--random-input-len", "16", "--random-output-len", "4",
                    "--random-range-ratio", "1", "--num-prompts", "6", "--max-concurrency", "3", "--disable-tqdm");
            assertThat(out).as(backend).contains("Successful requests:                     6         \n");
            if (!backend.equals("sglang-oai-chat")) {
                // ignore_eos is sent (SGLang's bench sends none to chat), so every request runs to its length
                assertThat(out).as(backend).contains("Total generated tokens:                  24        \n");
            }
            assertThat(out).doesNotContain("Mean TTFT (ms):                          0.00");
        }
    }

    @Test
    void nonStreamedGeneratedSharedPrefix() {
        String out = run(new ServingBenchCommand(), "--backend", "sglang", "--base-url", base,
                "--dataset-name", "generated-shared-prefix", "--gsp-num-groups", "2", "--gsp-prompts-per-group", "2",
                "--gsp-system-prompt-len", "32", "--gsp-question-len", "8", "--gsp-output-len", "4",
                "--disable-stream", "--disable-tqdm");
        assertThat(out).contains("Successful requests:                     4         \n")
                .contains("Total generated tokens:                  16        \n");
    }

    @Test
    void gsm8kEvalScoresEveryQuestion(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("gsm8k.jsonl");
        Files.writeString(data, """
                {"question": "Ann has 3 apples and buys 4 more. How many apples does she have?", "answer": "3 + 4 = <<3+4=7>>7\\n#### 7"}
                {"question": "A box holds 6 eggs. How many eggs are in 5 boxes?", "answer": "6 * 5 = <<6*5=30>>30\\n#### 30"}
                {"question": "Joe had 20 dollars and spent 8. How much is left?", "answer": "20 - 8 = <<20-8=12>>12\\n#### 12"}
                """);
        String out = run(new Gsm8kEvalCommand(), "--backend", "sglang-oai", "--base-url", base, "--data-path",
                data.toString(), "--num-shots", "1", "--max-new-tokens", "8", "--disable-tqdm");
        assertThat(out).containsPattern("Accuracy: \\d\\.\\d{3}\nInvalid: \\d\\.\\d{3}\nLatency: ");
        assertThat(out).doesNotContain("Failed requests");

        List<Gsm8k.Example> examples = Gsm8k.read(data);
        Gsm8kEval.Result result = new Gsm8kEval(new LlmHttpClient(URI.create(base), null),
                new Gsm8kEval.Settings(Backend.SGLANG, null, 1, 3, 3, 8)).run(examples, examples, null);
        assertThat(result.graded()).hasSize(3);
        assertThat(result.failed()).isZero();
        assertThat(result.outputTokens()).isPositive();
    }
}
