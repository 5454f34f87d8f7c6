package dev.sglj.bench.jlama;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.model.functions.Generator;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.prompt.PromptContext;
import com.github.tjake.jlama.safetensors.tokenizer.Tokenizer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Batch-1 greedy generation with Jlama's own CPU path ({@code AbstractModel.generate}), timed the way
 * {@code sglj bench one-batch} times SGL-J: prefill separately, then {@code output-len - 1} decode
 * steps. Jlama counts the prompt in its token budget, so the budget passed is
 * {@code prompt tokens (with BOS) + output-len - 1}, which makes exactly {@code output-len - 1}
 * decode forwards.
 *
 * <p>A short generation warms up first. Decode figures come from two clocks: Jlama's own {@code generateTimeMs} over its decode loop
 * (mean), and the gaps between successive token callbacks (median, the figure SGLang reports).
 * Special tokens do not reach the callback, so a gap after one spans two steps; the median is
 * robust to the few that random weights produce.
 */
public final class JlamaDecodeBench {
    private static final String SEED_TEXT = "The history of computing is a story of machines that grew "
            + "smaller, faster and cheaper while the problems they were asked to solve grew larger. "
            + "Early computers filled rooms and were programmed with cables and switches; later ones "
            + "read punched cards, then magnetic tape, then disks. Each step changed who could use a "
            + "computer and what they used it for. ";

    /** A short warmup: JIT-compiles prefill and decode without paying a full-length prefill twice. */
    private static final int WARMUP_PROMPT_TOKENS = 15;
    private static final int WARMUP_OUTPUT_LEN = 8;

    private JlamaDecodeBench() {}

    record Options(Path modelPath, int inputLen, int outputLen, int runs, Path resultFile) {}

    record RunResult(int promptTokens, int decodeSteps, double prefillSeconds, double decodeSeconds,
                     double medianStepSeconds) {}

