package dev.sglj.engine.compute.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared setup of the gpu-tagged test classes: one BF16 CUDA backend (GPU 0) for all of a class's tests. */
abstract class OnGpu {
    static CudaBackend gpu;

    @BeforeAll
    static void openGpu() {
        gpu = new CudaBackend();
    }

    @AfterAll
    static void closeGpu() {
        gpu.close();
    }
}
