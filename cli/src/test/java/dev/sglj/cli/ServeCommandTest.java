package dev.sglj.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.config.ServerArgs;
import dev.sglj.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {
    private static ServeCommand parse(String... args) {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void defaultsAreSglangs() {
        ServeCommand cmd = parse();
        ServerConfig http = cmd.http.toServerConfig();
        assertThat(http.host()).isEqualTo("127.0.0.1");
        assertThat(http.port()).isEqualTo(30000);
        assertThat(http.apiKey()).isNull();
        assertThat(http.enableMetrics()).isFalse();
        ServerArgs engine = cmd.engine.toServerArgs();
        assertThat(engine.modelPath()).isNull();
        assertThat(engine.chunkedPrefillSize()).as("derived from the device at start").isNull();
        assertThat(engine.streamInterval()).isEqualTo(1);
        assertThat(engine.decodeLogInterval()).isEqualTo(40);
        assertThat(engine.disableOverlapSchedule()).as("overlap schedule on by default").isFalse();
    }

    @Test
    void disableOverlapScheduleTurnsItOff() {
        assertThat(parse("--disable-overlap-schedule").engine.toServerArgs().disableOverlapSchedule()).isTrue();
    }

    @Test
    void flagsMapToSettings() {
        ServeCommand cmd = parse("--port", "8080", "--host", "0.0.0.0", "--api-key", "k", "--served-model-name", "m",
                "--enable-metrics", "--max-queued-requests", "5", "--max-total-tokens", "1024",
                "--schedule-policy", "lpm", "--log-level", "warning");
        ServerConfig http = cmd.http.toServerConfig();
        assertThat(http.port()).isEqualTo(8080);
        assertThat(http.host()).isEqualTo("0.0.0.0");
        assertThat(http.apiKey()).isEqualTo("k");
        assertThat(http.servedModelName()).isEqualTo("m");
        assertThat(http.enableMetrics()).isTrue();
        assertThat(http.maxQueuedRequests()).isEqualTo(5);
        assertThat(cmd.engine.toServerArgs().maxTotalTokens()).isEqualTo(1024);
        assertThat(cmd.http.level()).isEqualTo(java.util.logging.Level.WARNING);
    }

    @Test
    void badFlagsAreOneLineErrors() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("serve", "--no-such-flag")).isNotZero();
        assertThat(err.toString()).contains("Unknown option: '--no-such-flag'");
        assertThatThrownBy(() -> parse("--port", "99999").http.toServerConfig())
                .hasMessageContaining("--port must be in [0, 65535]");
        assertThatThrownBy(() -> parse("--log-level", "loud").http.level()).hasMessageContaining("--log-level");
        assertThatThrownBy(() -> parse("--max-running-requests", "0").engine.toServerArgs())
                .hasMessageContaining("--max-running-requests");
    }

    @Test
    void helpGroupsTheFlags() {
        String usage = new CommandLine(new ServeCommand()).getUsageMessage();
        assertThat(usage).contains("Model and engine").contains("HTTP server").contains("--api-key")
                .contains("--enable-metrics").contains("--model-path");
        assertThat(usage.indexOf("Model and engine")).isLessThan(usage.indexOf("HTTP server"));
    }
}
