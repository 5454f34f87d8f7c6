import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Read bandwidth of this machine's memory: sums a buffer much larger than the caches (2 GiB by
 * default) with the Vector API, split over N threads, and prints the best of several passes.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector MemBandwidth.java [GiB] [threads] [passes]}.
 * The last line is {@code read_bandwidth_gbps=<GB/s>} (10^9 bytes per second) for scripts.
 */
public final class MemBandwidth {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    public static void main(String[] args) throws Exception {
        long gib = args.length > 0 ? Long.parseLong(args[0]) : 2;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        long bytes = gib << 30;
        try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            MemorySegment buf = arena.allocate(bytes, 64);
            buf.fill((byte) 0x3F); // every float 0.747: no denormals to slow the adds
            MemorySegment head = buf.asSlice(0, Math.min(bytes, 64L << 20));
            for (int w = 0; w < 50; w++) sumParallel(pool, head, threads); // JIT-compile the loop first
            double best = 0;
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                double sum = sumParallel(pool, buf, threads);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double gbps = bytes / seconds / 1e9;
                best = Math.max(best, gbps);
                System.out.printf(Locale.ROOT, "pass %d: %.2f GB/s (checksum %.0f)%n", p, gbps, sum);
            }
            System.out.printf(Locale.ROOT, "%d GiB, %d threads, best of %d passes%n", gib, threads, passes);
            System.out.printf(Locale.ROOT, "read_bandwidth_gbps=%.2f%n", best);
        }
    }

    private static double sumParallel(ExecutorService pool, MemorySegment buf, int threads) throws Exception {
        long chunk = buf.byteSize() / threads / 64 * 64;
        List<Future<Double>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long from = t * chunk;
            long to = t == threads - 1 ? buf.byteSize() : from + chunk;
            Callable<Double> task = () -> sum(buf, from, to);
            parts.add(pool.submit(task));
        }
        double total = 0;
        for (Future<Double> f : parts) total += f.get();
        return total;
    }

    private static double sum(MemorySegment buf, long from, long to) {
        long step = SPECIES.vectorByteSize() * 4L;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        long off = from;
        for (; off + step <= to; off += step) {
            a0 = a0.add(FloatVector.fromMemorySegment(SPECIES, buf, off, ByteOrder.nativeOrder()));
            a1 = a1.add(FloatVector.fromMemorySegment(SPECIES, buf, off + SPECIES.vectorByteSize(), ByteOrder.nativeOrder()));
            a2 = a2.add(FloatVector.fromMemorySegment(SPECIES, buf, off + 2L * SPECIES.vectorByteSize(), ByteOrder.nativeOrder()));
            a3 = a3.add(FloatVector.fromMemorySegment(SPECIES, buf, off + 3L * SPECIES.vectorByteSize(), ByteOrder.nativeOrder()));
        }
        double s = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
        for (; off < to; off += 4) s += buf.get(ValueLayout.JAVA_FLOAT_UNALIGNED, off);
        return s;
    }
}
