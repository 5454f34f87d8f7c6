package dev.sglj.engine.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.cache.PrefixCache.Handle;
import dev.sglj.engine.cache.PrefixCache.LockedPrefix;
import dev.sglj.engine.cache.PrefixCache.MatchResult;
import dev.sglj.engine.kv.SlotAllocator;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class RadixCacheTest {
    private static final int POOL = 64;
    private final SlotAllocator allocator = new SlotAllocator(POOL);
    private final RadixCache cache = new RadixCache(allocator);

    private static int[] t(int... tokens) {
        return tokens;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Inserts tokens with freshly allocated slots, freeing the duplicates; returns the slots used. */
    private int[] cache(int... tokens) {
        int[] slots = allocator.alloc(tokens.length);
        int present = cache.insert(tokens, slots);
        allocator.free(slots, 0, present);
        return slots;
    }

    /** free + running-owned + cached == pool size, plus the tree's own bookkeeping. */
    private void assertAccounted(int ownedByRequests) {
        cache.verify();
        assertThat(allocator.available() + ownedByRequests + cache.totalSize()).isEqualTo(POOL);
    }

    private List<String> cachedPaths() {
        return cache.paths().stream()
                .sorted(Comparator.comparing(p -> Arrays.toString(p[0])))
                .map(p -> Arrays.toString(p[0]) + "->" + Arrays.toString(p[1]))
                .toList();
    }

    @Test
    void emptyTreeMatchesNothing() {
        MatchResult m = cache.matchPrefix(t(1, 2, 3));
        assertThat(m.length()).isZero();
        assertThat(m.handle().length()).isZero();
        assertThat(cache.totalSize()).isZero();
        assertThat(cache.matchPrefix(t()).length()).isZero();
        assertAccounted(0);
    }

    @Test
    void matchesExactPartialAndLongerQueries() {
        int[] slots = cache(1, 2, 3, 4);
        assertThat(cache.matchPrefix(t(1, 2, 3, 4)).slots()).containsExactly(slots);
        assertThat(cache.matchPrefix(t(1, 2, 3, 4, 5, 6)).slots()).containsExactly(slots);
        assertThat(cache.matchPrefix(t(1, 2, 9)).slots()).containsExactly(slots[0], slots[1]);
        assertThat(cache.matchPrefix(t(7, 1, 2)).length()).isZero();
        assertThat(cache.matchPrefix(t(1, 2, 3, 4), 3).slots()).containsExactly(slots[0], slots[1], slots[2]);
        assertThat(cache.totalSize()).isEqualTo(4);
        assertAccounted(0);
    }

    @Test
    void matchEndingMidEdgeSplitsTheNodeAndKeepsSlotsAligned() {
        int[] a = cache(1, 2, 3, 4, 5, 6);
        MatchResult head = cache.matchPrefix(t(1, 2, 3, 9));
        assertThat(head.slots()).containsExactly(Arrays.copyOf(a, 3));
        assertThat(head.handle().length()).isEqualTo(3);
        assertThat(cache.matchPrefix(t(1, 2, 3, 4, 5, 6)).slots()).containsExactly(a);

        int[] b = cache(1, 2, 3, 7, 8);
        assertThat(cachedPaths()).containsExactly(
                Arrays.toString(t(1, 2, 3, 4, 5, 6)) + "->" + Arrays.toString(a),
                Arrays.toString(t(1, 2, 3, 7, 8)) + "->"
                        + Arrays.toString(concat(Arrays.copyOf(a, 3), Arrays.copyOfRange(b, 3, 5))));
        assertThat(cache.totalSize()).isEqualTo(8);
        assertAccounted(0);
    }

    @Test
    void insertReportsTheCachedPrefixAndTakesOnlyTheRest() {
        int[] first = allocator.alloc(4);
        assertThat(cache.insert(t(1, 2, 3, 4), first)).isZero();
        int[] second = allocator.alloc(6);
        assertThat(cache.insert(t(1, 2, 3, 4, 5, 6), second)).isEqualTo(4);
        allocator.free(second, 0, 4);
        assertThat(cache.totalSize()).isEqualTo(6);
        assertThat(cache.matchPrefix(t(1, 2, 3, 4, 5, 6)).slots())
                .containsExactly(first[0], first[1], first[2], first[3], second[4], second[5]);

        int[] third = allocator.alloc(2);
        assertThat(cache.insert(t(1, 2), third)).isEqualTo(2);
        allocator.free(third);
        int[] fourth = allocator.alloc(3);
        assertThat(cache.insert(t(1, 2, 7), fourth)).isEqualTo(2);
        allocator.free(fourth, 0, 2);
        assertThat(cache.totalSize()).isEqualTo(7);
        assertAccounted(0);
    }

    @Test
    void lockMovesSizesToProtectedAndShieldsFromEviction() {
        cache(1, 2, 3, 4);
        cache(1, 2, 5);
        cache(9, 9);
        MatchResult m = cache.matchPrefix(t(1, 2, 3, 4));
        cache.lock(m.handle());
        assertThat(cache.protectedSize()).isEqualTo(4);
        assertThat(cache.evictableSize()).isEqualTo(3);
        cache.lock(m.handle());
        assertThat(cache.protectedSize()).isEqualTo(4);

        assertThat(cache.evict(100)).isEqualTo(3);
        assertThat(cache.matchPrefix(t(1, 2, 3, 4)).slots()).containsExactly(m.slots());
        assertThat(cache.matchPrefix(t(9, 9)).length()).isZero();
        assertAccounted(0);

        cache.unlock(m.handle());
        assertThat(cache.protectedSize()).isEqualTo(4);
        cache.unlock(m.handle());
        assertThat(cache.protectedSize()).isZero();
        assertThat(cache.evictableSize()).isEqualTo(4);
        assertThatThrownBy(() -> cache.unlock(m.handle())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not locked");
        assertThat(cache.evict(100)).isEqualTo(4);
        assertThat(allocator.available()).isEqualTo(POOL);
        assertAccounted(0);
    }

    @Test
    void lockingAnInnerNodeProtectsOnlyItsPath() {
        cache(1, 2, 3, 4, 5);
        MatchResult inner = cache.matchPrefix(t(1, 2, 3));
        cache.lock(inner.handle());
        assertThat(cache.protectedSize()).isEqualTo(3);
        assertThat(cache.evict(10)).isEqualTo(2);
        assertThat(cache.matchPrefix(t(1, 2, 3, 4, 5)).slots()).containsExactly(inner.slots());
        cache.unlock(inner.handle());
        assertAccounted(0);
    }

    @Test
    void evictsLeastRecentlyUsedLeavesFirst() {
        cache(1, 2, 3);
        cache(4, 5);
        cache(6, 7, 8, 9);
        cache.matchPrefix(t(1, 2, 3));
        assertThat(cache.evict(2)).isEqualTo(2);
        assertThat(cache.matchPrefix(t(4, 5)).length()).isZero();
        assertThat(cache.evict(4)).isEqualTo(4);
        assertThat(cache.matchPrefix(t(6, 7, 8, 9)).length()).isZero();
        assertThat(cache.matchPrefix(t(1, 2, 3)).length()).isEqualTo(3);
        assertAccounted(0);
    }

    @Test
    void aParentThatBecomesALeafJoinsTheEvictionOrderByItsOwnAge() {
        cache(1, 2, 3, 4);
        cache(1, 2, 3, 5);
        cache(7, 8);
        // [1,2,3] and its leaves [4], [5] were last used before [7,8]: all three go before it.
        assertThat(cache.evict(5)).isEqualTo(5);
        assertThat(cache.matchPrefix(t(1, 2, 3)).length()).isZero();
        assertThat(cache.matchPrefix(t(7, 8)).length()).isEqualTo(2);
        assertAccounted(0);
    }

    @Test
    void evictionTrimsTheLastLeafToFreeExactlyWhatWasAsked() {
        int[] slots = cache(1, 2, 3, 4, 5, 6);
        cache(8, 9, 10);
        Handle stale = cache.matchPrefix(t(1, 2, 3, 4, 5, 6)).handle();
        cache.matchPrefix(t(8, 9, 10));
        assertThat(cache.evict(4)).isEqualTo(4);
        assertThatThrownBy(() -> cache.lock(stale)).isInstanceOf(IllegalStateException.class);
        assertThat(allocator.available()).isEqualTo(POOL - 5);
        assertThat(cache.matchPrefix(t(1, 2, 3, 4, 5, 6)).slots()).containsExactly(slots[0], slots[1]);
        assertThat(cache.evictableSize()).isEqualTo(5);
        assertAccounted(0);
        assertThat(cache.evict(0)).isZero();
        assertThat(cache.evict(50)).isEqualTo(5);
        assertThat(cache.totalSize()).isZero();
        assertThat(allocator.available()).isEqualTo(POOL);
        assertAccounted(0);
    }

    @Test
    void allocateEvictsOnlyWhenShortAndRefusesWithoutSideEffects() {
        cache(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        int[] taken = allocator.alloc(POOL - 10);
        assertThat(cache.allocate(4)).hasSize(4);
        assertThat(cache.totalSize()).isEqualTo(6);
        MatchResult m = cache.matchPrefix(t(1, 2, 3, 4, 5, 6));
        cache.lock(m.handle());
        assertThat(cache.allocate(1)).isNull();
        assertThat(cache.totalSize()).isEqualTo(6);
        assertAccounted(POOL - 10 + 4);
        cache.unlock(m.handle());
        assertThat(cache.allocate(6)).hasSize(6);
        assertThat(cache.totalSize()).isZero();
        allocator.free(taken);
    }

    @Test
    void flushIsRefusedWhileLockedAndFreesEverythingOtherwise() {
        cache(1, 2, 3);
        cache(4, 5, 6, 7);
        MatchResult locked = cache.matchPrefix(t(1, 2, 3));
        MatchResult unlocked = cache.matchPrefix(t(4, 5));
        cache.lock(locked.handle());
        assertThat(cache.flush()).isFalse();
        assertThat(cache.totalSize()).isEqualTo(7);
        assertAccounted(0);
        cache.unlock(locked.handle());
        assertThat(cache.flush()).isTrue();
        assertThat(cache.totalSize()).isZero();
        assertThat(allocator.available()).isEqualTo(POOL);
        assertThatThrownBy(() -> cache.lock(unlocked.handle())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("evicted or flushed");
        cache.lock(cache.matchPrefix(t(1)).handle());
        assertAccounted(0);
    }

    @Test
    void finishedRequestsShareTheirPrefixAndFreeDuplicates() {
        int[] prompt = t(5, 6, 7, 8, 9);
        // Two requests with the same prompt run at once; neither finds anything cached.
        MatchResult ma = cache.matchPrefix(prompt, prompt.length - 1);
        MatchResult mb = cache.matchPrefix(prompt, prompt.length - 1);
        cache.lock(ma.handle());
        cache.lock(mb.handle());
        int[] a = cache.allocate(prompt.length + 2);
        int[] b = cache.allocate(prompt.length + 1);
        assertAccounted(a.length + b.length);

        cache.cacheFinishedRequest(concat(prompt, t(20, 21)), a, ma.handle());
        assertThat(cache.totalSize()).isEqualTo(7);
        assertAccounted(b.length);
        cache.cacheFinishedRequest(concat(prompt, t(30)), b, mb.handle());
        assertThat(cache.totalSize()).isEqualTo(8);
        assertThat(allocator.available()).isEqualTo(POOL - 8);
        assertThat(cache.matchPrefix(concat(prompt, t(30))).slots())
                .containsExactly(concat(Arrays.copyOf(a, 5), t(b[5])));
        assertAccounted(0);

        // A third request reuses the cached prompt and owns only what it computes.
        MatchResult mc = cache.matchPrefix(prompt, prompt.length - 1);
        assertThat(mc.slots()).containsExactly(Arrays.copyOf(a, 4));
        cache.lock(mc.handle());
        int[] own = cache.allocate(3);
        int[] c = concat(mc.slots(), own);
        assertAccounted(3);
        cache.cacheFinishedRequest(concat(prompt, t(40, 41)), Arrays.copyOf(c, 7), mc.handle());
        assertThat(cache.protectedSize()).isZero();
        assertThat(cache.totalSize()).isEqualTo(10);
        assertAccounted(0);
    }

    @Test
    void unfinishedRequestsAreCachedPerChunkAndAdoptTheCachedSlots() {
        int[] prompt = t(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        MatchResult first = cache.matchPrefix(prompt, 9);
        MatchResult second = cache.matchPrefix(prompt, 9);
        cache.lock(first.handle());
        cache.lock(second.handle());
        Handle ha = first.handle();
        Handle hb = second.handle();

        int[] a = cache.allocate(4);
        int[] b = cache.allocate(4);
        LockedPrefix ra = cache.cacheUnfinishedRequest(Arrays.copyOf(prompt, 4), a, ha);
        assertThat(ra.slots()).containsExactly(a);
        assertThat(ra.handle().length()).isEqualTo(4);
        assertThat(cache.protectedSize()).isEqualTo(4);
        ha = ra.handle();
        assertAccounted(b.length);

        // The second request computed the same chunk meanwhile: it switches to the cached slots.
        LockedPrefix rb = cache.cacheUnfinishedRequest(Arrays.copyOf(prompt, 4), b, hb);
        assertThat(rb.slots()).containsExactly(a);
        assertThat(allocator.available()).isEqualTo(POOL - 4);
        hb = rb.handle();
        assertAccounted(0);

        int[] a2 = concat(ra.slots(), cache.allocate(4));
        ra = cache.cacheUnfinishedRequest(Arrays.copyOf(prompt, 8), a2, ha);
        assertThat(ra.slots()).containsExactly(a2);
        assertThat(cache.protectedSize()).isEqualTo(8);
        assertThat(cache.evictableSize()).isZero();
        ha = ra.handle();
        assertAccounted(0);

        int[] a3 = concat(ra.slots(), cache.allocate(3));
        cache.cacheFinishedRequest(concat(prompt, t(11)), a3, ha);
        assertThat(cache.protectedSize()).isEqualTo(4);
        assertThat(cache.evictableSize()).isEqualTo(7);
        assertAccounted(0);

        cache.releaseRequest(rb.slots(), hb);
        assertThat(cache.protectedSize()).isZero();
        assertThat(cache.matchPrefix(concat(prompt, t(11))).slots()).containsExactly(a3);
        assertAccounted(0);
    }

    @Test
    void releaseFreesOnlyWhatTheRequestOwned() {
        cache(1, 2, 3);
        MatchResult m = cache.matchPrefix(t(1, 2, 3, 4), 3);
        cache.lock(m.handle());
        int[] slots = concat(m.slots(), cache.allocate(5));
        assertAccounted(5);
        cache.releaseRequest(slots, m.handle());
        assertThat(cache.totalSize()).isEqualTo(3);
        assertThat(cache.protectedSize()).isZero();
        assertAccounted(0);
    }

    @Test
    void rejectsMisuseWithClearErrors() {
        assertThatThrownBy(() -> cache.insert(t(1, 2), t(3))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("2 tokens but 1 slots");
        assertThatThrownBy(() -> cache.matchPrefix(t(1, 2), 3)).isInstanceOf(IllegalArgumentException.class);
        RadixCache other = new RadixCache(new SlotAllocator(4));
        Handle foreign = other.matchPrefix(t(1)).handle();
        assertThatThrownBy(() -> cache.lock(foreign)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not belong");
        assertThatThrownBy(() -> cache.lock(new NoPrefixCache(allocator).matchPrefix(t(1)).handle()))
                .isInstanceOf(IllegalArgumentException.class);

        int[] slots = cache(1, 2, 3);
        MatchResult m = cache.matchPrefix(t(1, 2, 3));
        assertThatThrownBy(() -> cache.cacheFinishedRequest(t(1, 2, 3), slots, m.handle()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not locked");
        cache.lock(m.handle());
        assertThatThrownBy(() -> cache.cacheFinishedRequest(t(1, 2, 4), slots, m.handle()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("differ from its locked cached prefix");
        assertThatThrownBy(() -> cache.cacheFinishedRequest(t(1, 2), t(slots[0], slots[1]), m.handle()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fewer than its locked prefix");
        assertAccounted(0);
    }
}
