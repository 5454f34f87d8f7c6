package dev.sglj.engine.compute.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.sglj.engine.compute.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loaded kernel modules and a launcher: arguments are packed into one reusable native buffer
 * (a slot of 8 bytes per argument plus the {@code void**} array cuLaunchKernel reads), so a launch
 * allocates nothing. Not thread-safe: the backend issues work from one thread at a time.
 */
final class Kernels implements AutoCloseable {
    static final List<String> SOURCES = List.of("elementwise.cu", "attention.cu", "extend_attention.cu", "gemv.cu",
            "sampling.cu", "fused.cu", "overlap.cu");
    /** The F32 compute path's kernels, loaded only by a backend computing in F32. */
    static final List<String> F32_SOURCES = List.of("f32.cu");
    private static final int MAX_ARGS = 32;

    private final List<Long> modules = new ArrayList<>();
    private final Map<String, Long> functions = new HashMap<>();
    private final Map<Long, Integer> sharedLimitSet = new HashMap<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment slots = arena.allocate(8L * MAX_ARGS, 8);
    private final MemorySegment params = arena.allocate(ADDRESS, MAX_ARGS);
    private final MemorySegment dependentLaunch = arena.allocate(CudaDriver.DEPENDENT_LAUNCH_BYTES, 8);
    private final long stream;
    private final boolean dependentLaunches;
    private final List<String> sources;
    private int argCount;

    /** The sources a backend computing in {@code activations} loads: F32 adds {@link #F32_SOURCES}. */
    static List<String> sources(DType activations) {
        if (activations != DType.F32) return SOURCES;
        List<String> all = new ArrayList<>(SOURCES);
        all.addAll(F32_SOURCES);
        return List.copyOf(all);
    }

    Kernels(KernelCompiler compiler, long stream, List<String> sources) {
        this.stream = stream;
        this.sources = sources;
        this.dependentLaunches = compiler.dependentLaunches();
        for (int i = 0; i < MAX_ARGS; i++) params.setAtIndex(ADDRESS, i, slots.asSlice(8L * i, 8));
        for (String source : sources) {
            modules.add(CudaDriver.loadModule(compiler.cubin(source)));
        }
    }

    private long function(String name) {
        Long f = functions.get(name);
        if (f != null) return f;
        for (long module : modules) {
            try {
                long found = CudaDriver.function(module, name);
                functions.put(name, found);
                return found;
            } catch (CudaException e) {
                // not in this module: try the next
            }
        }
        throw new IllegalStateException("no kernel named " + name + " in " + sources);
    }

    /** Starts packing the arguments of a launch. */
    Kernels args() {
        argCount = 0;
        return this;
    }

    Kernels ptr(long devicePointer) {
        slots.set(JAVA_LONG, 8L * argCount++, devicePointer);
        return this;
    }

    Kernels i32(int v) {
        slots.set(JAVA_INT, 8L * argCount++, v);
        return this;
    }

    Kernels i64(long v) {
        slots.set(JAVA_LONG, 8L * argCount++, v);
        return this;
    }

    Kernels f32(float v) {
        slots.set(JAVA_FLOAT, 8L * argCount++, v);
        return this;
    }

    /** Launches {@code name} with the packed arguments on the backend's stream. */
    void launch(String name, int gx, int gy, int gz, int block, int sharedBytes) {
        long f = function(name);
        if (sharedBytes > 48 * 1024 && sharedLimitSet.getOrDefault(f, 0) < sharedBytes) {
            CudaDriver.setFunctionAttribute(f, CudaDriver.FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes);
            sharedLimitSet.put(f, sharedBytes);
        }
        CudaDriver.launch(f, gx, gy, gz, block, 1, 1, sharedBytes, stream, params, name);
    }

    /**
     * Launches {@code name} (1-D grid, no dynamic shared memory) as a programmatic dependent of the kernel
     * before it on the stream ({@link CudaDriver#launchDependent}): only for kernels that wait
     * ({@code griddepcontrol.wait}) before touching that kernel's data, as gemv.cu's do. A plain launch below
     * compute capability 9.0.
     */
    void launchDependent(String name, int blocks, int block) {
        if (!dependentLaunches) {
            launch(name, blocks, 1, 1, block, 0);
            return;
        }
        CudaDriver.launchDependent(function(name), blocks, block, stream, params, dependentLaunch, name);
    }

    /** A 1-D grid-stride launch over {@code n} elements. */
    void launchElements(String name, long n) {
        int block = 256;
        long blocks = Math.max(1, Math.min((n + block - 1) / block, 65_535L * 8));
        launch(name, (int) blocks, 1, 1, block, 0);
    }

    @Override
    public void close() {
        for (long m : modules) CudaDriver.unloadModule(m);
        modules.clear();
        functions.clear();
        arena.close();
    }
}
