package dev.sglj.engine.compute.cuda;

/**
 * GPU memory planning as SGLang does it. {@code --mem-fraction-static} is the share of the GPU that
 * weights plus the KV pool may take; SGLang's default reserves
 * {@code 512 + max(chunkedPrefill, 2048) * 1.5 + cudaGraphMaxBs * 2} MiB (at least 10 GiB on GPUs
 * over 60 GiB) for activations and graphs. After the weights are loaded, the pool gets what is left
 * of that share: {@code free - total * (1 - memFractionStatic)}.
 */
public final class KvPoolSizing {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private KvPoolSizing() {}

    /** SGLang's default {@code --mem-fraction-static} for a GPU of {@code totalBytes} at TP 1. */
    public static double defaultMemFractionStatic(long totalBytes, int chunkedPrefillSize, int cudaGraphMaxBs) {
        double reservedMib = 512 + Math.max(chunkedPrefillSize, 2048) * 1.5 + cudaGraphMaxBs * 2.0;
        if (totalBytes > 60 * GIB) reservedMib = Math.max(reservedMib, 10 * 1024);
        double totalMib = (double) totalBytes / MIB;
        return (totalMib - reservedMib) / totalMib;
    }

    /**
     * KV slots that fit once the weights are on the device.
     *
     * @throws IllegalStateException with the numbers when not even one slot fits
     */
    public static int tokens(long freeBytes, long totalBytes, double memFractionStatic, long bytesPerSlot) {
        if (!(memFractionStatic > 0 && memFractionStatic < 1)) {
            throw new IllegalArgumentException("--mem-fraction-static " + memFractionStatic + " must be in (0, 1)");
        }
        long rest = freeBytes - (long) (totalBytes * (1 - memFractionStatic));
        long slots = rest / bytesPerSlot;
        if (slots < 1) {
            throw new IllegalStateException(String.format("no GPU memory left for the KV cache: %.2f GiB free of "
                    + "%.2f GiB after loading the weights, and --mem-fraction-static %.3f keeps %.2f GiB back; "
                    + "raise --mem-fraction-static or use a smaller model", freeBytes / (double) GIB,
                    totalBytes / (double) GIB, memFractionStatic, totalBytes * (1 - memFractionStatic) / GIB));
        }
        return (int) Math.min(Integer.MAX_VALUE, slots);
    }
}
