package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import org.junit.jupiter.api.Test;

/** Views of a {@link CudaTensor} (the vectors of {@link PackedInts}): addresses only, so no GPU is needed. */
class CudaTensorViewTest {
    private static final long BASE = 0x7f00_0000_0000L;

    @Test
    void aViewAddressesItsPartOfTheBaseAndIsFreedWithIt() {
        CudaTensor whole = new CudaTensor("inputs", DType.I32, new long[] {3, 4}, BASE);
        CudaTensor second = whole.view("positions", 16, new long[] {4});
        assertThat(second.ptr()).isEqualTo(BASE + 16);
        assertThat(second.numel()).isEqualTo(4);
        assertThat(second.isView()).isTrue();
        assertThat(whole.isView()).isFalse();
        assertThatThrownBy(second::take).isInstanceOf(IllegalStateException.class).hasMessageContaining("view");
        assertThat(second.freed()).isFalse();
        assertThat(whole.take()).isEqualTo(BASE);
        assertThat(second.freed()).isTrue();
        assertThatThrownBy(second::ptr).hasMessageContaining("was freed");
    }

    @Test
    void aViewStaysInsideItsBase() {
        CudaTensor whole = new CudaTensor(null, DType.I32, new long[] {2, 4}, BASE);
        assertThat(whole.view(null, 16, new long[] {4}).ptr()).isEqualTo(BASE + 16);
        assertThatThrownBy(() -> whole.view(null, 20, new long[] {4})).hasMessageContaining("outside");
        assertThatThrownBy(() -> whole.view(null, 2, new long[] {1})).hasMessageContaining("outside");
        assertThatThrownBy(() -> whole.view(null, -4, new long[] {1})).hasMessageContaining("outside");
        assertThatThrownBy(() -> whole.view(null, 0, new long[] {2}).view(null, 0, new long[] {1}))
                .hasMessageContaining("already a view");
    }
}
