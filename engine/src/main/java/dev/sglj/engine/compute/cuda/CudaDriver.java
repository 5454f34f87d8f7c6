package dev.sglj.engine.compute.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through FFM downcalls: device and primary context,
 * memory, streams, events, modules, kernel launches, stream capture and graphs. Every call checks
 * its {@code CUresult} and throws {@link CudaException} naming the function and the error.
 * Handles ({@code CUcontext}, {@code CUstream}, ...) are raw addresses held as {@code long}.
 */
final class CudaDriver {
    static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    static final int ATTR_L2_CACHE_SIZE = 38;
    static final int ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTR_COMPUTE_CAPABILITY_MINOR = 76;
    static final int ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
    /** CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: kernels can read cuMemAllocHost memory at its host address. */
    static final int ATTR_UNIFIED_ADDRESSING = 41;
    static final int FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
    static final int STREAM_NON_BLOCKING = 1;
    static final int CAPTURE_MODE_THREAD_LOCAL = 1;
    /** CU_EVENT_DISABLE_TIMING: an event only waited on, cheaper to record and to wait for. */
    static final int EVENT_DISABLE_TIMING = 0x2;

    private static final SymbolLookup LIB = NativeLibraries.open("the CUDA driver (libcuda)", "libcuda.so.1", "libcuda.so");

    private static MethodHandle fn(String name, java.lang.foreign.MemoryLayout... args) {
        return NativeLibraries.function(LIB, name, FunctionDescriptor.of(JAVA_INT, args));
    }

