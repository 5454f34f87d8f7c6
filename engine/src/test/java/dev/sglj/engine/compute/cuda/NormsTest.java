package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.DType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Which add+RMSNorm kernel a launch takes, decided on the host (no GPU needed). */
class NormsTest {
    private static CudaTensor at(long address, long cols) {
        return new CudaTensor("t", DType.BF16, new long[] {2, cols}, address);
    }

    @Test
    void vectorFormHoldsWhatElementwiseCuSizesItsRegistersFor() {
        Matcher define = Pattern.compile("#define ADD_NORM_VECTORS (\\d+)").matcher(KernelCompiler.resource("elementwise.cu"));
        assertThat(define.find()).as("elementwise.cu defines ADD_NORM_VECTORS").isTrue();
        assertThat(Norms.ADD_NORM_VECTORS).isEqualTo(Integer.parseInt(define.group(1)));
    }

    @Test
    void rowsOfWholeAlignedVectorsTakeTheVectorForm() {
        assertThat(Norms.addNormVectorThreads(4096, at(0x1000, 4096), at(0x2000, 4096))).isEqualTo(256);
        assertThat(Norms.addNormVectorThreads(8, at(0x1000, 8))).isEqualTo(32);
        assertThat(Norms.addNormVectorThreads(32768, at(0x1000, 32768))).as("4 vectors a thread").isEqualTo(1024);
    }

    @Test
    void otherRowsTakeTheScalarForm() {
        assertThat(Norms.addNormVectorThreads(1004, at(0x1000, 1004))).as("columns not a multiple of 8").isZero();
        assertThat(Norms.addNormVectorThreads(32776, at(0x1000, 32776))).as("more vectors than a block holds").isZero();
        assertThat(Norms.addNormVectorThreads(4096, at(0x1000, 4096), at(0x2002, 4096))).as("an operand off 16 bytes")
                .isZero();
    }
}
