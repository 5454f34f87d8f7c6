package dev.sglj.engine.compute.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Compiles the {@code .cu} resources of this package with NVRTC for one GPU architecture, caching
 * each cubin on disk under a key of (source, options, NVRTC version, architecture): a second start
 * loads in milliseconds. The cache directory is {@code $SGLJ_CUDA_CACHE}, else
 * {@code ~/.cache/sglj/cuda}; a cache that cannot be written only costs a recompile.
 */
final class KernelCompiler {
    /** Prepended to every kernel source: typedefs, BF16 conversions, warp and block reductions. */
    static final String COMMON = "common.cuh";

    private final String arch;
    /** Programmatic dependent launch (PDL) needs compute capability 9.0; the kernels compile it out below. */
    private final boolean dependentLaunches;
    private final Path cacheDir;
    private long compileMillis;
    private int compiled;
    private int cached;

    KernelCompiler(int ccMajor, int ccMinor, Path cacheDir) {
        this.arch = "sm_" + ccMajor + ccMinor;
        this.dependentLaunches = ccMajor >= 9;
        this.cacheDir = cacheDir;
    }

    static Path defaultCacheDir() {
        String env = System.getenv("SGLJ_CUDA_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "sglj", "cuda");
    }

    boolean dependentLaunches() {
        return dependentLaunches;
    }

    String arch() {
        return arch;
    }

    /** The cubin of resource {@code name} ({@code elementwise.cu}, ...), from the cache or NVRTC. */
    byte[] cubin(String name) {
        String source = resource(COMMON) + "\n#line 1 \"" + name + "\"\n" + resource(name);
        List<String> options = List.of("--gpu-architecture=" + arch, "--std=c++17",
                "-default-device");
        String version = Nvrtc.version();
        String key = sha256(source + "\0" + String.join(" ", options) + "\0" + version);
        Path file = cacheDir.resolve(name.replace(".cu", "") + "-" + arch + "-" + key.substring(0, 24) + ".cubin");
        if (Files.isRegularFile(file)) {
            try {
                byte[] bytes = Files.readAllBytes(file);
                cached++;
                return bytes;
            } catch (IOException e) {
                // unreadable cache entry: compile again below
            }
        }
        long t0 = System.nanoTime();
        byte[] cubin = Nvrtc.compile(name, source, options);
        compileMillis += (System.nanoTime() - t0) / 1_000_000;
        compiled++;
        store(file, cubin);
        return cubin;
    }

    /** "compiled N (T ms), cached M" for start-up logs. */
    String summary() {
        return "NVRTC " + arch + ": compiled " + compiled + " (" + compileMillis + " ms), from cache " + cached;
    }

    private static void store(Path file, byte[] cubin) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, cubin);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.getLogger(KernelCompiler.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot cache " + file + ": " + e.getMessage());
        }
    }

    static String resource(String name) {
        try (InputStream in = KernelCompiler.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing kernel resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel resource " + name, e);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