    private static final MethodHandle GET_ERROR_NAME = fn("cuGetErrorName", JAVA_INT, ADDRESS);
    private static final MethodHandle INIT = fn("cuInit", JAVA_INT);
    private static final MethodHandle DEVICE_GET = fn("cuDeviceGet", ADDRESS, JAVA_INT);
    private static final MethodHandle DEVICE_GET_COUNT = fn("cuDeviceGetCount", ADDRESS);
    private static final MethodHandle DEVICE_GET_ATTRIBUTE = fn("cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle DEVICE_GET_NAME = fn("cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle PRIMARY_CTX_RETAIN = fn("cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
    private static final MethodHandle PRIMARY_CTX_RELEASE = fn("cuDevicePrimaryCtxRelease_v2", JAVA_INT);
    private static final MethodHandle CTX_SET_CURRENT = fn("cuCtxSetCurrent", JAVA_LONG);
    private static final MethodHandle MEM_GET_INFO = fn("cuMemGetInfo_v2", ADDRESS, ADDRESS);
    private static final MethodHandle MEM_ALLOC = fn("cuMemAlloc_v2", ADDRESS, JAVA_LONG);
    private static final MethodHandle MEM_FREE = fn("cuMemFree_v2", JAVA_LONG);
    private static final MethodHandle MEM_ALLOC_HOST = fn("cuMemAllocHost_v2", ADDRESS, JAVA_LONG);
    private static final MethodHandle MEM_FREE_HOST = fn("cuMemFreeHost", ADDRESS);
    private static final MethodHandle MEMCPY_HTOD_ASYNC = fn("cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle MEMCPY_DTOH_ASYNC = fn("cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle MEMCPY_DTOD_ASYNC = fn("cuMemcpyDtoDAsync_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle MEMSET_D8_ASYNC = fn("cuMemsetD8Async", JAVA_LONG, JAVA_BYTE, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle STREAM_CREATE = fn("cuStreamCreate", ADDRESS, JAVA_INT);
    private static final MethodHandle STREAM_SYNCHRONIZE = fn("cuStreamSynchronize", JAVA_LONG);
    private static final MethodHandle STREAM_DESTROY = fn("cuStreamDestroy_v2", JAVA_LONG);
    private static final MethodHandle EVENT_CREATE = fn("cuEventCreate", ADDRESS, JAVA_INT);
    private static final MethodHandle EVENT_RECORD = fn("cuEventRecord", JAVA_LONG, JAVA_LONG);
    private static final MethodHandle EVENT_SYNCHRONIZE = fn("cuEventSynchronize", JAVA_LONG);
    private static final MethodHandle EVENT_ELAPSED = fn("cuEventElapsedTime_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle EVENT_DESTROY = fn("cuEventDestroy_v2", JAVA_LONG);
    private static final MethodHandle MODULE_LOAD_DATA = fn("cuModuleLoadData", ADDRESS, ADDRESS);
    private static final MethodHandle MODULE_GET_FUNCTION = fn("cuModuleGetFunction", ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle MODULE_UNLOAD = fn("cuModuleUnload", JAVA_LONG);
    private static final MethodHandle FUNC_SET_ATTRIBUTE = fn("cuFuncSetAttribute", JAVA_LONG, JAVA_INT, JAVA_INT);
    private static final MethodHandle LAUNCH_KERNEL = fn("cuLaunchKernel", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    private static final MethodHandle LAUNCH_KERNEL_EX = fn("cuLaunchKernelEx", ADDRESS, JAVA_LONG, ADDRESS, ADDRESS);
    private static final MethodHandle STREAM_BEGIN_CAPTURE = fn("cuStreamBeginCapture_v2", JAVA_LONG, JAVA_INT);
    private static final MethodHandle STREAM_END_CAPTURE = fn("cuStreamEndCapture", JAVA_LONG, ADDRESS);
    private static final MethodHandle GRAPH_INSTANTIATE = fn("cuGraphInstantiateWithFlags", ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle GRAPH_LAUNCH = fn("cuGraphLaunch", JAVA_LONG, JAVA_LONG);
    private static final MethodHandle GRAPH_EXEC_DESTROY = fn("cuGraphExecDestroy", JAVA_LONG);
    private static final MethodHandle GRAPH_DESTROY = fn("cuGraphDestroy", JAVA_LONG);

    private CudaDriver() {}

    static void check(String function, int code) {
        if (code != 0) {
            throw new CudaException(function, code, errorName(code));
        }
    }

    static String errorName(int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) GET_ERROR_NAME.invokeExact(code, out);
            if (rc != 0) return "CUDA_ERROR_" + code;
            return out.get(ADDRESS, 0).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "CUDA_ERROR_" + code;
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    static void init() {
        try {
            check("cuInit", (int) INIT.invokeExact(0));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDeviceGetCount", (int) DEVICE_GET_COUNT.invokeExact(out));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDeviceGet", (int) DEVICE_GET.invokeExact(out, ordinal));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int attribute(int device, int attribute) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDeviceGetAttribute", (int) DEVICE_GET_ATTRIBUTE.invokeExact(out, attribute, device));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(256);
            check("cuDeviceGetName", (int) DEVICE_GET_NAME.invokeExact(out, 256, device));
            return out.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long retainPrimaryContext(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cuDevicePrimaryCtxRetain", (int) PRIMARY_CTX_RETAIN.invokeExact(out, device));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void releasePrimaryContext(int device) {
        try {
            check("cuDevicePrimaryCtxRelease_v2", (int) PRIMARY_CTX_RELEASE.invokeExact(device));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void setCurrent(long context) {
        try {
            check("cuCtxSetCurrent", (int) CTX_SET_CURRENT.invokeExact(context));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {free, total} bytes of device memory. */
    static long[] memInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG);
            MemorySegment total = a.allocate(JAVA_LONG);
            check("cuMemGetInfo_v2", (int) MEM_GET_INFO.invokeExact(free, total));
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Device memory, or throws {@link CudaException} (code 2 when out of memory). */
    static long malloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check("cuMemAlloc_v2", (int) MEM_ALLOC.invokeExact(out, bytes));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void free(long ptr) {
        try {
            check("cuMemFree_v2", (int) MEM_FREE.invokeExact(ptr));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Page-locked host memory of {@code bytes} (device copies from and to it run at full PCIe speed). */
    static MemorySegment mallocHost(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cuMemAllocHost_v2", (int) MEM_ALLOC_HOST.invokeExact(out, bytes));
            return out.get(ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void freeHost(MemorySegment p) {
        try {
            check("cuMemFreeHost", (int) MEM_FREE_HOST.invokeExact(p));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void copyToDevice(long dst, MemorySegment src, long bytes, long stream) {
        try {
            check("cuMemcpyHtoDAsync_v2", (int) MEMCPY_HTOD_ASYNC.invokeExact(dst, src, bytes, stream));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void copyToHost(MemorySegment dst, long src, long bytes, long stream) {
        try {
            check("cuMemcpyDtoHAsync_v2", (int) MEMCPY_DTOH_ASYNC.invokeExact(dst, src, bytes, stream));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void copyOnDevice(long dst, long src, long bytes, long stream) {
        try {
            check("cuMemcpyDtoDAsync_v2", (int) MEMCPY_DTOD_ASYNC.invokeExact(dst, src, bytes, stream));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void memset(long dst, byte value, long bytes, long stream) {
        try {
            check("cuMemsetD8Async", (int) MEMSET_D8_ASYNC.invokeExact(dst, value, bytes, stream));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long createStream() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cuStreamCreate", (int) STREAM_CREATE.invokeExact(out, STREAM_NON_BLOCKING));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void synchronize(long stream) {
        try {
            check("cuStreamSynchronize", (int) STREAM_SYNCHRONIZE.invokeExact(stream));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void destroyStream(long stream) {
        try {
            check("cuStreamDestroy_v2", (int) STREAM_DESTROY.invokeExact(stream));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long createEvent() {
        return createEvent(0);
    }

    static long createEvent(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cuEventCreate", (int) EVENT_CREATE.invokeExact(out, flags));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Waits until the work queued before the event's last record has run. */
    static void synchronizeEvent(long event) {
        try {
            check("cuEventSynchronize", (int) EVENT_SYNCHRONIZE.invokeExact(event));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void recordEvent(long event, long stream) {
        try {
            check("cuEventRecord", (int) EVENT_RECORD.invokeExact(event, stream));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Milliseconds between two recorded events, after waiting for the second. */
    static float elapsedMs(long start, long end) {
        try (Arena a = Arena.ofConfined()) {
            check("cuEventSynchronize", (int) EVENT_SYNCHRONIZE.invokeExact(end));
            MemorySegment out = a.allocate(JAVA_FLOAT);
            check("cuEventElapsedTime_v2", (int) EVENT_ELAPSED.invokeExact(out, start, end));
            return out.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void destroyEvent(long event) {
        try {
            check("cuEventDestroy_v2", (int) EVENT_DESTROY.invokeExact(event));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long loadModule(byte[] image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L, 16);
            MemorySegment.copy(image, 0, img, JAVA_BYTE, 0, image.length);
            MemorySegment out = a.allocate(ADDRESS);
            check("cuModuleLoadData", (int) MODULE_LOAD_DATA.invokeExact(out, img));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long function(long module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) MODULE_GET_FUNCTION.invokeExact(out, module, a.allocateFrom(name));
            if (rc != 0) throw new CudaException("cuModuleGetFunction", rc, errorName(rc), "kernel " + name);
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void unloadModule(long module) {
        try {
            check("cuModuleUnload", (int) MODULE_UNLOAD.invokeExact(module));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void setFunctionAttribute(long function, int attribute, int value) {
        try {
            check("cuFuncSetAttribute", (int) FUNC_SET_ATTRIBUTE.invokeExact(function, attribute, value));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void launch(long function, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, long stream,
                       MemorySegment params, String name) {
        try {
            int rc = (int) LAUNCH_KERNEL.invokeExact(function, gx, gy, gz, bx, by, bz, sharedBytes, stream, params,
                    MemorySegment.NULL);
            if (rc != 0) {
                throw new CudaException("cuLaunchKernel", rc, errorName(rc), "kernel " + name + " grid (" + gx + ", "
                        + gy + ", " + gz + ") block (" + bx + ", " + by + ", " + bz + ") shared " + sharedBytes);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Bytes of a {@code CUlaunchConfig} followed by one {@code CUlaunchAttribute}. */
    static final long DEPENDENT_LAUNCH_BYTES = 56 + 72;
    private static final int LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION = 6;

    /**
     * {@code cuLaunchKernelEx} with programmatic stream serialization (PDL): the kernel may start once every
     * block of the kernel before it has signalled {@code griddepcontrol.launch_dependents} (or exited), and
     * must execute {@code griddepcontrol.wait} before it touches anything that kernel reads or writes.
     * {@code config} is scratch of {@link #DEPENDENT_LAUNCH_BYTES}; in a stream capture the dependency
     * becomes a programmatic graph edge.
     */
    static void launchDependent(long function, int gx, int bx, long stream, MemorySegment params,
                                MemorySegment config, String name) {
        MemorySegment attribute = config.asSlice(56, 72);
        config.fill((byte) 0);
        config.set(JAVA_INT, 0, gx);
        config.set(JAVA_INT, 4, 1);
        config.set(JAVA_INT, 8, 1);
        config.set(JAVA_INT, 12, bx);
        config.set(JAVA_INT, 16, 1);
        config.set(JAVA_INT, 20, 1);
        config.set(JAVA_LONG, 32, stream);
        config.set(ADDRESS, 40, attribute);
        config.set(JAVA_INT, 48, 1);
        attribute.set(JAVA_INT, 0, LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION);
        attribute.set(JAVA_INT, 8, 1);
        try {
            int rc = (int) LAUNCH_KERNEL_EX.invokeExact(config, function, params, MemorySegment.NULL);
            if (rc != 0) {
                throw new CudaException("cuLaunchKernelEx", rc, errorName(rc), "kernel " + name + " grid " + gx
                        + " block " + bx + " (programmatic dependent launch)");
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void beginCapture(long stream) {
        try {
            check("cuStreamBeginCapture_v2", (int) STREAM_BEGIN_CAPTURE.invokeExact(stream, CAPTURE_MODE_THREAD_LOCAL));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Ends capture on the stream and returns the instantiated executable graph. */
    static long endCaptureAndInstantiate(long stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment graph = a.allocate(ADDRESS);
            check("cuStreamEndCapture", (int) STREAM_END_CAPTURE.invokeExact(stream, graph));
            long g = graph.get(JAVA_LONG, 0);
            MemorySegment exec = a.allocate(ADDRESS);
            try {
                check("cuGraphInstantiateWithFlags", (int) GRAPH_INSTANTIATE.invokeExact(exec, g, 0L));
            } finally {
                check("cuGraphDestroy", (int) GRAPH_DESTROY.invokeExact(g));
            }
            return exec.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void launchGraph(long exec, long stream) {
        try {
            check("cuGraphLaunch", (int) GRAPH_LAUNCH.invokeExact(exec, stream));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void destroyGraph(long exec) {
        try {
            check("cuGraphExecDestroy", (int) GRAPH_EXEC_DESTROY.invokeExact(exec));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
