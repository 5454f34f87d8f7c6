package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * gemv.cu instantiates the plain kernels for 1..{@link Gemv#MAX_ROWS} rows and the fused forms for
     * 1..{@link FusedLinears#MAX_ROWS}, each with the rows per warp {@link Gemv} plans its grid for.
     */
    @Test
    void gemvCuInstantiatesTheRowsGemvAndFusedLinearsLaunch() throws IOException {
        String source;
        try (InputStream in = Gemv.class.getResourceAsStream("gemv.cu")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<Integer, Integer> plain = instantiations(source, "GEMV_KERNELS");
        Map<Integer, Integer> fused = instantiations(source, "GEMV_FUSED_KERNELS");
        assertThat(plain.keySet()).containsExactly(1, 2, 3, 4).hasSize(Gemv.MAX_ROWS);
        assertThat(fused.keySet()).hasSize(FusedLinears.MAX_ROWS).allMatch(m -> m >= 1 && m <= FusedLinears.MAX_ROWS);
        plain.forEach((m, r) -> assertThat(r).as("plain rows per warp at M=" + m).isEqualTo(Gemv.rowsPerWarp(m)));
        fused.forEach((m, r) -> assertThat(r).as("fused rows per warp at M=" + m).isEqualTo(Gemv.rowsPerWarp(m)));
    }

    /** M -> R of the lines {@code NAME(M, R, U)} that instantiate a kernel macro. */
    private static Map<Integer, Integer> instantiations(String source, String macro) {
        Matcher m = Pattern.compile("(?m)^" + macro + "\\((\\d+), (\\d+), (\\d+)\\)$").matcher(source);
        Map<Integer, Integer> found = new TreeMap<>();
        while (m.find()) found.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        return found;
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

    /**
     * The 8B's q/k/v (6,144 weight rows, 3,072 RoPE pairs) is 768 blocks unsplit: one row splits K four ways
     * (16 blocks per SM wanted), two rows not at all (4 wanted).
     */
    @Test
    void theQkvGemvWantsFourTimesTheBlocksOnlyAtOneRow() {
        assertThat(Gemv.qkvSplit(1, 6144, 132)).isEqualTo(4);
        assertThat(Gemv.qkvSplit(2, 6144, 132)).isEqualTo(1);
        assertThat(Gemv.qkvSplit(1, 6144 * 2, 132)).isEqualTo(2);
        assertThat(Gemv.qkvSplit(1, 6144 * 4, 132)).isEqualTo(1);
    }
}
