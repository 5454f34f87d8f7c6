package dev.sglj.engine.compute.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds and opens the CUDA shared libraries: by full path in {@code $CUDA_HOME/lib64},
 * {@code /usr/local/cuda/lib64} and each {@code LD_LIBRARY_PATH} entry, else by name through the
 * system loader (which also knows the driver's {@code libcuda.so.1}).
 */
final class NativeLibraries {
    private static final Linker LINKER = Linker.nativeLinker();

    private NativeLibraries() {}

    /** The directories searched, in order. */
    static List<Path> searchPath() {
        Set<Path> dirs = new LinkedHashSet<>();
        String cudaHome = System.getenv("CUDA_HOME");
        if (cudaHome != null && !cudaHome.isBlank()) {
            dirs.add(Path.of(cudaHome, "lib64"));
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) dirs.add(Path.of(d));
            }
        }
        return List.copyOf(dirs);
    }

    /** Opens the first of {@code names} found, trying full paths before the system loader. */
    static SymbolLookup open(String what, String... names) {
        List<String> tried = new ArrayList<>();
        for (Path dir : searchPath()) {
            for (String name : names) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) {
                    try {
                        return SymbolLookup.libraryLookup(p, Arena.global());
                    } catch (IllegalArgumentException e) {
                        tried.add(p + " (" + e.getMessage() + ")");
                    }
                }
            }
        }
        for (String name : names) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                tried.add(name);
            }
        }
        throw new IllegalStateException("cannot load " + what + ": tried " + String.join(", ", tried)
                + " and the system loader; set CUDA_HOME or LD_LIBRARY_PATH");
    }

    static MethodHandle function(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(lib.find(name)
                .orElseThrow(() -> new IllegalStateException("CUDA library has no symbol " + name)), descriptor);
    }
}
