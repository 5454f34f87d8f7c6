package dev.sglj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchToolsRegistrationTest {
    @Test
    void benchServingIsASubcommandWithOneLineErrors() {
        CommandLine cl = Main.commandLine();
        assertThat(cl.getSubcommands().get("bench").getSubcommands()).containsKey("serving");
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("bench", "serving", "--base-url", "http://127.0.0.1:1", "--model", "m",
                "--request-rate", "0");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: --request-rate must be > 0, got 0" + System.lineSeparator());
    }

    @Test
    void evalGsm8kIsASubcommandWithOneLineErrors() {
        CommandLine cl = Main.commandLine();
        assertThat(cl.getSubcommands().get("eval").getSubcommands()).containsKey("gsm8k");
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("eval", "gsm8k", "--data-path", "/nonexistent/gsm8k.jsonl", "--model", "m",
                "--base-url", "http://127.0.0.1:1");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: no GSM8K JSONL file at /nonexistent/gsm8k.jsonl"
                + System.lineSeparator());
    }
}
