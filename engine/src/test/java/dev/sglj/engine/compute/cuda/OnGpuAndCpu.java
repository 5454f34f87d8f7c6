package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link OnGpu} plus a two-thread CPU backend, the reference the kernels are compared against. */
abstract class OnGpuAndCpu extends OnGpu {
    static CpuBackend cpu;

    @BeforeAll
    static void openCpu() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void closeCpu() {
        cpu.close();
    }
}
