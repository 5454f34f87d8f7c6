package dev.sglj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.client.LlmHttpClient;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** Few-shot GSM8K over one server: greedy, non-streamed requests, {@code parallel} at a time. */
public final class Gsm8kEval {
    /** @param model null to leave it out of requests */
    public record Settings(Backend backend, String model, int numShots, int numQuestions, int parallel,
                           int maxTokens) {
        public Settings {
            if (numShots < 0 || numQuestions < 1 || parallel < 1 || maxTokens < 1) {
                throw new IllegalArgumentException("--num-shots must be >= 0 and --num-questions, --parallel, "
                        + "--max-new-tokens >= 1");
            }
        }
    }

    /** One scored question; {@code predicted} is empty when the output held no number, {@code error} empty if ok. */
    public record Graded(String question, BigInteger label, Optional<BigInteger> predicted, String output,
                         int outputTokens, String error) {
        public boolean correct() {
            return predicted.isPresent() && predicted.get().equals(label);
        }
    }

    public record Result(List<Graded> graded, double latencyS) {
        public double accuracy() {
            return graded.stream().filter(Graded::correct).count() / (double) graded.size();
        }

        public double invalid() {
            return graded.stream().filter(g -> g.predicted().isEmpty()).count() / (double) graded.size();
        }

        public long outputTokens() {
            return graded.stream().mapToLong(Graded::outputTokens).sum();
        }

        public double outputThroughput() {
            return outputTokens() / latencyS;
        }

        public long failed() {
            return graded.stream().filter(g -> !g.error().isEmpty()).count();
        }
    }

    private final LlmHttpClient client;
    private final Settings settings;

    public Gsm8kEval(LlmHttpClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /**
     * @param data the questions (the first {@code numQuestions} are asked)
     * @param shots the solved examples prepended to each question (SGLang takes them from {@code data} itself)
     * @param progress where a progress bar goes, null for none
     */
    public Result run(List<Gsm8k.Example> data, List<Gsm8k.Example> shots, PrintWriter progress)
            throws InterruptedException {
        String prefix = Gsm8k.fewShot(shots, settings.numShots());
        List<Gsm8k.Example> asked = data.subList(0, Math.min(settings.numQuestions(), data.size()));
        if (asked.isEmpty()) {
            throw new IllegalArgumentException("the GSM8K data file has no questions");
        }
        List<BigInteger> labels = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            labels.add(Gsm8k.answerValue(asked.get(i).answer()).orElseThrow(() -> new IllegalArgumentException(
                    "GSM8K data: the answer of question " + (labels.size() + 1) + " has no number")));
        }
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, asked.size());
        Semaphore slots = new Semaphore(settings.parallel());
        List<Future<Graded>> futures = new ArrayList<>();
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < asked.size(); i++) {
                String question = Gsm8k.example(asked.get(i), false);
                BigInteger label = labels.get(i);
                futures.add(threads.submit(() -> {
                    slots.acquire();
                    try {
                        return ask(prefix + question, question, label);
                    } finally {
                        slots.release();
                        if (bar != null) {
                            bar.step();
                        }
                    }
                }));
            }
        }
        double latency = (System.nanoTime() - start) / 1e9;
        if (bar != null) {
            bar.finish();
        }
        List<Graded> graded = new ArrayList<>();
        for (Future<Graded> f : futures) {
            try {
                graded.add(f.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("GSM8K request thread failed: " + e.getCause(), e.getCause());
            }
        }
        return new Result(graded, latency);
    }

    private Graded ask(String prompt, String question, BigInteger label) throws InterruptedException {
        ApiShape shape = settings.backend().shape();
        GenerationRequest request = new GenerationRequest(prompt, settings.maxTokens(), false, null, Gsm8k.STOP,
                settings.model(), null);
        try {
            JsonNode reply = client.postJson(shape.path(), shape.payload(request));
            Chunk chunk = shape.parseReply(reply);
            return new Graded(question, label, Gsm8k.answerValue(chunk.text()), chunk.text(),
                    Math.max(0, chunk.completionTokens()), "");
        } catch (java.io.IOException e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Graded(question, label, Optional.empty(), "", 0, error);
        }
    }
}
