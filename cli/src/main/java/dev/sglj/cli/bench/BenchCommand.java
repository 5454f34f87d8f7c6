package dev.sglj.cli.bench;

import dev.sglj.bench.ServingBenchCommand;
import picocli.CommandLine.Command;

/** The {@code sglj bench} group; each benchmark is a subcommand. */
@Command(name = "bench",
        description = "Benchmarks.",
        mixinStandardHelpOptions = true,
        subcommands = {BenchOneBatchCommand.class, OfflineThroughputCommand.class, ServingBenchCommand.class})
public final class BenchCommand {}
