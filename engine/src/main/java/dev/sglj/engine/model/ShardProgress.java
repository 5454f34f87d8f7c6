package dev.sglj.engine.model;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Progress over the safetensors shards a model loads from, in SGLang's tqdm format: a shard counts
 * as done when the last of its tensors the model needs is loaded, and each completion gives a line
 * like {@code Loading safetensors checkpoint shards:  50% Completed | 1/2 [00:01<00:01,  1.23s/it]}.
 * No lines when no tensor comes from a file (dummy weights).
 */
final class ShardProgress {
    static final String DESCRIPTION = "Loading safetensors checkpoint shards";

    private final Map<String, Path> fileOf;
    private final Map<Path, Integer> remaining = new HashMap<>();
    private final long startNanos;
    private final int total;
    private int done;

    /** {@code fileOf}: the file of every tensor the model will load (those from a file). */
    ShardProgress(Map<String, Path> fileOf, long startNanos) {
        this.fileOf = Map.copyOf(fileOf);
        this.startNanos = startNanos;
        for (Path file : fileOf.values()) remaining.merge(file, 1, Integer::sum);
        this.total = remaining.size();
    }

    /** The first line (no shard done), when there are shards. */
    Optional<String> start() {
        return total == 0 ? Optional.empty() : Optional.of(line(0, 0));
    }

    /** Notes that tensor {@code name} is loaded; the progress line when that completes its shard. */
    Optional<String> loaded(String name, long nowNanos) {
        Path file = fileOf.get(name);
        if (file == null) return Optional.empty();
        int left = remaining.merge(file, -1, Integer::sum);
        if (left != 0) return Optional.empty();
        done++;
        return Optional.of(line(done, (nowNanos - startNanos) / 1e9));
    }

    /** tqdm's {@code {desc}: {percentage:3.0f}% Completed | {n}/{total} [{elapsed}<{remaining}, {rate_fmt}]}. */
    private String line(int n, double elapsedSeconds) {
        double rate = elapsedSeconds > 0 ? n / elapsedSeconds : 0;
        String remainingText = rate > 0 ? interval((total - n) / rate) : "?";
        String rateText;
        if (rate <= 0) {
            rateText = "?it/s";
        } else if (rate < 1) {
            rateText = String.format(Locale.ROOT, "%5.2fs/it", 1 / rate);
        } else {
            rateText = String.format(Locale.ROOT, "%5.2fit/s", rate);
        }
        // Python rounds the percentage half to even
        return String.format(Locale.ROOT, "%s: %3d%% Completed | %d/%d [%s<%s, %s]", DESCRIPTION,
                (long) Math.rint(100.0 * n / total), n, total, interval(elapsedSeconds), remainingText, rateText);
    }

    /** tqdm's {@code format_interval}: {@code mm:ss}, or {@code h:mm:ss} from an hour. */
    static String interval(double seconds) {
        long s = (long) seconds;
        long h = s / 3600;
        long m = s / 60 % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", m, s % 60);
    }
}
