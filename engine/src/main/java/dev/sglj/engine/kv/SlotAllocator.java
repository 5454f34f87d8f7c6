package dev.sglj.engine.kv;

import java.util.Arrays;

/**
 * Free list of KV token slots, page size 1. Slots are plain ints in {@code [0, size)}. Allocation
 * hands out the lowest free slots first so a fresh pool fills contiguously.
 */
public final class SlotAllocator {
    private final int size;
    private final int[] free;
    private int freeCount;
    private final boolean[] isFree;

    public SlotAllocator(int size) {
        if (size <= 0) throw new IllegalArgumentException("KV pool size must be positive, got " + size);
        this.size = size;
        this.free = new int[size];
        this.isFree = new boolean[size];
        for (int i = 0; i < size; i++) {
            free[i] = size - 1 - i;
            isFree[i] = true;
        }
        this.freeCount = size;
    }

    public int size() {
        return size;
    }

    public int available() {
        return freeCount;
    }

    /** {@code n} slots, or null when fewer than {@code n} are free (nothing is taken then). */
    public int[] alloc(int n) {
        if (n < 0) throw new IllegalArgumentException("cannot allocate " + n + " slots");
        if (n > freeCount) return null;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int slot = free[--freeCount];
            isFree[slot] = false;
            out[i] = slot;
        }
        return out;
    }

    /** Returns slots to the pool; freeing a slot twice is a bookkeeping bug and throws. */
    public void free(int[] slots) {
        free(slots, 0, slots.length);
    }

    public void free(int[] slots, int from, int to) {
        for (int i = from; i < to; i++) {
            int slot = slots[i];
            if (slot < 0 || slot >= size || isFree[slot]) {
                throw new IllegalStateException("slot " + slot + " freed twice or out of range; pool " + size);
            }
            isFree[slot] = true;
            free[freeCount++] = slot;
        }
    }

    @Override
    public String toString() {
        return "SlotAllocator[" + freeCount + "/" + size + " free, next " + Arrays.toString(
                Arrays.copyOfRange(free, Math.max(0, freeCount - 4), freeCount)) + "]";
    }
}
