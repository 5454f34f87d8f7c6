package dev.sglj.engine.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/** {@code --dtype} per {@code --device}: what each accepts and the activation dtype it selects. */
class DevicesTest {
    @Test
    void cudaComputesInBfloat16ByDefaultAndInFloat32OnRequest() {
        assertThat(Devices.computeDtype("cuda", "auto")).isEqualTo(DType.BF16);
        assertThat(Devices.computeDtype("cuda", "bfloat16")).isEqualTo(DType.BF16);
        assertThat(Devices.computeDtype("cuda", "float32")).isEqualTo(DType.F32);
        assertThat(Devices.computeDtype("cuda", "float")).isEqualTo(DType.F32);
        assertThat(Devices.effectiveDtype("cuda", "auto")).isEqualTo("bfloat16");
        assertThat(Devices.effectiveDtype("cuda", "float")).isEqualTo("float32");
        assertThatThrownBy(() -> Devices.validateDtype("cuda", "float16"))
                .hasMessage("--dtype float16 is not available on --device cuda, which computes in bfloat16 or float32;"
                        + " use --dtype auto or bfloat16 or float32");
        assertThatThrownBy(() -> Devices.validateDtype("cuda", "half")).hasMessageContaining("not available");
    }

    @Test
    void cpuComputesInFloat32Only() {
        assertThat(Devices.computeDtype("cpu", "auto")).isEqualTo(DType.F32);
        assertThat(Devices.computeDtype("cpu", "float32")).isEqualTo(DType.F32);
        assertThat(Devices.effectiveDtype("cpu", "auto")).isEqualTo("float32");
        assertThatThrownBy(() -> Devices.validateDtype("cpu", "bfloat16"))
                .hasMessage("--dtype bfloat16 is not available on --device cpu, which computes in float32;"
                        + " use --dtype auto or float32");
        assertThatThrownBy(() -> Devices.open("cpu", "float16")).hasMessageContaining("not available on --device cpu");
        try (Backend cpu = Devices.open("cpu", "float32")) {
            assertThat(cpu).isInstanceOf(CpuBackend.class);
        }
    }

    @Test
    void unknownDtypesAreNamed() {
        assertThatThrownBy(() -> Devices.validateDtype("cuda", "fp8"))
                .hasMessageContaining("--dtype must be one of auto, bfloat16, float16, half, float32, float (got 'fp8')");
    }
}
