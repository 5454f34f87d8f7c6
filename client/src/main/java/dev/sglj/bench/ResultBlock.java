package dev.sglj.bench;

import java.util.Locale;

/** The result block bench_serving prints, with Python's {@code "{:<40} {:<10}"} layout reproduced. */
public final class ResultBlock {
    private static final int WIDTH = 50;

    private ResultBlock() {
    }

    public static String format(String backend, double requestRate, Integer maxConcurrency, double durationS,
                                ServingMetrics m) {
        StringBuilder out = new StringBuilder("\n");
        out.append(center(" Serving Benchmark Result ", '=')).append('\n');
        row(out, "Backend:", backend);
        row(out, "Traffic request rate:", pythonFloat(requestRate));
        row(out, "Max request concurrency:", maxConcurrency == null ? "not set" : maxConcurrency.toString());
        row(out, "Successful requests:", Integer.toString(m.completed()));
        row(out, "Benchmark duration (s):", fixed2(durationS));
        row(out, "Total input tokens:", Long.toString(m.totalInput()));
        row(out, "Total generated tokens:", Long.toString(m.totalOutput()));
        row(out, "Total generated tokens (retokenized):", Long.toString(m.totalOutputRetokenized()));
        row(out, "Request throughput (req/s):", fixed2(m.requestThroughput()));
        row(out, "Input token throughput (tok/s):", fixed2(m.inputThroughput()));
        row(out, "Output token throughput (tok/s):", fixed2(m.outputThroughput()));
        row(out, "Total token throughput (tok/s):", fixed2(m.totalThroughput()));
        row(out, "Concurrency:", fixed2(m.concurrency()));
        out.append(center("End-to-End Latency", '-')).append('\n');
        row(out, "Mean E2E Latency (ms):", fixed2(m.meanE2eLatencyMs()));
        row(out, "Median E2E Latency (ms):", fixed2(m.medianE2eLatencyMs()));
        out.append(center("Time to First Token", '-')).append('\n');
        row(out, "Mean TTFT (ms):", fixed2(m.meanTtftMs()));
        row(out, "Median TTFT (ms):", fixed2(m.medianTtftMs()));
        row(out, "P99 TTFT (ms):", fixed2(m.p99TtftMs()));
        out.append(center("Time per Output Token (excl. 1st token)", '-')).append('\n');
        row(out, "Mean TPOT (ms):", fixed2(m.meanTpotMs()));
        row(out, "Median TPOT (ms):", fixed2(m.medianTpotMs()));
        row(out, "P99 TPOT (ms):", fixed2(m.p99TpotMs()));
        out.append(center("Inter-Token Latency", '-')).append('\n');
        row(out, "Mean ITL (ms):", fixed2(m.meanItlMs()));
        row(out, "Median ITL (ms):", fixed2(m.medianItlMs()));
        row(out, "P95 ITL (ms):", fixed2(m.p95ItlMs()));
        row(out, "P99 ITL (ms):", fixed2(m.p99ItlMs()));
        row(out, "Max ITL (ms):", fixed2(m.maxItlMs()));
        out.append("=".repeat(WIDTH)).append('\n');
        return out.toString();
    }

    /** Python's {@code "{s:{c}^{n}}"}: centered, the odd fill character going to the right. */
    static String center(String s, char fill) {
        int pad = Math.max(0, WIDTH - s.length());
        int left = pad / 2;
        return String.valueOf(fill).repeat(left) + s + String.valueOf(fill).repeat(pad - left);
    }

    private static void row(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "%-40s %-10s", label, value)).append('\n');
    }

    /** Python's {@code format(x, ".2f")}. */
    static String fixed2(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%.2f", x);
    }

    /** Python's {@code str(float)} for the values a request rate takes. */
    static String pythonFloat(double x) {
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == Math.rint(x) && Math.abs(x) < 1e16) {
            return String.format(Locale.ROOT, "%.1f", x);
        }
        return Double.toString(x);
    }
}
