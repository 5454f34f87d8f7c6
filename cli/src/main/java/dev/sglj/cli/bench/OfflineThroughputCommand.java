package dev.sglj.cli.bench;

import dev.sglj.cli.ServerOptions;
import dev.sglj.engine.Engine;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.sched.SchedulerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * SGLang's bench_offline_throughput: a whole workload submitted at once to the in-process engine (no
 * HTTP), reporting request and token throughput, plus the prefix-cache hit rate and the scheduler's
 * time per decode step outside the forward pass.
 */
@Command(name = "offline-throughput", mixinStandardHelpOptions = true,
        description = "Offline throughput of the engine on a synthetic workload (SGLang's bench_offline_throughput).")
public final class OfflineThroughputCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server = new ServerOptions();

    @Option(names = "--dataset-name", defaultValue = "random", description = "random or generated-shared-prefix.")
    String dataset;

    @Option(names = "--num-prompts", defaultValue = "200") int numPrompts;
    @Option(names = "--random-input-len", defaultValue = "256") int randomInputLen;
    @Option(names = "--random-output-len", defaultValue = "32") int randomOutputLen;
    @Option(names = "--random-range-ratio", defaultValue = "0.0") double randomRangeRatio;
    @Option(names = "--gsp-num-groups", defaultValue = "8") int gspGroups;
    @Option(names = "--gsp-prompts-per-group", defaultValue = "16") int gspPromptsPerGroup;
    @Option(names = "--gsp-system-prompt-len", defaultValue = "512") int gspSystemLen;
    @Option(names = "--gsp-question-len", defaultValue = "32") int gspQuestionLen;
    @Option(names = "--gsp-output-len", defaultValue = "16") int gspOutputLen;
    @Option(names = "--seed", defaultValue = "1") long seed;

    @Override
    public Integer call() {
        try (Engine engine = Engine.start(server.toServerArgs())) {
            List<GenerateRequest> workload = switch (dataset) {
                case "random" -> randomWorkload(engine.modelConfig().vocabSize());
                case "generated-shared-prefix" -> sharedPrefixWorkload(engine.modelConfig().vocabSize());
                default -> throw new IllegalArgumentException(
                        "--dataset-name must be random or generated-shared-prefix (got '" + dataset + "')");
            };
            long start = System.nanoTime();
            List<GenerateResult> results = engine.generate(workload);
            double seconds = (System.nanoTime() - start) / 1e9;
            print(workload, results, seconds, engine.stats());
        }
        return 0;
    }

    /** Lengths drawn uniformly from {@code [len * ratio, len]}, as SGLang's random dataset. */
    private List<GenerateRequest> randomWorkload(int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        List<GenerateRequest> out = new ArrayList<>();
        for (int i = 0; i < numPrompts; i++) {
            int in = drawLength(r, randomInputLen);
            int outLen = drawLength(r, randomOutputLen);
            out.add(new GenerateRequest(tokens(r, in, vocab), params(outLen)));
        }
        return out;
    }

    private int drawLength(SplittableRandom r, int len) {
        int low = Math.max(1, (int) (len * randomRangeRatio));
        return low >= len ? len : low + r.nextInt(len - low + 1);
    }

    /** Groups of requests sharing a long system prompt, each with its own question (SGLang's gsp dataset). */
    private List<GenerateRequest> sharedPrefixWorkload(int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        List<GenerateRequest> out = new ArrayList<>();
        for (int g = 0; g < gspGroups; g++) {
            int[] system = tokens(r, gspSystemLen, vocab);
            for (int p = 0; p < gspPromptsPerGroup; p++) {
                int[] question = tokens(r, gspQuestionLen, vocab);
                int[] prompt = new int[system.length + question.length];
                System.arraycopy(system, 0, prompt, 0, system.length);
                System.arraycopy(question, 0, prompt, system.length, question.length);
                out.add(new GenerateRequest(prompt, params(gspOutputLen)));
            }
        }
        java.util.Collections.shuffle(out, new java.util.Random(seed));
        return out;
    }

    private static int[] tokens(SplittableRandom r, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(Math.min(vocab, 100_000));
        return t;
    }

    private static SamplingParams params(int outputLen) {
        return SamplingParams.builder().temperature(0.0).maxNewTokens(outputLen).ignoreEos(true).build();
    }

    private static void print(List<GenerateRequest> workload, List<GenerateResult> results, double seconds,
                              SchedulerStats stats) {
        long input = workload.stream().mapToLong(w -> w.inputIds().length).sum();
        long output = results.stream().mapToLong(r -> r.outputIds().length).sum();
        System.out.println("\n====== Offline Throughput Benchmark Result =======");
        row("Backend:", "engine");
        row("Successful requests:", String.valueOf(results.size()));
        row("Benchmark duration (s):", fmt(seconds));
        row("Total input tokens:", String.valueOf(input));
        row("Total generated tokens:", String.valueOf(output));
        row("Request throughput (req/s):", fmt(results.size() / seconds));
        row("Input token throughput (tok/s):", fmt(input / seconds));
        row("Output token throughput (tok/s):", fmt(output / seconds));
        row("Total token throughput (tok/s):", fmt((input + output) / seconds));
        row("Cache hit rate:", fmt(stats.cacheHitRate()));
        row("Scheduler overhead per decode step (ms):", fmt(stats.decodeOverheadMillis()));
        System.out.println("==================================================");
    }

    private static void row(String label, String value) {
        System.out.printf(Locale.ROOT, "%-40s %s%n", label, value);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
