package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The GEMM algorithm chosen per shape for the BF16 linears that run on cuBLAS at decode sizes
 * ({@link #tunes}): cublasGemmEx's default or a cuBLASLt algorithm, as {@link GemmTuner} measured them.
 * Kept in a text file per GPU name and cuBLASLt version ({@link #file}) beside the NVRTC kernel cache, one
 * line a shape: {@code rows outCols k bf16|f32 gemmEx|lt:<128 hex digits>}, then an optional {@code #}
 * comment (the timings). A line that does not parse is skipped with one warning for the file, as is a file
 * that cannot be read: a plan lost costs one tuning, never a failed start.
 */
final class GemmPlans {
    /** The most rows of x tuned: the largest decode CUDA graph. */
    static final int MAX_ROWS = 256;

    private static final System.Logger LOG = System.getLogger(GemmPlans.class.getName());
    private static final HexFormat HEX = HexFormat.of();

    /** One GEMM problem: x {@code [rows, k]} BF16 times W {@code [outCols, k]} BF16 transposed, out of {@code out}. */
    record Shape(int rows, int outCols, int k, DType out) {
        Shape {
            if (rows <= 0 || outCols <= 0 || k <= 0) {
                throw new IllegalArgumentException("GEMM shape " + rows + " x " + outCols + " x " + k + " must be positive");
            }
            if (out != DType.BF16 && out != DType.F32) {
                throw new IllegalArgumentException("GEMM output dtype " + out + " must be BF16 or F32");
            }
        }
    }

    /** How a shape runs: {@link GemmEx} or a cuBLASLt algorithm. */
    sealed interface Plan permits GemmEx, Lt {}

    /** cublasGemmEx with its default algorithm, as untuned shapes run. */
    record GemmEx() implements Plan {}

    /** A cuBLASLt algorithm: the {@value CublasLt#ALGO_BYTES} bytes of its {@code cublasLtMatmulAlgo_t}, in hex. */
    record Lt(String algo) implements Plan {
        Lt {
            if (algo.length() != 2 * CublasLt.ALGO_BYTES || !algo.chars().allMatch(HexFormat::isHexDigit)) {
                throw new IllegalArgumentException("a cuBLASLt algorithm is " + 2 * CublasLt.ALGO_BYTES
                        + " hex digits, not '" + algo + "'");
            }
            algo = algo.toLowerCase(Locale.ROOT);
        }

        static Lt of(byte[] algo) {
            return new Lt(HEX.formatHex(algo));
        }

        byte[] bytes() {
            return HEX.parseHex(algo);
        }
    }

    /** A shape's plan and the comment written after it. */
    record Entry(Plan plan, String note) {}

    private final Path file;
    private final String header;
    private final Map<Shape, Entry> entries;
    private boolean dirty;

    private GemmPlans(Path file, String header, Map<Shape, Entry> entries) {
        this.file = file;
        this.header = header;
        this.entries = entries;
    }

    /**
     * Whether a linear of {@code rows} rows is tuned: BF16 activations (F32 runs SGEMM) and more rows than the
     * GEMV takes, up to {@value #MAX_ROWS}. Larger prefill GEMMs keep cublasGemmEx's own choice.
     */
    static boolean tunes(DType activations, long rows) {
        return activations == DType.BF16 && rows > Gemv.MAX_ROWS && rows <= MAX_ROWS;
    }

    /** The plan file for one GPU and cuBLASLt version in {@code cacheDir}. */
    static Path file(Path cacheDir, String gpuName, long ltVersion) {
        return cacheDir.resolve("gemm-plans-" + gpuName.replaceAll("[^A-Za-z0-9.-]+", "_") + "-lt" + ltVersion + ".txt");
    }

    /** The plans in {@code file} (none if it does not exist; unreadable or bad lines are warned about and skipped). */
    static GemmPlans load(Path file, String gpuName, long ltVersion) {
        String header = "# SGL-J GEMM plans for " + gpuName + ", cuBLASLt " + ltVersion
                + ": rows outCols k out gemmEx|lt:<cublasLtMatmulAlgo_t>";
        List<String> lines = List.of();
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            // first start on this GPU and library: nothing tuned yet
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring GEMM plans " + file + ": " + e);
        }
        Parsed parsed = parse(lines);
        if (!parsed.badLines().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "ignoring " + parsed.badLines().size() + " unreadable line(s) of GEMM plans "
                    + file + " (line " + parsed.badLines().getFirst() + " first)");
        }
        return new GemmPlans(file, header, parsed.entries());
    }

    /** The entries of a plan file's lines, and the 1-based numbers of the lines that did not parse. */
    record Parsed(Map<Shape, Entry> entries, List<Integer> badLines) {}

    static Parsed parse(List<String> lines) {
        Map<Shape, Entry> entries = new LinkedHashMap<>();
        List<Integer> bad = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String body = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (body.isEmpty()) continue;
            try {
                String[] f = body.split("\\s+");
                if (f.length != 5) throw new IllegalArgumentException(f.length + " fields");
                Shape shape = new Shape(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                        switch (f[3]) {
                            case "bf16" -> DType.BF16;
                            case "f32" -> DType.F32;
                            default -> throw new IllegalArgumentException("output dtype " + f[3]);
                        });
                Plan plan = f[4].equals("gemmEx") ? new GemmEx()
                        : f[4].startsWith("lt:") ? new Lt(f[4].substring(3))
                        : null;
                if (plan == null) throw new IllegalArgumentException("plan " + f[4]);
                entries.put(shape, new Entry(plan, hash < 0 ? "" : line.substring(hash + 1).strip()));
            } catch (IllegalArgumentException e) {
                bad.add(i + 1);
            }
        }
        return new Parsed(entries, bad);
    }

    /** The line of one shape's entry. */
    static String line(Shape s, Entry e) {
        String plan = switch (e.plan()) {
            case GemmEx g -> "gemmEx";
            case Lt lt -> "lt:" + lt.algo();
        };
        return s.rows() + " " + s.outCols() + " " + s.k() + " " + (s.out() == DType.F32 ? "f32" : "bf16") + " " + plan
                + (e.note().isEmpty() ? "" : "  # " + e.note());
    }

    /** The plan of {@code s}, or null when it was never tuned. */
    Plan get(Shape s) {
        Entry e = entries.get(s);
        return e == null ? null : e.plan();
    }

    void put(Shape s, Plan plan, String note) {
        entries.put(s, new Entry(plan, note.replace('\n', ' ')));
        dirty = true;
    }

    int size() {
        return entries.size();
    }

    Path file() {
        return file;
    }

    /** Writes the file if a plan was added since the last save (atomically; a failure is a warning). */
    void save() {
        if (!dirty) return;
        List<String> lines = new ArrayList<>();
        lines.add(header);
        entries.forEach((s, e) -> lines.add(line(s, e)));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            dirty = false;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot save GEMM plans " + file + ": " + e.getMessage());
        }
    }
}
