package dev.sglj.cli;

import dev.sglj.bench.EvalCommand;
import dev.sglj.cli.bench.BenchCommand;
import dev.sglj.engine.tokenizer.TokenizersNativeLibrary;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sglj} command. */
@Command(name = "sglj", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "SGL-J: an LLM serving engine for the JVM.",
        subcommands = {GenerateCommand.class, ServeCommand.class, BenchCommand.class, EvalCommand.class})
public final class Main implements Runnable {
    /** Held so the level sticks: java.util.logging keeps loggers only weakly. */
    private static final java.util.logging.Logger DJL_LOG = java.util.logging.Logger.getLogger("ai.djl");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "[%1$tF %1$tT] %5$s%6$s%n");
        DJL_LOG.setLevel(java.util.logging.Level.SEVERE);
        TokenizersNativeLibrary.useBundledCpuBuild();
        System.exit(commandLine().execute(args));
    }

    /** The command line with SGL-J's error handling: bad input prints one line, never a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + oneLine(ex));
            return 1;
        });
        return cl;
    }

    private static String oneLine(Throwable ex) {
        String msg = ex.getMessage();
        return msg == null ? ex.getClass().getSimpleName() : msg.replace('\n', ' ');
    }
}
