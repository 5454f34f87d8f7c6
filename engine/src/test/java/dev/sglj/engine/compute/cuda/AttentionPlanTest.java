package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void longRequestsGetASplitPerThousandKeysWhateverTheBatch() {
        var llama8b = new AttentionKernels.Shape(32, 8, 128, 1f);
        assertThat(AttentionKernels.balanceSplits(1)).isEqualTo(1);
        assertThat(AttentionKernels.balanceSplits(1024)).isEqualTo(1);
        assertThat(AttentionKernels.balanceSplits(1025)).isEqualTo(2);
        assertThat(AttentionKernels.balanceSplits(6144)).isEqualTo(6);
        assertThat(AttentionKernels.balanceSplits(131072)).isEqualTo(AttentionKernels.MAX_BALANCE_SPLITS);
        // Batch 150 has blocks enough for one split each; a graph's plan still leaves room for 16.
        assertThat(AttentionKernels.decodePlan(llama8b, 150, 131072, 132))
                .extracting(AttentionKernels.DecodePlan::splits, AttentionKernels.DecodePlan::spread)
                .containsExactly(16, 1);
        // Short contexts: the balance rule adds nothing.
        assertThat(AttentionKernels.decodePlan(llama8b, 150, 1000, 132).splits()).isEqualTo(1);
        // Fewer blocks than multiprocessors: the spread alone (3 splits of a long context at batch 8).
        assertThat(AttentionKernels.decodePlan(llama8b, 8, 131072, 132))
                .extracting(AttentionKernels.DecodePlan::splits, AttentionKernels.DecodePlan::spread)
                .containsExactly(3, 3);
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
    void decodeRowsKernelTakesHeadDimsThatAreAMultipleOfEight() {
        var llama8b = new AttentionKernels.Shape(32, 8, 128, 1f);
        assertThat(AttentionKernels.decodePlan(llama8b, 32, 131072, 132))
                .isEqualTo(new AttentionKernels.DecodePlan("decode_attention_rows_16_4", 4, 16, 2, 32896));
        assertThat(AttentionKernels.decodePlan(llama8b, 1, 131072, 132))
                .isEqualTo(new AttentionKernels.DecodePlan("decode_attention_rows_16_2", 2, 17, 17, 32832));
        assertThat(AttentionKernels.decodePlan(llama8b, 8, 131072, 132).group()).isEqualTo(2);
        assertThat(AttentionKernels.decodePlan(llama8b, 9, 131072, 132).group()).isEqualTo(4);
        assertThat(AttentionKernels.decodePlan(new AttentionKernels.Shape(8, 1, 64, 1f), 256, 2048, 132).kernel())
                .isEqualTo("decode_attention_rows_8_4");
        assertThat(AttentionKernels.decodePlan(new AttentionKernels.Shape(12, 4, 96, 1f), 2, 100, 132).kernel())
                .isEqualTo("decode_attention_rows_16_1");
        assertThat(AttentionKernels.decodePlan(new AttentionKernels.Shape(16, 8, 256, 1f), 2, 100, 132).kernel())
                .isEqualTo("decode_attention_rows_32_2");
        var perDim = AttentionKernels.decodePlan(new AttentionKernels.Shape(4, 2, 12, 1f), 3, 100, 132);
        assertThat(perDim.kernel()).isEqualTo("decode_attention_1_2");
        assertThat(perDim.sharedBytes()).isZero();
    }

    @Test
    void decodeSplitsStayWithinWhatTheMergeHolds() {
        Matcher limit = Pattern.compile("#define DECODE_MAX_SPLITS (\\d+)").matcher(KernelCompiler.resource("attention.cu"));
        assertThat(limit.find()).as("attention.cu defines DECODE_MAX_SPLITS").isTrue();
        int mergeLimit = Integer.parseInt(limit.group(1));
        assertThat(AttentionKernels.MAX_SPLITS).isLessThanOrEqualTo(mergeLimit);
        assertThat(AttentionKernels.MAX_BALANCE_SPLITS).isLessThanOrEqualTo(mergeLimit);
        for (int requests : new int[] {1, 2, 8, 150}) {
            assertThat(AttentionKernels.decodePlan(new AttentionKernels.Shape(64, 8, 128, 1f), requests, 131072, 132)
                    .splits()).isLessThanOrEqualTo(mergeLimit);
        }
    }

    @Test
    void f32DecodeTakesThePerDimKernelForEveryHeadDim() {
        var llama8b = new AttentionKernels.Shape(32, 8, 128, 1f);
        assertThat(AttentionKernels.f32DecodePlan(llama8b, 32, 131072, 132))
                .isEqualTo(new AttentionKernels.DecodePlan("f32_decode_attention_4_4", 4, 16, 2, 0));
        assertThat(AttentionKernels.f32DecodePlan(llama8b, 1, 131072, 132))
                .isEqualTo(new AttentionKernels.DecodePlan("f32_decode_attention_4_4", 4, 32, 32, 0));
        assertThat(AttentionKernels.f32DecodePlan(new AttentionKernels.Shape(4, 2, 16, 1f), 3, 20, 132))
                .isEqualTo(new AttentionKernels.DecodePlan("f32_decode_attention_1_2", 2, 1, 1, 0));
        assertThat(AttentionKernels.f32DecodePlan(new AttentionKernels.Shape(16, 4, 256, 1f), 2, 100, 132).kernel())
                .isEqualTo("f32_decode_attention_8_4");
    }

    @Test
    void f32ExtendTilesFitTheSharedMemoryOfAnSm90Block() {
        assertThat(AttentionKernels.f32ExtendSharedBytes(16)).isEqualTo(16 * 16 * 4 + 2 * 32 * 17 * 4 + 32 * 4);
        assertThat(AttentionKernels.f32ExtendSharedBytes(128)).isLessThan(48 * 1024);
        assertThat(AttentionKernels.f32ExtendSharedBytes(256)).isGreaterThan(48 * 1024).isLessThanOrEqualTo(227 * 1024);
    }

    @Test
    void rowLanesHoldARowAsSixteenByteChunks() {
        assertThat(AttentionKernels.rowLanes(8)).isEqualTo(1);
        assertThat(AttentionKernels.rowLanes(16)).isEqualTo(2);
        assertThat(AttentionKernels.rowLanes(96)).isEqualTo(16);
        assertThat(AttentionKernels.rowLanes(128)).isEqualTo(16);
        assertThat(AttentionKernels.rowLanes(256)).isEqualTo(32);
        assertThat(AttentionKernels.decodeRowsSharedBytes(16, 2)).isEqualTo(4 * 2 * 2 * 1024 + 64);
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
