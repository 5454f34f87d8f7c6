package dev.sglj.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/** bench_serving's BenchmarkMetrics: latencies in milliseconds, throughputs per second of benchmark duration. */
public record ServingMetrics(
        int completed, long totalInput, long totalOutput, long totalOutputRetokenized,
        double requestThroughput, double inputThroughput, double outputThroughput,
        double outputThroughputRetokenized, double totalThroughput, double totalThroughputRetokenized,
        double meanTtftMs, double medianTtftMs, double stdTtftMs, double p99TtftMs,
        double meanTpotMs, double medianTpotMs, double stdTpotMs, double p99TpotMs,
        double meanItlMs, double medianItlMs, double stdItlMs, double p95ItlMs, double p99ItlMs, double maxItlMs,
        double meanE2eLatencyMs, double medianE2eLatencyMs, double stdE2eLatencyMs, double p99E2eLatencyMs,
        double concurrency) {

    /**
     * Computes the metrics over the successful outcomes.
     *
     * @param retokenized each successful outcome's output recounted with a local tokenizer (or its server count)
     */
    public static ServingMetrics compute(List<RequestOutcome> outcomes, ToIntFunction<RequestOutcome> retokenized,
                                         double durationS) {
        int completed = 0;
        long totalInput = 0;
        long totalOutput = 0;
        long totalRetokenized = 0;
        List<Double> ttfts = new ArrayList<>();
        List<Double> tpots = new ArrayList<>();
        List<Double> itls = new ArrayList<>();
        List<Double> e2e = new ArrayList<>();
        for (RequestOutcome o : outcomes) {
            if (!o.success()) {
                continue;
            }
            completed++;
            totalInput += o.promptLen();
            totalOutput += o.outputLen();
            totalRetokenized += retokenized.applyAsInt(o);
            if (o.outputLen() > 1) {
                tpots.add((o.latency() - o.ttft()) / (o.outputLen() - 1));
            }
            itls.addAll(o.itl());
            ttfts.add(o.ttft());
            e2e.add(o.latency());
        }
        double[] ttft = Stats.orZero(ms(ttfts));
        double[] tpot = Stats.orZero(ms(tpots));
        double[] itl = Stats.orZero(ms(itls));
        double[] lat = ms(e2e);
        double sumLatencyS = e2e.stream().mapToDouble(Double::doubleValue).sum();
        return new ServingMetrics(completed, totalInput, totalOutput, totalRetokenized,
                completed / durationS, totalInput / durationS, totalOutput / durationS,
                totalRetokenized / durationS, (totalInput + totalOutput) / durationS,
                (totalInput + totalRetokenized) / durationS,
                Stats.mean(ttft), Stats.median(ttft), Stats.std(ttft), Stats.percentile(ttft, 99),
                Stats.mean(tpot), Stats.median(tpot), Stats.std(tpot), Stats.percentile(tpot, 99),
                Stats.mean(itl), Stats.median(itl), Stats.std(itl), Stats.percentile(itl, 95),
                Stats.percentile(itl, 99), Stats.max(itl),
                Stats.mean(lat), Stats.median(lat), Stats.std(lat), Stats.percentile(lat, 99),
                sumLatencyS / durationS);
    }

    private static double[] ms(List<Double> seconds) {
        return seconds.stream().mapToDouble(s -> s * 1000).toArray();
    }
}
