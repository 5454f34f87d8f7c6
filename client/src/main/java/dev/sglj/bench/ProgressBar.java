package dev.sglj.bench;

import java.io.PrintWriter;
import java.util.Locale;

/** A tqdm-like progress line ({@code 37%|███▋      | 370/1000 [00:12<00:20, 30.10it/s]}), redrawn with '\r'. */
final class ProgressBar {
    private static final int BAR = 10;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final int total;
    private final long start = System.nanoTime();
    private int done;
    private int drawn = -1;
    private long lastDraw;

    ProgressBar(PrintWriter out, int total) {
        this.out = out;
        this.total = total;
        draw(start);
    }

    synchronized void step() {
        done++;
        long now = System.nanoTime();
        if (done == total || now - lastDraw >= REDRAW_NANOS) {
            draw(now);
        }
    }

    synchronized void finish() {
        if (drawn != done) {
            draw(System.nanoTime());
        }
        out.println();
        out.flush();
    }

    private void draw(long now) {
        lastDraw = now;
        drawn = done;
        double elapsed = (now - start) / 1e9;
        double fraction = total == 0 ? 1 : (double) done / total;
        double rate = elapsed > 0 ? done / elapsed : 0;
        String eta = rate > 0 ? clock((total - done) / rate) : "?";
        out.print(String.format(Locale.ROOT, "\r%3d%%|%s| %d/%d [%s<%s, %.2fit/s]",
                (int) (fraction * 100), bar(fraction), done, total, clock(elapsed), eta, rate));
        out.flush();
    }

    private static String bar(double fraction) {
        String[] partial = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
        double cells = fraction * BAR;
        int full = (int) cells;
        StringBuilder b = new StringBuilder("█".repeat(full));
        if (full < BAR) {
            b.append(partial[(int) ((cells - full) * 8)]);
        }
        while (b.codePointCount(0, b.length()) < BAR) {
            b.append(' ');
        }
        return b.toString();
    }

    private static String clock(double seconds) {
        long s = (long) seconds;
        return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
