package dev.sglj.engine.compute.cuda;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Free device blocks by size. A request takes the smallest free block that holds it and is at most a
 * quarter larger: prompts of varying lengths ask for activations of varying sizes, and an exact-size
 * match would make nearly every prefill allocate afresh (and the cache fill up with sizes never asked
 * for again); the bound keeps a small request from pinning a much larger block.
 */
final class FreeBlocks {
    /** A block: its device address and its size as allocated. */
    record Block(long ptr, long size) {}

    private final TreeMap<Long, ArrayDeque<Long>> bySize = new TreeMap<>();
    private long bytes;

    /** Largest block size a request of {@code size} bytes may take. */
    static long largestFit(long size) {
        return size + size / 4;
    }

    /** The smallest free block of {@code size} to {@link #largestFit} bytes, removed from the free set; null if none. */
    Block take(long size) {
        Map.Entry<Long, ArrayDeque<Long>> e = bySize.ceilingEntry(size);
        if (e == null || e.getKey() > largestFit(size)) return null;
        long ptr = e.getValue().pop();
        if (e.getValue().isEmpty()) bySize.remove(e.getKey());
        bytes -= e.getKey();
        return new Block(ptr, e.getKey());
    }

    void put(long ptr, long size) {
        bySize.computeIfAbsent(size, s -> new ArrayDeque<>()).push(ptr);
        bytes += size;
    }

    /** Hands every free block to {@code sink} (address, size) and empties the set. */
    void drain(BiConsumer<Long, Long> sink) {
        bySize.forEach((size, ptrs) -> ptrs.forEach(p -> sink.accept(p, size)));
        bySize.clear();
        bytes = 0;
    }

    /** Bytes in free blocks. */
    long bytes() {
        return bytes;
    }
}
