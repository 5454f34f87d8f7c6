package dev.sglj.engine.compute.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TensorMemoryTest {
    @Test
    void poolsBySizeClassWithinBudgetAndReleasesTheRest() {
        try (TensorMemory memory = new TensorMemory(8192)) {
            TensorMemory.Block a = memory.take(5000);
            TensorMemory.Block b = memory.take(8000);
            assertThat(a.whole().byteSize()).isEqualTo(8192);
            a.whole().fill((byte) 7);
            memory.give(a);
            memory.give(b);
            assertThat(memory.pooledBytes()).isEqualTo(8192);
            assertThat(b.whole().scope().isAlive()).as("past the budget: released").isFalse();
            TensorMemory.Block c = memory.take(6000);
            assertThat(c).isSameAs(a);
            assertThat(c.whole().asSlice(0, 6000).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsOnly(0);
            TensorMemory.Block big = memory.take(TensorMemory.MAX_POOLED_BLOCK + 1);
            assertThat(big.whole().byteSize()).isEqualTo(TensorMemory.MAX_POOLED_BLOCK + 1);
            memory.give(big);
            assertThat(big.whole().scope().isAlive()).isFalse();
            memory.give(c);
        }
    }
}
