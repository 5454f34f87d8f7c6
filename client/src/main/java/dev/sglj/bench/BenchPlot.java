package dev.sglj.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws a benchmark run into a PNG with java.awt in headless mode: the TTFT and ITL distributions as
 * histograms and the output token throughput over the run's time, one panel each.
 */
public final class BenchPlot {
    private static final int WIDTH = 1000;
    private static final int PANEL = 300;
    private static final int MARGIN = 60;
    private static final int BINS = 40;

    private BenchPlot() {
    }

    public static void write(Path file, ServingBenchmark.Run run) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<RequestOutcome> ok = run.outcomes().stream().filter(RequestOutcome::success).toList();
        double[] ttftMs = ok.stream().mapToDouble(o -> o.ttft() * 1000).toArray();
        double[] itlMs = ok.stream().flatMap(o -> o.itl().stream()).mapToDouble(s -> s * 1000).toArray();
        double bucket = Math.max(run.durationS() / 60, 0.05);
        double[] throughput = throughputOverTime(ok, run.durationS(), bucket);

        BufferedImage image = new BufferedImage(WIDTH, 3 * PANEL, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, 3 * PANEL);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        histogram(g, 0, "Time to first token", "TTFT (ms)", ttftMs);
        histogram(g, PANEL, "Inter-token latency", "ITL (ms)", itlMs);
        series(g, 2 * PANEL, "Output token throughput over time", bucket, throughput);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /** Output tokens per second in consecutive buckets of {@code bucket} seconds from the run's start. */
    static double[] throughputOverTime(List<RequestOutcome> outcomes, double durationS, double bucket) {
        int n = Math.max(1, (int) Math.ceil(durationS / bucket));
        double[] tokens = new double[n];
        for (RequestOutcome o : outcomes) {
            for (RequestOutcome.TokenArrival a : o.arrivals()) {
                int i = Math.min(n - 1, Math.max(0, (int) ((o.sentAt() + a.at()) / bucket)));
                tokens[i] += a.tokens();
            }
        }
        for (int i = 0; i < n; i++) {
            tokens[i] /= bucket;
        }
        return tokens;
    }

    private static void histogram(Graphics2D g, int top, String title, String axis, double[] values) {
        frame(g, top, title + " (" + values.length + " samples)");
        if (values.length == 0) {
            return;
        }
        double lo = Stats.percentile(values, 0);
        double hi = Stats.percentile(values, 100);
        double width = hi > lo ? (hi - lo) / BINS : 1;
        int[] counts = new int[BINS];
        for (double v : values) {
            counts[Math.min(BINS - 1, (int) ((v - lo) / width))]++;
        }
        int max = 1;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        int plotW = WIDTH - 2 * MARGIN;
        int plotH = PANEL - 2 * MARGIN;
        int base = top + PANEL - MARGIN;
        g.setColor(new Color(70, 130, 180));
        for (int i = 0; i < BINS; i++) {
            int h = (int) Math.round((double) counts[i] / max * plotH);
            int x = MARGIN + i * plotW / BINS;
            g.fillRect(x, base - h, Math.max(1, plotW / BINS - 1), h);
        }
        labels(g, top, axis, fmt(lo), fmt(lo + width * BINS), Integer.toString(max));
    }

    private static void series(Graphics2D g, int top, String title, double bucket, double[] ys) {
        frame(g, top, title + " (" + fmt(bucket) + " s buckets)");
        double max = 1e-9;
        for (double y : ys) {
            max = Math.max(max, y);
        }
        int plotW = WIDTH - 2 * MARGIN;
        int plotH = PANEL - 2 * MARGIN;
        int base = top + PANEL - MARGIN;
        g.setColor(new Color(205, 92, 92));
        g.setStroke(new BasicStroke(2f));
        for (int i = 1; i < ys.length; i++) {
            int x0 = MARGIN + (i - 1) * plotW / Math.max(1, ys.length - 1);
            int x1 = MARGIN + i * plotW / Math.max(1, ys.length - 1);
            g.drawLine(x0, base - (int) (ys[i - 1] / max * plotH), x1, base - (int) (ys[i] / max * plotH));
        }
        g.setStroke(new BasicStroke(1f));
        labels(g, top, "time (s)", "0", fmt(ys.length * bucket), fmt(max) + " tok/s");
    }

    private static void frame(Graphics2D g, int top, String title) {
        g.setColor(Color.BLACK);
        g.drawString(title, MARGIN, top + MARGIN - 15);
        g.drawLine(MARGIN, top + PANEL - MARGIN, WIDTH - MARGIN, top + PANEL - MARGIN);
        g.drawLine(MARGIN, top + MARGIN, MARGIN, top + PANEL - MARGIN);
    }

    private static void labels(Graphics2D g, int top, String axis, String xMin, String xMax, String yMax) {
        g.setColor(Color.BLACK);
        int base = top + PANEL - MARGIN;
        g.drawString(xMin, MARGIN, base + 15);
        g.drawString(xMax, WIDTH - MARGIN - g.getFontMetrics().stringWidth(xMax), base + 15);
        g.drawString(axis, WIDTH / 2 - g.getFontMetrics().stringWidth(axis) / 2, base + 30);
        g.drawString(yMax, 5, top + MARGIN - 2);
    }

    private static String fmt(double x) {
        return String.format(Locale.ROOT, x >= 100 ? "%.0f" : "%.2f", x);
    }
}
