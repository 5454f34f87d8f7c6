package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.cuda.GemmPlans.Entry;
import dev.sglj.engine.compute.cuda.GemmPlans.GemmEx;
import dev.sglj.engine.compute.cuda.GemmPlans.Lt;
import dev.sglj.engine.compute.cuda.GemmPlans.Shape;
import dev.sglj.engine.runner.CudaGraphRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GEMM plan file and the rule of which linears are tuned (host side; runs without a GPU). */
class GemmPlansTest {
    static final String ALGO = "0123456789abcdef".repeat(8);
    static final Shape DOWN = new Shape(128, 4096, 14336, DType.BF16);
    static final Shape LM_HEAD = new Shape(256, 128256, 4096, DType.F32);

    @TempDir
    Path dir;

    @Test
    void tunesBf16LinearsAboveTheGemvUpToTheLargestDecodeGraph() {
        assertThat(GemmPlans.tunes(DType.BF16, Gemv.MAX_ROWS)).isFalse();
        assertThat(GemmPlans.tunes(DType.BF16, Gemv.MAX_ROWS + 1)).isTrue();
        assertThat(GemmPlans.tunes(DType.BF16, 256)).isTrue();
        assertThat(GemmPlans.tunes(DType.BF16, 257)).isFalse();
        assertThat(GemmPlans.tunes(DType.BF16, 4096)).isFalse();
        assertThat(GemmPlans.tunes(DType.F32, 64)).as("F32 runs SGEMM, untuned").isFalse();
        for (int bs : CudaGraphRunner.captureSizes(256)) {
            assertThat(bs <= Gemv.MAX_ROWS || GemmPlans.tunes(DType.BF16, bs)).as("decode graph size " + bs).isTrue();
        }
    }

    @Test
    void linesRoundTrip() {
        Entry lt = new Entry(new Lt(ALGO.toUpperCase()), "43.54 us, cublasGemmEx 51.91 us");
        Entry gemmEx = new Entry(new GemmEx(), "");
        assertThat(GemmPlans.line(DOWN, lt)).isEqualTo("128 4096 14336 bf16 lt:" + ALGO
                + "  # 43.54 us, cublasGemmEx 51.91 us");
        assertThat(GemmPlans.line(LM_HEAD, gemmEx)).isEqualTo("256 128256 4096 f32 gemmEx");
        GemmPlans.Parsed parsed = GemmPlans.parse(List.of(GemmPlans.line(DOWN, lt), GemmPlans.line(LM_HEAD, gemmEx)));
        assertThat(parsed.badLines()).isEmpty();
        assertThat(parsed.entries()).containsExactly(
                entry(DOWN, new Entry(new Lt(ALGO), "43.54 us, cublasGemmEx 51.91 us")), entry(LM_HEAD, gemmEx));
    }

    @Test
    void algorithmBytesRoundTrip() {
        byte[] bytes = new byte[CublasLt.ALGO_BYTES];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 37 - 128);
        assertThat(Lt.of(bytes).bytes()).containsExactly(bytes);
        assertThat(Lt.of(bytes).algo()).hasSize(2 * CublasLt.ALGO_BYTES);
    }

    @Test
    void corruptLinesAreSkippedAndTheRestKept() {
        List<String> lines = List.of(
                "# header",
                "",
                "128 4096 14336 bf16 lt:" + ALGO,
                "64 4096 4096 bf16 gemmEx  # 14.50 us",
                "64 4096 4096 bf16",                          // 4 fields
                "64 4096 4096 f16 gemmEx",                    // output dtype
                "0 4096 4096 bf16 gemmEx",                    // rows
                "x 4096 4096 bf16 gemmEx",                    // not a number
                "64 4096 4096 bf16 lt:" + ALGO.substring(2),  // short algorithm
                "64 4096 4096 bf16 lt:" + ALGO.replace('a', 'g'),
                "64 4096 4096 bf16 cublas",
                "256 128256 4096 f32 gemmEx extra");
        GemmPlans.Parsed parsed = GemmPlans.parse(lines);
        assertThat(parsed.badLines()).containsExactly(5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(parsed.entries()).containsOnlyKeys(DOWN, new Shape(64, 4096, 4096, DType.BF16));
        assertThat(parsed.entries().get(DOWN).plan()).isEqualTo(new Lt(ALGO));
    }

    @Test
    void savedPlansLoadAgainUnderTheSameGpuAndLibraryOnly() {
        Path file = GemmPlans.file(dir, "NVIDIA H100 80GB HBM3", 130100);
        assertThat(file.getFileName().toString()).isEqualTo("gemm-plans-NVIDIA_H100_80GB_HBM3-lt130100.txt");
        assertThat(GemmPlans.file(dir, "NVIDIA H100 80GB HBM3", 130200)).isNotEqualTo(file);
        assertThat(GemmPlans.file(dir, "NVIDIA H200", 130100)).isNotEqualTo(file);

        GemmPlans plans = GemmPlans.load(file, "NVIDIA H100 80GB HBM3", 130100);
        assertThat(plans.size()).isZero();
        plans.put(DOWN, new Lt(ALGO), "43.54 us");
        plans.put(LM_HEAD, new GemmEx(), "");
        plans.save();

        GemmPlans again = GemmPlans.load(file, "NVIDIA H100 80GB HBM3", 130100);
        assertThat(again.size()).isEqualTo(2);
        assertThat(again.get(DOWN)).isEqualTo(new Lt(ALGO));
        assertThat(again.get(LM_HEAD)).isEqualTo(new GemmEx());
        assertThat(again.get(new Shape(8, 4096, 14336, DType.BF16))).isNull();
    }

    @Test
    void anUnreadableFileIsIgnored() throws IOException {
        Path asDirectory = dir.resolve("plans.txt");
        Files.createDirectories(asDirectory);
        assertThat(GemmPlans.load(asDirectory, "gpu", 1).size()).isZero();

        Path binary = dir.resolve("binary.txt");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n'});
        assertThat(GemmPlans.load(binary, "gpu", 1).size()).isZero();

        Path mixed = dir.resolve("mixed.txt");
        Files.writeString(mixed, "garbage\n128 4096 14336 bf16 gemmEx\n", StandardCharsets.UTF_8);
        assertThat(GemmPlans.load(mixed, "gpu", 1).get(DOWN)).isEqualTo(new GemmEx());
    }

    @Test
    void saveIntoAnUnwritableDirectoryOnlyWarns() throws IOException {
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        GemmPlans plans = GemmPlans.load(blocker.resolve("plans.txt"), "gpu", 1);
        plans.put(DOWN, new GemmEx(), "");
        plans.save();
        assertThat(Files.isRegularFile(blocker)).isTrue();
    }

    @Test
    void shapesAndAlgorithmsAreValidated() {
        assertThatThrownBy(() -> new Shape(0, 1, 1, DType.BF16)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Shape(8, 1, 1, DType.I32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Lt("00")).isInstanceOf(IllegalArgumentException.class);
    }
}
