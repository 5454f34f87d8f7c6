package dev.sglj.engine.kv;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.util.ArrayDeque;

/**
 * The request-to-token table: row {@code r} holds the KV slot of every position of the live request
 * using row {@code r}. Kept on the host (the scheduler reads it) and mirrored into a device tensor
 * that attention reads; writes go to both.
 */
public final class ReqToTokenPool implements AutoCloseable {
    private final Backend backend;
    private final int maxRequests;
    private final int maxContext;
    private final int[] host;
    private final Tensor device;
    private final ArrayDeque<Integer> freeRows = new ArrayDeque<>();

    public ReqToTokenPool(Backend backend, int maxRequests, int maxContext) {
        this.backend = backend;
        this.maxRequests = maxRequests;
        this.maxContext = maxContext;
        this.host = new int[Math.multiplyExact(maxRequests, maxContext)];
        this.device = backend.allocate(DType.I32, maxRequests, maxContext);
        for (int r = 0; r < maxRequests; r++) freeRows.add(r);
    }

    public int maxRequests() {
        return maxRequests;
    }

    public int maxContext() {
        return maxContext;
    }

    public int availableRows() {
        return freeRows.size();
    }

    /** A free row, or -1 when all are in use. */
    public int allocRow() {
        Integer r = freeRows.poll();
        return r == null ? -1 : r;
    }

    public void freeRow(int row) {
        freeRows.add(row);
    }

    /** Sets the slots of positions {@code [start, start + slots.length)} of a row. */
    public void write(int row, int start, int[] slots) {
        if (start + slots.length > maxContext) {
            throw new IllegalArgumentException("sequence of " + (start + slots.length)
                    + " tokens exceeds the context length " + maxContext);
        }
        System.arraycopy(slots, 0, host, row * maxContext + start, slots.length);
        backend.writeInts(device, (long) row * maxContext + start, slots, 0, slots.length);
    }

    /** Sets one position of each of these rows ({@code rows[i]}'s {@code positions[i]} to {@code slots[i]}) in one write. */
    public void writeEach(int[] rows, int[] positions, int[] slots) {
        int[] offsets = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            if (positions[i] >= maxContext) {
                throw new IllegalArgumentException("sequence of " + (positions[i] + 1) + " tokens exceeds the context length "
                        + maxContext);
            }
            offsets[i] = rows[i] * maxContext + positions[i];
            host[offsets[i]] = slots[i];
        }
        backend.scatterInts(device, offsets, slots);
    }

    /** The slots of positions {@code [from, to)} of a row. */
    public int[] read(int row, int from, int to) {
        int[] out = new int[to - from];
        System.arraycopy(host, row * maxContext + from, out, 0, to - from);
        return out;
    }

    public Tensor deviceTable() {
        return device;
    }

    @Override
    public void close() {
        backend.free(device);
    }
}
