package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The caching allocator on a GPU: a freed block serves a later request up to a quarter smaller (the
 * activations of a shorter prompt), not a much smaller one, and a block released twice is an error.
 * Column counts are odd so that no block another test left in the cache fits better.
 */
@Tag("gpu")
class CudaDeviceMemoryTest extends OnGpu {
    private static final long COLS = 57_331;

    @Test
    void aShorterPromptsActivationsReuseTheFreedBlock() {
        CudaTensor longer = (CudaTensor) gpu.allocate(DType.BF16, 3000, COLS);
        long block = longer.ptr();
        gpu.free(longer);
        long reserved = gpu.reservedBytes();
        CudaTensor shorter = (CudaTensor) gpu.allocate(DType.BF16, 2500, COLS);
        assertThat(shorter.ptr()).isEqualTo(block);
        assertThat(gpu.reservedBytes()).isEqualTo(reserved);
        gpu.free(shorter);
    }

    @Test
    void aMuchSmallerRequestTakesABlockOfItsOwn() {
        CudaTensor large = (CudaTensor) gpu.allocate(DType.BF16, 3001, COLS);
        long block = large.ptr();
        gpu.free(large);
        CudaTensor small = (CudaTensor) gpu.allocate(DType.BF16, 2000, COLS);
        assertThat(small.ptr()).isNotEqualTo(block);
        gpu.free(small);
    }

    @Test
    void releasingABlockTwiceIsAnError() {
        long bytes = 3 * COLS;
        long scratch = gpu.scratch(bytes, "test scratch");
        gpu.releaseScratch(scratch, bytes);
        assertThatThrownBy(() -> gpu.releaseScratch(scratch, bytes))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no block handed out there");
    }
}
