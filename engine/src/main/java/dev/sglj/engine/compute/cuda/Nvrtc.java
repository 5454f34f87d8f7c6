package dev.sglj.engine.compute.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/** NVRTC ({@code libnvrtc}) through FFM: compiles CUDA C++ source to a cubin for one architecture. */
final class Nvrtc {
    private static final SymbolLookup LIB = NativeLibraries.open("NVRTC (libnvrtc)",
            "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so");

    private static MethodHandle fn(String name, java.lang.foreign.MemoryLayout... args) {
        return NativeLibraries.function(LIB, name, FunctionDescriptor.of(JAVA_INT, args));
    }

    private static final MethodHandle ERROR_STRING = NativeLibraries.function(LIB, "nvrtcGetErrorString",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle VERSION = fn("nvrtcVersion", ADDRESS, ADDRESS);
    private static final MethodHandle CREATE = fn("nvrtcCreateProgram", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle COMPILE = fn("nvrtcCompileProgram", ADDRESS, JAVA_INT, ADDRESS);
    private static final MethodHandle LOG_SIZE = fn("nvrtcGetProgramLogSize", ADDRESS, ADDRESS);
    private static final MethodHandle LOG = fn("nvrtcGetProgramLog", ADDRESS, ADDRESS);
    private static final MethodHandle CUBIN_SIZE = fn("nvrtcGetCUBINSize", ADDRESS, ADDRESS);
    private static final MethodHandle CUBIN = fn("nvrtcGetCUBIN", ADDRESS, ADDRESS);
    private static final MethodHandle DESTROY = fn("nvrtcDestroyProgram", ADDRESS);

    private Nvrtc() {}

    private static void check(String function, int code, String detail) {
        if (code != 0) {
            throw new CudaException(function, code, errorString(code), detail);
        }
    }

    private static String errorString(int code) {
        try {
            MemorySegment s = (MemorySegment) ERROR_STRING.invokeExact(code);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "NVRTC_ERROR_" + code;
        }
    }

    /** "major.minor" of the loaded NVRTC. */
    static String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT);
            MemorySegment minor = a.allocate(JAVA_INT);
            check("nvrtcVersion", (int) VERSION.invokeExact(major, minor), null);
            return major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    /** Compiles {@code source} (named {@code name} in messages) with {@code options}; returns the cubin. */
    static byte[] compile(String name, String source, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ADDRESS);
            check("nvrtcCreateProgram", (int) CREATE.invokeExact(progOut, a.allocateFrom(source), a.allocateFrom(name),
                    0, MemorySegment.NULL, MemorySegment.NULL), name);
            MemorySegment prog = progOut.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, options.size());
                for (int i = 0; i < options.size(); i++) {
                    opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                }
                int rc = (int) COMPILE.invokeExact(prog, options.size(), opts);
                if (rc != 0) {
                    check("nvrtcCompileProgram", rc, name + " " + options + "\n" + log(a, prog));
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                check("nvrtcGetCUBINSize", (int) CUBIN_SIZE.invokeExact(prog, size), name);
                MemorySegment cubin = a.allocate(size.get(JAVA_LONG, 0));
                check("nvrtcGetCUBIN", (int) CUBIN.invokeExact(prog, cubin), name);
                return cubin.toArray(JAVA_BYTE);
            } finally {
                check("nvrtcDestroyProgram", (int) DESTROY.invokeExact(progOut), name);
            }
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    private static String log(Arena a, MemorySegment prog) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        check("nvrtcGetProgramLogSize", (int) LOG_SIZE.invokeExact(prog, size), null);
        MemorySegment log = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
        check("nvrtcGetProgramLog", (int) LOG.invokeExact(prog, log), null);
        return log.getString(0);
    }
}
