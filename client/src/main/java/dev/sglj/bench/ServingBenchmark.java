package dev.sglj.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sglj.client.LlmHttpClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * bench_serving's run: warmup, then every dataset row sent at Poisson arrival times (each on its own virtual
 * thread, gated by a fair semaphore when a concurrency cap is set), then the metrics.
 */
public final class ServingBenchmark {
    /**
     * @param model null to leave it out of requests
     * @param maxConcurrency null for no cap
     * @param extraBody null for none
     * @param flushCache empty the server's prefix cache after warmup ({@code POST /flush_cache})
     * @param pauseAfterWarmup SGLang sleeps a second between warmup and the measured run
     */
    public record Settings(Backend backend, String model, double requestRate, Integer maxConcurrency,
                           int warmupRequests, boolean stream, boolean ignoreEos, ObjectNode extraBody, long seed,
                           boolean flushCache, Duration pauseAfterWarmup) {
        public Settings {
            if (maxConcurrency != null && maxConcurrency < 1) {
                throw new IllegalArgumentException("--max-concurrency must be >= 1, got " + maxConcurrency);
            }
            if (warmupRequests < 0) {
                throw new IllegalArgumentException("--warmup-requests must be >= 0, got " + warmupRequests);
            }
        }
    }

    /** One measured run: outcomes in dataset order, the wall time they took, and the metrics over them. */
    public record Run(List<RequestOutcome> outcomes, double durationS, ServingMetrics metrics) {
    }

    private final LlmHttpClient client;
    private final Settings settings;
    private final LocalTokenizer tokenizer;
    private final PrintWriter log;
    private final PrintWriter progress;

    /**
     * @param tokenizer null to count tokens as the server reports them
     * @param progress where the progress bar goes, null for none
     */
    public ServingBenchmark(LlmHttpClient client, Settings settings, LocalTokenizer tokenizer, PrintWriter log,
                            PrintWriter progress) {
        this.client = client;
        this.settings = settings;
        this.tokenizer = tokenizer;
        this.log = log;
        this.progress = progress;
    }

    public Run run(List<DatasetRow> rows) throws InterruptedException {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the dataset produced no prompts");
        }
        RequestSender sender = new RequestSender(client, settings.backend().shape());
        warmup(sender, rows.getFirst());
        if (settings.flushCache()) {
            flushCache();
        }
        Thread.sleep(settings.pauseAfterWarmup());

        Semaphore slots = settings.maxConcurrency() == null ? null : new Semaphore(settings.maxConcurrency(), true);
        PoissonArrivals arrivals = new PoissonArrivals(settings.requestRate(), new Random(settings.seed()));
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, rows.size());
        List<Future<RequestOutcome>> futures = new ArrayList<>();
        long origin = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            long sendAt = origin;
            for (DatasetRow row : rows) {
                waitUntil(sendAt);
                futures.add(threads.submit(() -> limited(slots, sender, row, origin, bar)));
                sendAt += (long) (arrivals.nextGap() * 1e9);
            }
        }
        double duration = (System.nanoTime() - origin) / 1e9;
        if (bar != null) {
            bar.finish();
        }
        List<RequestOutcome> outcomes = new ArrayList<>();
        for (Future<RequestOutcome> f : futures) {
            outcomes.add(countedPrompt(resultOf(f)));
        }
        return new Run(outcomes, duration, ServingMetrics.compute(outcomes, this::retokenizedLength, duration));
    }

    /** The output recounted with the local tokenizer, or the server's count without one. */
    public int retokenizedLength(RequestOutcome outcome) {
        return tokenizer == null ? outcome.outputLen() : tokenizer.count(outcome.generatedText(), false);
    }

    private void warmup(RequestSender sender, DatasetRow first) throws InterruptedException {
        int n = settings.warmupRequests();
        log.println("Starting warmup with " + n + " sequences...");
        log.flush();
        GenerationRequest request = request(first.prompt(), Math.min(first.outputLen(), 32));
        List<RequestOutcome> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<RequestOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(threads.submit(() -> sender.send(request, first.promptLen(), System.nanoTime())));
            }
            for (Future<RequestOutcome> f : futures) {
                outcomes.add(resultOf(f));
            }
        }
        if (n > 0 && outcomes.stream().noneMatch(RequestOutcome::success)) {
            throw new IllegalStateException("Warmup failed - please make sure the benchmark arguments are correct. "
                    + "Error: " + outcomes.getFirst().error());
        }
        log.println("Warmup completed with " + n + " sequences. Starting main benchmark run...");
        log.flush();
    }

    private void flushCache() throws InterruptedException {
        try {
            client.postEmpty("/flush_cache");
        } catch (java.io.IOException e) {
            log.println("Warning: --flush-cache failed: " + e.getMessage());
            log.flush();
        }
    }

    private RequestOutcome limited(Semaphore slots, RequestSender sender, DatasetRow row, long origin,
                                   ProgressBar bar) throws InterruptedException {
        if (slots != null) {
            slots.acquire();
        }
        try {
            return sender.send(request(row.prompt(), row.outputLen()), row.promptLen(), origin);
        } finally {
            if (slots != null) {
                slots.release();
            }
            if (bar != null) {
                bar.step();
            }
        }
    }

    private GenerationRequest request(String prompt, int outputLen) {
        Boolean ignoreEos = settings.backend().sendsIgnoreEos() ? settings.ignoreEos() : null;
        return new GenerationRequest(prompt, outputLen, settings.stream(), ignoreEos, List.of(), settings.model(),
                settings.extraBody());
    }

    private RequestOutcome countedPrompt(RequestOutcome outcome) {
        if (tokenizer == null && outcome.success() && outcome.serverPromptTokens() >= 0) {
            return outcome.withPromptLen(outcome.serverPromptTokens());
        }
        return outcome;
    }

    /** parkNanos may return early (spuriously or on interrupt), so park again until the deadline has passed. */
    private static void waitUntil(long deadlineNanos) throws InterruptedException {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private static RequestOutcome resultOf(Future<RequestOutcome> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("benchmark request thread failed: " + e.getCause(), e.getCause());
        }
    }
}
