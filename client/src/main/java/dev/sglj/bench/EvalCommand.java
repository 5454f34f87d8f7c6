package dev.sglj.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sglj eval}: accuracy evaluations against a running server. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a running server's accuracy.", subcommands = {Gsm8kEvalCommand.class})
public final class EvalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
