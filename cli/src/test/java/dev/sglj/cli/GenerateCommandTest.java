package dev.sglj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `sglj generate` end to end on the built-in model, and one-line errors for bad input. */
class GenerateCommandTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(err));
            int exit = cl.execute(args);
            return new Run(exit, captured.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void generatesFromTextWithTheBuiltinModel() throws Exception {
        Run r = run("generate", "--text", "Hello", "--text", "Hi there", "--max-new-tokens", "4",
                "--temperature", "0", "--return-logprob", "--top-logprobs-num", "2", "--max-total-tokens", "512");
        assertThat(r.exit()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines[0]);
        assertThat(first.get("output_ids")).hasSize(4);
        assertThat(first.get("text").isTextual()).isTrue();
        assertThat(first.at("/meta_info/finish_reason/type").asText()).isEqualTo("length");
        assertThat(first.at("/meta_info/output_token_logprobs")).hasSize(4);
        assertThat(first.at("/meta_info/output_top_logprobs/0")).hasSize(2);
    }

    @Test
    void unknownFlagIsOneClearLine() {
        Run r = run("generate", "--input-ids", "1,2", "--no-such-flag");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("Unknown option: '--no-such-flag'");
    }

    @Test
    void badValuesNameTheFlag() {
        Run format = run("generate", "--input-ids", "1,2", "--load-format", "pickle");
        assertThat(format.exit()).isNotZero();
        assertThat(format.err()).startsWith("error: --load-format must be one of auto, safetensors, dummy");
        Run policy = run("generate", "--input-ids", "1,2", "--schedule-policy", "best");
        assertThat(policy.err()).startsWith("error: --schedule-policy must be one of");
        Run dtype = run("generate", "--input-ids", "1,2", "--dtype", "float16");
        assertThat(dtype.err()).startsWith("error: --dtype float16 is not available on --device cpu");
        Run device = run("generate", "--input-ids", "1,2", "--device", "tpu");
        assertThat(device.err()).startsWith("error: --device must be cpu or cuda");
        Run ids = run("generate", "--input-ids", "1,x");
        assertThat(ids.err()).startsWith("error: --input-ids: 'x' is not a token id");
    }

    @Test
    void missingModelDirectoryIsOneLine(@TempDir Path dir) throws Exception {
        Run r = run("generate", "--input-ids", "1,2", "--model-path", dir.resolve("nope").toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).startsWith("error: model path").doesNotContain("\n").doesNotContain("Exception");
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"]}");
        Run unsupported = run("generate", "--input-ids", "1,2", "--model-path", dir.toString());
        assertThat(unsupported.err()).contains("unsupported architecture GPT2LMHeadModel");
    }
}
