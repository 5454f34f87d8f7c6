package dev.sglj.engine.compute.cuda;

/** A device allocation that did not fit, with the numbers needed to choose smaller settings. */
public final class OutOfDeviceMemoryException extends RuntimeException {
    public OutOfDeviceMemoryException(String what, long requested, long free, long total, long heldByBackend) {
        super("out of GPU memory allocating " + mib(requested) + " for " + what + ": the device has " + mib(free)
                + " free of " + mib(total) + " and this backend holds " + mib(heldByBackend)
                + " (lower --mem-fraction-static, --max-total-tokens or the batch size)");
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
