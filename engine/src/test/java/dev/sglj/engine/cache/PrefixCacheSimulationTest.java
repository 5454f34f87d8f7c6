package dev.sglj.engine.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.cache.PrefixCache.Handle;
import dev.sglj.engine.cache.PrefixCache.LockedPrefix;
import dev.sglj.engine.cache.PrefixCache.MatchResult;
import dev.sglj.engine.kv.SlotAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs a scheduler-like workload (requests with shared prefixes arriving, matching, prefilling in
 * chunks, decoding, finishing, being aborted or retracted under memory pressure; stray matches,
 * evictions and flushes) and checks the ownership accounting and the KV content of every slot after
 * every step. Each slot's "KV" is modelled as the hash of the token prefix it was computed for, so a
 * slot freed or reused while still referenced shows up as a wrong hash.
 */
class PrefixCacheSimulationTest {
    private static final int POOL = 160;
    private static final int CHUNK = 16;
    private static final int MAX_LIVE = 8;
    private static final int STEPS = 3000;

    private static final class Req {
        int[] tokens;
        final int promptLength;
        final int maxNewTokens;
        int[] slots;
        Handle handle;

        Req(int[] prompt, int maxNewTokens) {
            this.tokens = prompt;
            this.promptLength = prompt.length;
            this.maxNewTokens = maxNewTokens;
        }
    }

    private final List<Req> live = new ArrayList<>();
    private final List<int[]> pastPrompts = new ArrayList<>();
    private final long[] kv = new long[POOL];
    private int[][] systemPrompts;
    private Random rnd;
    private SlotAllocator allocator;
    private PrefixCache cache;
    private int reusedTokens;
    private int retractions;
    private int refusedFlushes;
    private int flushes;
    private int evictedUnderPressure;

    @ParameterizedTest(name = "radix disabled={0}, seed={1}")
    @CsvSource({"false, 1", "false, 2", "false, 3", "true, 4"})
    void ownershipAndKvContentHoldAfterEveryStep(boolean disableRadixCache, long seed) {
        rnd = new Random(seed);
        allocator = new SlotAllocator(POOL);
        cache = PrefixCache.create(allocator, disableRadixCache);
        systemPrompts = new int[6][];
        for (int i = 0; i < systemPrompts.length; i++) systemPrompts[i] = randomTokens(8 + rnd.nextInt(33), 6);

        for (int step = 0; step < STEPS; step++) {
            int op = rnd.nextInt(100);
            if (op < 25) arrive();
            else if (op < 82) advance();
            else if (op < 86) abort();
            else if (op < 92) cache.evict(rnd.nextInt(40));
            else if (op < 98) strayMatch();
            else flush(rnd.nextInt(3) == 0);
            checkEverything();
        }
        drain();
        assertThat(allocator.available() + cache.totalSize()).isEqualTo(POOL);
        assertThat(cache.protectedSize()).isZero();
        assertThat(retractions).as("memory pressure reached").isPositive();
        if (!disableRadixCache) {
            assertThat(reusedTokens).as("prefix reuse happened").isPositive();
            assertThat(evictedUnderPressure).as("allocation evicted").isPositive();
            assertThat(refusedFlushes).as("flush refused while locked").isPositive();
            assertThat(flushes).as("flush done").isPositive();
        } else {
            assertThat(cache.totalSize()).isZero();
        }
    }

