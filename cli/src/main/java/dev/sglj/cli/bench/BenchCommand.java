package dev.sglj.cli.bench;

import picocli.CommandLine.Command;

/** The {@code sglj bench} group; each benchmark is a subcommand. */
@Command(name = "bench",
        description = "Benchmarks.",
        mixinStandardHelpOptions = true,
        subcommands = {BenchOneBatchCommand.class, OfflineThroughputCommand.class})
public final class BenchCommand {}
