package dev.sglj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.client.LlmHttpClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** End to end against a stub that answers the sample's questions with known numbers. */
class Gsm8kEvalTest {
    private static final List<Gsm8k.Example> DATA = Gsm8k.read(TestPaths.resource("/gsm8k/sample.jsonl"));

    /** Right for six questions, a wrong number for question 5, no number for question 6. */
    static final Function<String, String> STUDENT = prompt -> {
        String asked = prompt.substring(prompt.lastIndexOf("Question: ") + "Question: ".length(),
                prompt.lastIndexOf("\nAnswer:"));
        int i = 0;
        while (!DATA.get(i).question().equals(asked)) {
            i++;
        }
        return switch (i) {
            case 5 -> "It goes 60 * 5 = 301 miles.";
            case 6 -> "I cannot tell.";
            default -> "Working it out, the answer is " + Gsm8k.answerValue(DATA.get(i).answer()).orElseThrow() + ".";
        };
    };

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"SGLANG", "SGLANG_OAI", "SGLANG_OAI_CHAT"})
    void scoresKnownAnswers(Backend backend) throws Exception {
        try (StubLlmServer stub = new StubLlmServer(0, 0, 1, 1, STUDENT)) {
            Gsm8kEval.Settings settings = new Gsm8kEval.Settings(backend, "stub-model", 5, 100, 3, 512);
            Gsm8kEval.Result result = new Gsm8kEval(new LlmHttpClient(stub.baseUrl(), null), settings)
                    .run(DATA, DATA, null);
            assertThat(result.graded()).hasSize(8);
            assertThat(result.accuracy()).isEqualTo(0.75);
            assertThat(result.invalid()).isEqualTo(0.125);
            assertThat(result.failed()).isZero();
            long expectedTokens = DATA.stream().mapToLong(e -> STUDENT.apply(Gsm8k.fewShot(DATA, 5)
                    + Gsm8k.example(e, false)).split(" ").length).sum();
            assertThat(result.outputTokens()).isEqualTo(expectedTokens);
            assertThat(stub.maxInFlight.get()).isLessThanOrEqualTo(3);

            String expectedFirstPrompt = Gsm8k.fewShot(DATA, 5) + "Question: " + DATA.getFirst().question()
                    + "\nAnswer:";
            JsonNode first = stub.bodies.stream().filter(b -> prompt(b).endsWith(DATA.getFirst().question()
                    + "\nAnswer:")).findFirst().orElseThrow();
            assertThat(prompt(first)).isEqualTo(expectedFirstPrompt);
            JsonNode stop = first.has("sampling_params") ? first.path("sampling_params").path("stop")
                    : first.path("stop");
            assertThat(stop.toString()).isEqualTo("[\"Question\",\"</s>\",\"<|im_end|>\"]");
        }
    }

    private static String prompt(JsonNode body) {
        if (body.has("text")) {
            return body.get("text").asText();
        }
        if (body.has("prompt")) {
            return body.get("prompt").asText();
        }
        return body.path("messages").path(0).path("content").asText();
    }

    @Test
    void commandPrintsAccuracyInvalidLatencyAndThroughput() throws Exception {
        try (StubLlmServer stub = new StubLlmServer(0, 0, 1, 1, STUDENT)) {
            StringWriter out = new StringWriter();
            CommandLine cl = new CommandLine(new Gsm8kEvalCommand());
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(new StringWriter()));
            int code = cl.execute("--data-path", TestPaths.resource("/gsm8k/sample.jsonl").toString(),
                    "--num-questions", "4", "--num-shots", "2", "--parallel", "2", "--backend", "sglang-oai",
                    "--base-url", stub.baseUrl().toString());
            assertThat(code).isZero();
            String[] lines = out.toString().split("\n");
            assertThat(lines[0]).isEqualTo("Accuracy: 1.000");
            assertThat(lines[1]).isEqualTo("Invalid: 0.000");
            assertThat(lines[2]).matches("Latency: \\d+\\.\\d{3} s");
            assertThat(lines[3]).matches("Output throughput: \\d+\\.\\d{3} token/s");
            assertThat(stub.bodies).allMatch(b -> b.path("model").asText().equals("stub-model"));
        }
    }

    @Test
    void unreachableServerCountsAsInvalidAndFails() throws Exception {
        Gsm8kEval.Settings settings = new Gsm8kEval.Settings(Backend.SGLANG, null, 1, 2, 2, 16);
        Gsm8kEval.Result result = new Gsm8kEval(new LlmHttpClient(java.net.URI.create("http://127.0.0.1:1"), null),
                settings).run(DATA, DATA, null);
        assertThat(result.failed()).isEqualTo(2);
        assertThat(result.invalid()).isCloseTo(1.0, within(1e-12));
    }
}
