package dev.sglj.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SGLang's tqdm lines for safetensors shards: a shard counts once its last needed tensor is loaded. */
class ShardProgressTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void oneLinePerCompletedShardInTqdmFormat() {
        Path a = Path.of("model-00001-of-00002.safetensors");
        Path b = Path.of("model-00002-of-00002.safetensors");
        ShardProgress p = new ShardProgress(Map.of("x", a, "y", a, "z", b), 0);
        assertThat(p.start()).contains("Loading safetensors checkpoint shards:   0% Completed | 0/2 [00:00<?, ?it/s]");
        assertThat(p.loaded("x", SECOND)).isEmpty();
        assertThat(p.loaded("not from a file", SECOND)).isEmpty();
        assertThat(p.loaded("y", 2 * SECOND))
                .contains("Loading safetensors checkpoint shards:  50% Completed | 1/2 [00:02<00:02,  2.00s/it]");
        assertThat(p.loaded("z", SECOND / 2 * 5))
                .contains("Loading safetensors checkpoint shards: 100% Completed | 2/2 [00:02<00:00,  1.25s/it]");
    }

    @Test
    void fastShardsReportItemsPerSecond() {
        ShardProgress p = new ShardProgress(Map.of("x", Path.of("a"), "y", Path.of("b"), "z", Path.of("c")), 0);
        assertThat(p.loaded("x", SECOND / 4)).contains("Loading safetensors checkpoint shards:  33% Completed | 1/3 "
                + "[00:00<00:00,  4.00it/s]");
    }

    @Test
    void noLinesWithoutFiles() {
        ShardProgress p = new ShardProgress(Map.of(), 0);
        assertThat(p.start()).isEmpty();
        assertThat(p.loaded("x", SECOND)).isEmpty();
    }

    @Test
    void intervalsAsTqdmFormatsThem() {
        assertThat(ShardProgress.interval(0)).isEqualTo("00:00");
        assertThat(ShardProgress.interval(75.9)).isEqualTo("01:15");
        assertThat(ShardProgress.interval(3725)).isEqualTo("1:02:05");
    }
}