    private int[] randomTokens(int n, int vocab) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = rnd.nextInt(vocab);
        return out;
    }

    private int[] nextPrompt() {
        if (!pastPrompts.isEmpty() && rnd.nextInt(5) == 0) return pastPrompts.get(rnd.nextInt(pastPrompts.size()));
        int[] system = systemPrompts[rnd.nextInt(systemPrompts.length)];
        int keep = system.length / 2 + rnd.nextInt(system.length / 2 + 1);
        int[] suffix = randomTokens(1 + rnd.nextInt(24), 4);
        int[] prompt = Arrays.copyOf(system, keep + suffix.length);
        System.arraycopy(suffix, 0, prompt, keep, suffix.length);
        pastPrompts.add(prompt);
        return prompt;
    }

    private void arrive() {
        if (live.size() >= MAX_LIVE) return;
        Req r = new Req(nextPrompt(), 1 + rnd.nextInt(12));
        MatchResult m = cache.matchPrefix(r.tokens, r.promptLength - 1);
        cache.lock(m.handle());
        r.slots = m.slots().clone();
        r.handle = m.handle();
        reusedTokens += m.length();
        live.add(r);
    }

    private void advance() {
        if (live.isEmpty()) return;
        Req r = live.get(rnd.nextInt(live.size()));
        int computed = r.slots.length;
        int count = computed < r.promptLength ? Math.min(CHUNK, r.promptLength - computed) : 1;
        boolean short_ = allocator.available() < count;
        int[] fresh = cache.allocate(count);
        if (fresh == null) {
            cache.releaseRequest(r.slots, r.handle);
            live.remove(r);
            retractions++;
            return;
        }
        if (short_) evictedUnderPressure++;
        r.slots = Arrays.copyOf(r.slots, computed + count);
        System.arraycopy(fresh, 0, r.slots, computed, count);
        long[] hashes = prefixHashes(r.tokens, r.slots.length);
        for (int i = computed; i < r.slots.length; i++) kv[r.slots[i]] = hashes[i];

        if (r.slots.length < r.promptLength) {
            LockedPrefix p = cache.cacheUnfinishedRequest(Arrays.copyOf(r.tokens, r.slots.length), r.slots, r.handle);
            require(p.slots().length == r.slots.length, "cached chunk returned " + p.slots().length + " slots");
            r.slots = p.slots().clone();
            r.handle = p.handle();
            return;
        }
        r.tokens = Arrays.copyOf(r.tokens, r.tokens.length + 1);
        r.tokens[r.tokens.length - 1] = rnd.nextInt(6);
        if (r.tokens.length - r.promptLength == r.maxNewTokens) {
            cache.cacheFinishedRequest(Arrays.copyOf(r.tokens, r.slots.length), r.slots, r.handle);
            live.remove(r);
        }
    }

    private void abort() {
        if (live.isEmpty()) return;
        Req r = live.remove(rnd.nextInt(live.size()));
        cache.releaseRequest(r.slots, r.handle);
    }

    private void strayMatch() {
        int[] query = rnd.nextBoolean() && !pastPrompts.isEmpty()
                ? pastPrompts.get(rnd.nextInt(pastPrompts.size())) : nextPrompt();
        int length = rnd.nextInt(query.length + 1);
        int longest = 0;
        if (cache instanceof RadixCache radix) {
            for (int[][] path : radix.paths()) longest = Math.max(longest, commonPrefix(path[0], query, length));
        }
        MatchResult m = cache.matchPrefix(query, length);
        require(m.length() == longest, "match of " + m.length() + " tokens, longest cached prefix is " + longest);
        long[] hashes = prefixHashes(query, m.length());
        for (int i = 0; i < m.length(); i++) {
            require(kv[m.slots()[i]] == hashes[i], "wrong KV at matched position " + i);
        }
    }

    /** Lets every live request run to its end, as the server does before it flushes the cache. */
    private void drain() {
        while (!live.isEmpty()) {
            advance();
            checkEverything();
        }
    }

    private void flush(boolean drainFirst) {
        if (drainFirst) drain();
        boolean anyLocked = cache.protectedSize() > 0;
        boolean flushed = cache.flush();
        require(flushed == !anyLocked, "flush returned " + flushed + " with locked=" + anyLocked);
        if (flushed) flushes++;
        else refusedFlushes++;
    }

    private void checkEverything() {
        if (cache instanceof RadixCache radix) radix.verify();
        int owned = 0;
        boolean[] seen = new boolean[POOL];
        int used = 0;
        for (Req r : live) {
            int lockedLength = r.handle.length();
            owned += r.slots.length - lockedLength;
            require(r.slots.length >= lockedLength, "request has fewer slots than its locked prefix");
            long[] hashes = prefixHashes(r.tokens, r.slots.length);
            for (int i = 0; i < r.slots.length; i++) {
                require(kv[r.slots[i]] == hashes[i], "wrong KV at position " + i + " of a live request");
            }
            for (int i = lockedLength; i < r.slots.length; i++) used += claim(seen, r.slots[i]);
            switch (cache) {
                case RadixCache radix -> {
                    require(((RadixNode) r.handle).lockRef > 0 || lockedLength == 0, "request handle not locked");
                    require(Arrays.equals(radix.slotsOf(r.handle), 0, lockedLength, r.slots, 0, lockedLength),
                            "request's prefix slots differ from the cache's");
                }
                case NoPrefixCache none -> require(lockedLength == 0, "NoPrefixCache handle with a length");
            }
        }
        if (cache instanceof RadixCache radix) {
            for (int slot : radix.heldSlots()) used += claim(seen, slot);
            for (int[][] path : radix.paths()) {
                long[] hashes = prefixHashes(path[0], path[0].length);
                for (int i = 0; i < path[1].length; i++) {
                    require(kv[path[1][i]] == hashes[i], "wrong KV at cached position " + i);
                }
            }
        }
        require(allocator.available() + owned + cache.totalSize() == POOL, "free " + allocator.available()
                + " + request-owned " + owned + " + cached " + cache.totalSize() + " != pool " + POOL);
        require(used == POOL - allocator.available(), used + " slots owned but " + allocator.available() + " free");
    }

    private static int claim(boolean[] seen, int slot) {
        require(!seen[slot], "slot " + slot + " owned twice");
        seen[slot] = true;
        return 1;
    }

    private static void require(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    private static int commonPrefix(int[] a, int[] b, int bLength) {
        int n = Math.min(a.length, bLength);
        int i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    /** hashes[i] identifies tokens[0, i]: the "KV" a slot at position i must hold. */
    private static long[] prefixHashes(int[] tokens, int n) {
        long[] out = new long[n];
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < n; i++) {
            h = (h ^ (tokens[i] + 1)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
            out[i] = h;
        }
        return out;
    }
}
