package dev.sglj.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SlotAllocatorTest {
    @Test
    void handsOutDistinctSlotsUntilEmptyThenRefuses() {
        SlotAllocator a = new SlotAllocator(10);
        int[] first = a.alloc(6);
        int[] second = a.alloc(4);
        assertThat(a.available()).isZero();
        assertThat(a.alloc(1)).isNull();
        int[] all = new int[10];
        System.arraycopy(first, 0, all, 0, 6);
        System.arraycopy(second, 0, all, 6, 4);
        Arrays.sort(all);
        assertThat(all).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void freshPoolFillsFromSlotZero() {
        assertThat(new SlotAllocator(8).alloc(3)).containsExactly(0, 1, 2);
    }

    @Test
    void refusedAllocationTakesNothing() {
        SlotAllocator a = new SlotAllocator(4);
        a.alloc(3);
        assertThat(a.alloc(2)).isNull();
        assertThat(a.available()).isEqualTo(1);
    }

    @Test
    void freedSlotsAreReusedAndDoubleFreeIsCaught() {
        SlotAllocator a = new SlotAllocator(4);
        int[] s = a.alloc(4);
        a.free(s, 1, 3);
        assertThat(a.available()).isEqualTo(2);
        assertThat(a.alloc(2)).containsExactlyInAnyOrder(s[1], s[2]);
        a.free(new int[] {s[0]});
        assertThatThrownBy(() -> a.free(new int[] {s[0]})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("freed twice");
    }
}
