package dev.sglj.engine.compute.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Off-heap blocks for tensors, each in its own shared arena. Closing a shared arena costs a
 * handshake with every thread, so freed blocks up to {@link #MAX_POOLED_BLOCK} are kept (at most
 * {@code maxPooledBytes} in all) and handed out again, zero-filled, to tensors of the same size class
 * (a power of two). Larger blocks, and any past the budget, are released at once.
 */
final class TensorMemory implements AutoCloseable {
    static final long MAX_POOLED_BLOCK = 64L << 20;
    private static final long MIN_CLASS = 4096;
    private static final long ALIGNMENT = 64;

    /** One arena's memory: a size class (pooled) or an exact size. */
    record Block(Arena arena, MemorySegment whole) {}

    private final long maxPooledBytes;
    private final Map<Long, ArrayDeque<Block>> pooled = new HashMap<>();
    private long pooledBytes;

    TensorMemory(long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
    }

    /** A zero-filled block of at least {@code bytes}. */
    Block take(long bytes) {
        if (bytes > MAX_POOLED_BLOCK) {
            Arena arena = Arena.ofShared();
            return new Block(arena, arena.allocate(bytes, ALIGNMENT));
        }
        long capacity = Math.max(MIN_CLASS, Long.highestOneBit(Math.max(1, bytes - 1)) << 1);
        Block reused;
        synchronized (this) {
            ArrayDeque<Block> free = pooled.get(capacity);
            reused = free == null ? null : free.poll();
            if (reused != null) {
                pooledBytes -= capacity;
            }
        }
        if (reused == null) {
            Arena arena = Arena.ofShared();
            return new Block(arena, arena.allocate(capacity, ALIGNMENT));
        }
        reused.whole().asSlice(0, bytes).fill((byte) 0);
        return reused;
    }

    /** Returns a block taken from here; its memory must no longer be reachable through any tensor. */
    void give(Block block) {
        long capacity = block.whole().byteSize();
        if (capacity <= MAX_POOLED_BLOCK) {
            synchronized (this) {
                if (pooledBytes + capacity <= maxPooledBytes) {
                    pooled.computeIfAbsent(capacity, c -> new ArrayDeque<>()).push(block);
                    pooledBytes += capacity;
                    return;
                }
            }
        }
        block.arena().close();
    }

    synchronized long pooledBytes() {
        return pooledBytes;
    }

    @Override
    public synchronized void close() {
        for (ArrayDeque<Block> free : pooled.values()) {
            for (Block b : free) {
                b.arena().close();
            }
        }
        pooled.clear();
        pooledBytes = 0;
    }
}
