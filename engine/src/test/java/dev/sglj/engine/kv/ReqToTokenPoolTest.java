package dev.sglj.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.compute.cpu.CpuTensor;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ReqToTokenPoolTest {
    @Test
    void writeEachSetsOnePositionOfEachRowOnTheHostAndTheDevice() {
        try (CpuBackend backend = new CpuBackend(1); ReqToTokenPool pool = new ReqToTokenPool(backend, 3, 4)) {
            pool.write(0, 0, new int[] {10, 11});
            pool.write(2, 0, new int[] {30});
            pool.writeEach(new int[] {2, 0}, new int[] {1, 2}, new int[] {31, 12});
            assertThat(pool.read(0, 0, 3)).containsExactly(10, 11, 12);
            assertThat(pool.read(2, 0, 2)).containsExactly(30, 31);
            int[] device = ((CpuTensor) pool.deviceTable()).data().toArray(ValueLayout.JAVA_INT);
            assertThat(device).containsExactly(10, 11, 12, 0, 0, 0, 0, 0, 30, 31, 0, 0);
            assertThatThrownBy(() -> pool.writeEach(new int[] {1}, new int[] {4}, new int[] {5}))
                    .hasMessageContaining("exceeds the context length 4");
        }
    }
}
