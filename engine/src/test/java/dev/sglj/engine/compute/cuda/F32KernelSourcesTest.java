package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.DType;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The F32 path's kernel names, as the host launches them, against the sources the F32 backend loads
 * (runs without a GPU: a misspelt name would otherwise only fail at its first launch on the device).
 */
class F32KernelSourcesTest {
    private static final String F32_SOURCE = String.join("\n",
            Kernels.sources(DType.F32).stream().map(KernelCompiler::resource).toList());

    @Test
    void onlyTheF32BackendLoadsTheF32Sources() {
        assertThat(Kernels.sources(DType.BF16)).isEqualTo(Kernels.SOURCES);
        assertThat(Kernels.sources(DType.F32)).containsAll(Kernels.SOURCES).containsAll(Kernels.F32_SOURCES)
                .hasSize(Kernels.SOURCES.size() + Kernels.F32_SOURCES.size());
    }

    @Test
    void everyLaunchedKernelIsDefined() {
        for (String name : List.of("f32_convert_bf16", "f32_convert_f16", "f32_fill", "f32_fill_uniform", "f32_rms_norm",
                "f32_add_rms_norm", "f32_add_bias", "f32_qkv_to_cache", "f32_gate_up_silu_and_mul", "f32_decode_merge",
                "gather_rows_4")) {
            assertThat(defined(name)).as(name).isTrue();
        }
    }

    @Test
    void everyPlannedAttentionInstanceExists() {
        int[][] shapes = {{4, 2}, {8, 1}, {32, 8}, {32, 4}, {12, 4}, {16, 4}, {2, 1}, {64, 8}, {8, 8}, {28, 4}};
        assertThat(F32_SOURCE).as("EXTEND_KERNEL instantiates the F32 extend kernel too")
                .contains("f32_extend_attention_##NI(");
        assertThat(F32_SOURCE).as("DECODE_KERNEL instantiates the F32 decode kernel too")
                .contains("f32_decode_attention_##NI##_##G(");
        for (int dim = 2; dim <= 256; dim += 2) {
            String extend = "\nEXTEND_KERNEL(" + AttentionKernels.lanesPerDim(dim) + ")";
            assertThat(F32_SOURCE).as("head dim " + dim).contains(extend);
            for (int[] heads : shapes) {
                var shape = new AttentionKernels.Shape(heads[0], heads[1], dim, 1f);
                for (int requests : new int[] {1, 8, 256}) {
                    String kernel = AttentionKernels.f32DecodePlan(shape, requests, 4096, 132).kernel();
                    String[] parts = kernel.substring("f32_decode_attention_".length()).split("_");
                    assertThat(Pattern.compile("(?m)(^| )DECODE_KERNEL\\(" + parts[0] + ", " + parts[1] + "\\)")
                            .matcher(F32_SOURCE).find()).as(kernel).isTrue();
                }
            }
        }
    }

    private static boolean defined(String name) {
        return Pattern.compile("extern \"C\" __global__ void (__launch_bounds__\\([^)]*\\) )?" + name + "\\(")
                .matcher(F32_SOURCE).find();
    }
}
