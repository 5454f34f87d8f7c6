package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.runner.CudaGraphRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SGLang's captured decode batch sizes and default {@code --cuda-graph-max-bs} (no GPU needed). */
class CudaGraphSizesTest {
    private static final long GIB = 1L << 30;

    @Test
    void capturesSglangSizesUpToTheMaximum() {
        assertThat(CudaGraphRunner.captureSizes(1)).containsExactly(1);
        assertThat(CudaGraphRunner.captureSizes(10)).containsExactly(1, 2, 4, 8);
        assertThat(CudaGraphRunner.captureSizes(32)).containsExactly(1, 2, 4, 8, 12, 16, 24, 32);
        List<Integer> h100 = CudaGraphRunner.captureSizes(256);
        assertThat(h100).hasSize(5 + 31).startsWith(1, 2, 4, 8, 12, 16, 24).endsWith(248, 256);
        assertThat(CudaGraphRunner.captureSizes(600)).contains(272, 496, 512, 544, 576).doesNotContain(511, 600);
    }

    @Test
    void defaultMaxBatchSizeFollowsGpuMemory() {
        assertThat(CudaGraphRunner.defaultMaxBatchSize(16 * GIB)).isEqualTo(8);
        assertThat(CudaGraphRunner.defaultMaxBatchSize(24 * GIB)).isEqualTo(24);
        assertThat(CudaGraphRunner.defaultMaxBatchSize(48 * GIB)).isEqualTo(32);
        assertThat(CudaGraphRunner.defaultMaxBatchSize(59 * GIB)).isEqualTo(32);
        assertThat(CudaGraphRunner.defaultMaxBatchSize(80 * GIB)).isEqualTo(256);
    }
}
