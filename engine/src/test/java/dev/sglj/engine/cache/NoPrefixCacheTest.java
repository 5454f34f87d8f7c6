package dev.sglj.engine.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.cache.PrefixCache.LockedPrefix;
import dev.sglj.engine.cache.PrefixCache.MatchResult;
import dev.sglj.engine.kv.SlotAllocator;
import org.junit.jupiter.api.Test;

class NoPrefixCacheTest {
    private final SlotAllocator allocator = new SlotAllocator(16);
    private final PrefixCache cache = PrefixCache.create(allocator, true);

    @Test
    void matchesAndKeepsNothingSoRequestsOwnAllTheirSlots() {
        assertThat(cache).isInstanceOf(NoPrefixCache.class);
        int[] tokens = {1, 2, 3, 4};
        MatchResult m = cache.matchPrefix(tokens, 3);
        assertThat(m.length()).isZero();
        cache.lock(m.handle());
        int[] slots = cache.allocate(4);

        LockedPrefix chunk = cache.cacheUnfinishedRequest(tokens, slots, m.handle());
        assertThat(chunk.slots()).containsExactly(slots);
        assertThat(chunk.handle().length()).isZero();
        assertThat(allocator.available()).isEqualTo(12);

        cache.cacheFinishedRequest(tokens, slots, chunk.handle());
        assertThat(allocator.available()).isEqualTo(16);
        assertThat(cache.matchPrefix(tokens).length()).isZero();
        assertThat(cache.totalSize()).isZero();
    }

    @Test
    void insertTakesNothingAndEvictionAndFlushHaveNothingToDo() {
        int[] slots = allocator.alloc(3);
        assertThat(cache.insert(new int[] {7, 8, 9}, slots)).isEqualTo(3);
        assertThat(cache.evict(10)).isZero();
        assertThat(cache.flush()).isTrue();
        assertThat(allocator.available()).isEqualTo(13);
        cache.releaseRequest(slots, cache.matchPrefix(new int[0]).handle());
        assertThat(allocator.available()).isEqualTo(16);
        assertThat(cache.allocate(17)).isNull();
    }

    @Test
    void rejectsHandlesOfOtherCaches() {
        PrefixCache other = new NoPrefixCache(allocator);
        assertThatThrownBy(() -> cache.lock(other.matchPrefix(new int[] {1}).handle()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
        assertThat(PrefixCache.create(allocator, false)).isInstanceOf(RadixCache.class);
    }
}
