package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How attention work is cut into blocks (host-side choices; runs without a GPU). */
class AttentionPlanTest {
    @Test
    void decodeGroupsShareOneKvHeadWithinTheRegisterBudget() {
        assertThat(AttentionKernels.decodeGroup(32, 8, 128)).isEqualTo(4);
        assertThat(AttentionKernels.decodeGroup(32, 4, 128)).isEqualTo(8);
        assertThat(AttentionKernels.decodeGroup(64, 8, 256)).isEqualTo(4);
        assertThat(AttentionKernels.decodeGroup(12, 4, 128)).isEqualTo(1);
        assertThat(AttentionKernels.decodeGroup(8, 8, 64)).isEqualTo(1);
    }

    @Test
    void decodeSplitsFillTheGpuButKeepSixtyFourKeysEach() {
        assertThat(AttentionKernels.decodeSplits(1, 8, 4096, 132)).isEqualTo(32);
        assertThat(AttentionKernels.decodeSplits(1, 8, 512, 132)).isEqualTo(8);
        assertThat(AttentionKernels.decodeSplits(32, 8, 4096, 132)).isEqualTo(2);
        assertThat(AttentionKernels.decodeSplits(64, 8, 4096, 132)).isEqualTo(1);
        assertThat(AttentionKernels.decodeSplits(1, 8, 10, 132)).isEqualTo(1);
    }

    @Test
    void tensorCoresTakeHeadDimensions64And128() {
        assertThat(AttentionKernels.tensorCoreTile(128)).get().extracting(AttentionKernels.TensorCoreTile::kernel)
                .isEqualTo("extend_attention_tc_128");
        assertThat(AttentionKernels.tensorCoreTile(64)).get().extracting(AttentionKernels.TensorCoreTile::kernel)
                .isEqualTo("extend_attention_tc_64");
        assertThat(AttentionKernels.tensorCoreTile(32)).isEmpty();
        assertThat(AttentionKernels.tensorCoreTile(256)).isEmpty();
        assertThat(AttentionKernels.tensorCoreTile(128).orElseThrow().sharedBytes(128)).isLessThanOrEqualTo(227 * 1024);
    }

    @Test
    void lanesCoverTheHeadDimension() {
        assertThat(AttentionKernels.lanesPerDim(16)).isEqualTo(1);
        assertThat(AttentionKernels.lanesPerDim(64)).isEqualTo(2);
        assertThat(AttentionKernels.lanesPerDim(96)).isEqualTo(4);
        assertThat(AttentionKernels.lanesPerDim(256)).isEqualTo(8);
        assertThat(AttentionKernels.extendSharedBytes(256)).isGreaterThan(48 * 1024);
        assertThat(AttentionKernels.extendSharedBytes(128)).isLessThan(48 * 1024);
    }
}
