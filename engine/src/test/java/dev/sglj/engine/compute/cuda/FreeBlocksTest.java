package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreeBlocksTest {
    @Test
    void takesTheSmallestBlockThatHoldsTheRequest() {
        FreeBlocks free = blocks(0x1000, 4096, 0x2000, 4608, 0x3000, 3584);
        assertThat(free.take(4000)).isEqualTo(new FreeBlocks.Block(0x1000, 4096));
        assertThat(free.take(4000)).isEqualTo(new FreeBlocks.Block(0x2000, 4608));
        assertThat(free.take(4000)).isNull();
        assertThat(free.bytes()).isEqualTo(3584);
    }

    @Test
    void leavesBlocksMoreThanAQuarterLargerThanTheRequest() {
        FreeBlocks free = new FreeBlocks();
        free.put(0x1000, 1_280_001);
        assertThat(free.take(1_024_000)).isNull();
        assertThat(free.take(1_024_001)).isEqualTo(new FreeBlocks.Block(0x1000, 1_280_001));
    }

    @Test
    void prefillActivationsOfNearbyLengthsShareBlocks() {
        FreeBlocks free = new FreeBlocks();
        long gateUpRow = 28672L * 2 * 2;
        free.put(0x1000, DeviceMemory.rounded(3000 * gateUpRow));
        assertThat(free.take(DeviceMemory.rounded(2500 * gateUpRow))).isNotNull();
        free.put(0x1000, DeviceMemory.rounded(3000 * gateUpRow));
        assertThat(free.take(DeviceMemory.rounded(2300 * gateUpRow))).as("3000 rows is over a quarter above 2300").isNull();
    }

    @Test
    void drainHandsOverEveryBlockOnce() {
        FreeBlocks free = blocks(0x1000, 512, 0x2000, 512, 0x3000, 1024);
        List<Long> seen = new ArrayList<>();
        free.drain((ptr, size) -> seen.add(ptr + size));
        assertThat(seen).containsExactlyInAnyOrder(0x1000L + 512, 0x2000L + 512, 0x3000L + 1024);
        assertThat(free.bytes()).isZero();
        assertThat(free.take(512)).isNull();
    }

    /** Free blocks from (address, size) pairs. */
    private static FreeBlocks blocks(long... addressesAndSizes) {
        FreeBlocks free = new FreeBlocks();
        for (int i = 0; i < addressesAndSizes.length; i += 2) free.put(addressesAndSizes[i], addressesAndSizes[i + 1]);
        return free;
    }
}
