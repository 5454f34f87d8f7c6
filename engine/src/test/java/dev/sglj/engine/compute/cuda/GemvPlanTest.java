package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the GEMV kernel's work is cut into warps and blocks (host-side choices; runs without a GPU). */
class GemvPlanTest {
    @Test
    void rowsPerWarpMatchTheKernelsInstantiatedInGemvCu() {
        assertThat(Gemv.rowsPerWarp(1)).isEqualTo(1);
        assertThat(Gemv.rowsPerWarp(2)).isEqualTo(2);
        assertThat(Gemv.rowsPerWarp(3)).isEqualTo(2);
        assertThat(Gemv.rowsPerWarp(4)).isEqualTo(4);
    }

    @Test
    void kIsSplitOnlyWhenTheOutputLeavesMultiprocessorsWithoutBlocks() {
        assertThat(Gemv.split(1, 4096, 132)).isEqualTo(1);
        assertThat(Gemv.split(1, 128256, 132)).isEqualTo(1);
        assertThat(Gemv.split(2, 4096, 132)).isEqualTo(2);
        assertThat(Gemv.split(4, 4096, 132)).isEqualTo(4);
        assertThat(Gemv.split(1, 1024, 132)).isEqualTo(4);
        assertThat(Gemv.split(1, 3, 132)).isEqualTo(4);
    }
}
