package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** GPU memory planning as SGLang does it; pure arithmetic, runs without a GPU. */
class KvPoolSizingTest {
    private static final long GIB = 1L << 30;

    @Test
    void defaultFractionMatchesSglangOnAnH100() {
        long h100 = 85_017_493_504L;
        // reserved = 512 + 8192 * 1.5 + 256 * 2 = 13312 MiB (above the 10 GiB floor)
        assertThat(KvPoolSizing.defaultMemFractionStatic(h100, 8192, 256)).isCloseTo(0.8358, within(1e-4));
        // small chunks: the 10 GiB floor of GPUs over 60 GiB applies
        assertThat(KvPoolSizing.defaultMemFractionStatic(h100, 2048, 8))
                .isCloseTo((h100 / 1048576.0 - 10240) / (h100 / 1048576.0), within(1e-9));
        assertThat(KvPoolSizing.defaultMemFractionStatic(24 * GIB, 2048, 8))
                .isCloseTo((24 * 1024 - 3600.0) / (24 * 1024), within(1e-9));
    }

    @Test
    void poolTakesWhatTheStaticFractionLeavesAfterWeights() {
        long total = 80 * GIB;
        long free = 60 * GIB;
        long perSlot = 128 * 1024;
        // 60 GiB free - 80 GiB * 0.2 kept back = 44 GiB of KV
        assertThat(KvPoolSizing.tokens(free, total, 0.8, perSlot)).isEqualTo((int) (44 * GIB / perSlot));
    }

    @Test
    void noRoomForTheCacheSaysWhy() {
        assertThatThrownBy(() -> KvPoolSizing.tokens(10 * GIB, 80 * GIB, 0.8, 1024))
                .hasMessageContaining("no GPU memory left for the KV cache: 10.00 GiB free of 80.00 GiB")
                .hasMessageContaining("--mem-fraction-static 0.800 keeps 16.00 GiB back");
        assertThatThrownBy(() -> KvPoolSizing.tokens(10 * GIB, 80 * GIB, 1.5, 1024))
                .hasMessageContaining("--mem-fraction-static 1.5 must be in (0, 1)");
    }
}
