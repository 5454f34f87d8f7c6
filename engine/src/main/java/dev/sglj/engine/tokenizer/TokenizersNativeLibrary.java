package dev.sglj.engine.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;

/**
 * Points DJL at the CPU build of the Hugging Face tokenizers library it bundles. On a machine where DJL
 * finds a CUDA runtime it looks for a CUDA-flavoured build that the jar does not hold (the tokenizers
 * library has none) and fails; an explicit {@code RUST_LIBRARY_PATH} skips that detection. The library
 * is unpacked once into {@code $DJL_CACHE_DIR/tokenizers} (default ~/.djl.ai), as DJL itself would.
 * The engine calls this before its first tokenizer; the command line at start, for the bench tools' own
 * DJL tokenizer.
 */
public final class TokenizersNativeLibrary {
    private static final String OVERRIDE = "RUST_LIBRARY_PATH";

    private TokenizersNativeLibrary() {
    }

    /** Sets {@code RUST_LIBRARY_PATH} to the unpacked CPU library unless the user set it or this platform has none. */
    public static synchronized void useBundledCpuBuild() {
        if (System.getProperty(OVERRIDE) != null || System.getenv(OVERRIDE) != null) return;
        String name = System.mapLibraryName("tokenizers");
        String resource = "native/lib/" + platform() + "/cpu/" + name;
        try (InputStream in = TokenizersNativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) return;
            Path dir = cacheDir().resolve("tokenizers").resolve(bundledVersion() + "-sglj-cpu-" + platform());
            Path lib = dir.resolve(name);
            if (!Files.isRegularFile(lib)) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, name, ".tmp");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            System.setProperty(OVERRIDE, lib.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the HF tokenizers library: " + e.getMessage(), e);
        }
    }

    /** The bundled library's version (native/lib/tokenizers.properties), so an upgrade unpacks afresh. */
    private static String bundledVersion() throws IOException {
        try (InputStream in = TokenizersNativeLibrary.class.getClassLoader()
                .getResourceAsStream("native/lib/tokenizers.properties")) {
            Properties properties = new Properties();
            if (in != null) properties.load(in);
            return properties.getProperty("version", "unknown");
        }
    }

    private static Path cacheDir() {
        String configured = System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR"));
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".djl.ai");
    }

    private static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String prefix = os.startsWith("win") ? "win" : os.startsWith("mac") ? "osx" : "linux";
        String arch = System.getProperty("os.arch");
        return prefix + "-" + ("amd64".equals(arch) ? "x86_64" : arch);
    }
}