    public static void main(String[] args) throws IOException {
        Options o = parse(args);
        long loadStart = System.nanoTime();
        AbstractModel model = ModelSupport.loadModel(o.modelPath().toFile(), DType.F32, DType.I8);
        System.out.printf(Locale.ROOT, "Jlama loaded %s in %.1f s (available processors: %d)%n", o.modelPath(),
                (System.nanoTime() - loadStart) / 1e9, Runtime.getRuntime().availableProcessors());

        String prompt = promptOfLength(model.getTokenizer(), o.inputLen() - 1);
        System.out.println("Warmup ...");
        runOnce(model, promptOfLength(model.getTokenizer(), WARMUP_PROMPT_TOKENS), WARMUP_OUTPUT_LEN);
        System.out.println("Benchmark ...");
        List<RunResult> runs = new ArrayList<>();
        for (int r = 0; r < o.runs(); r++) {
            RunResult res = runOnce(model, prompt, o.outputLen());
            runs.add(res);
            System.out.printf(Locale.ROOT,
                    "Run %d. prompt tokens: %d, prefill latency: %6.5f s, decode steps: %d, "
                            + "decode mean throughput: %9.2f token/s, median step latency: %6.5f s%n",
                    r, res.promptTokens(), res.prefillSeconds(), res.decodeSteps(),
                    res.decodeSteps() / res.decodeSeconds(), res.medianStepSeconds());
        }
        Map<String, Object> summary = summarize(o, runs);
        System.out.printf(Locale.ROOT, "Jlama decode.  median latency: %6.5f s, median throughput: %9.2f token/s%n",
                summary.get("median_decode_latency"), summary.get("median_decode_throughput"));
        if (o.resultFile() != null) {
            Files.writeString(o.resultFile(), new ObjectMapper().writeValueAsString(summary) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        model.close();
        System.exit(0);
    }

    private static Map<String, Object> summarize(Options o, List<RunResult> runs) {
        double medianStep = median(runs.stream().mapToDouble(RunResult::medianStepSeconds).toArray());
        double meanThroughput = median(runs.stream()
                .mapToDouble(r -> r.decodeSteps() / r.decodeSeconds()).toArray());
        double prefill = median(runs.stream().mapToDouble(RunResult::prefillSeconds).toArray());
        int promptTokens = runs.getFirst().promptTokens();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_name", "jlama-0.8.4");
        m.put("batch_size", 1);
        m.put("input_len", promptTokens);
        m.put("output_len", o.outputLen());
        m.put("runs", runs.size());
        m.put("prefill_latency", prefill);
        m.put("prefill_throughput", promptTokens / prefill);
        m.put("median_decode_latency", medianStep);
        m.put("median_decode_throughput", 1.0 / medianStep);
        m.put("mean_decode_throughput", meanThroughput);
        return m;
    }

    private static RunResult runOnce(AbstractModel model, String prompt, int outputLen) {
        int promptTokens = bosPlusEncoded(model.getTokenizer(), prompt);
        List<Long> callbackNanos = new ArrayList<>();
        Generator.Response r = model.generate(UUID.randomUUID(), PromptContext.of(prompt), 0.0f,
                promptTokens + outputLen - 1, (text, msPerToken) -> callbackNanos.add(System.nanoTime()));
        double[] gaps = new double[Math.max(0, callbackNanos.size() - 1)];
        for (int i = 1; i < callbackNanos.size(); i++) {
            gaps[i - 1] = (callbackNanos.get(i) - callbackNanos.get(i - 1)) / 1e9;
        }
        double meanStep = r.generateTimeMs / 1000.0 / Math.max(1, r.generatedTokens);
        return new RunResult(promptTokens, r.generatedTokens, r.promptTimeMs / 1000.0,
                r.generateTimeMs / 1000.0, gaps.length == 0 ? meanStep : median(gaps));
    }

    /** Jlama drops a leading BOS from the encoding and then adds one itself. */
    private static int bosPlusEncoded(Tokenizer tokenizer, String prompt) {
        long[] ids = tokenizer.encode(prompt);
        return ids.length + 1;
    }

    /** A fixed English text cut to {@code tokens} tokens (BOS not counted). */
    static String promptOfLength(Tokenizer tokenizer, int tokens) {
        StringBuilder text = new StringBuilder();
        while (tokenizer.encode(text.toString()).length < tokens + 8) text.append(SEED_TEXT);
        long[] ids = Arrays.copyOf(tokenizer.encode(text.toString()), tokens);
        return tokenizer.decode(ids);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static Options parse(String[] args) {
        Path model = null;
        Path result = null;
        int inputLen = 128;
        int outputLen = 32;
        int runs = 1;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) throw usage("missing value after " + flag);
            String value = args[++i];
            switch (flag) {
                case "--model-path" -> model = Path.of(value);
                case "--input-len" -> inputLen = positive(flag, value);
                case "--output-len" -> outputLen = positive(flag, value);
                case "--runs" -> runs = positive(flag, value);
                case "--result-filename" -> result = Path.of(value);
                default -> throw usage("unknown option " + flag);
            }
        }
        if (model == null) throw usage("--model-path is required");
        if (!new File(model.toFile(), "config.json").isFile()) {
            throw usage("--model-path " + model + " has no config.json");
        }
        if (inputLen < 2 || outputLen < 2) throw usage("--input-len and --output-len must be at least 2");
        return new Options(model, inputLen, outputLen, runs, result);
    }

    private static int positive(String flag, String value) {
        try {
            int v = Integer.parseInt(value);
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw usage(flag + " must be a positive integer, got '" + value + "'");
    }

    private static IllegalArgumentException usage(String message) {
        return new IllegalArgumentException(message + "\nusage: JlamaDecodeBench --model-path DIR "
                + "[--input-len 128] [--output-len 32] [--runs 1] [--result-filename FILE]");
    }
}
