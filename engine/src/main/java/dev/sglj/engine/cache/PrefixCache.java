package dev.sglj.engine.cache;

import dev.sglj.engine.kv.SlotAllocator;

/**
 * A cache of KV slots keyed by token prefixes, shared between requests (RadixAttention). The
 * scheduler thread is its only user: implementations are not thread-safe. See the package
 * documentation for who owns which slot after each call.
 */
public sealed interface PrefixCache permits RadixCache, NoPrefixCache {

    /** The cache the server runs with: a radix tree, or nothing under {@code --disable-radix-cache}. */
    static PrefixCache create(SlotAllocator allocator, boolean disableRadixCache) {
        return disableRadixCache ? new NoPrefixCache(allocator) : new RadixCache(allocator);
    }

    /**
     * A position in the cache: the end of a cached prefix of {@link #length()} tokens. A request
     * holds at most one handle locked; everything from the root down to it is then protected from
     * eviction and from {@link #flush()}.
     */
    sealed interface Handle permits RadixNode, NoPrefixCache.Root {
        /** Number of tokens from the start of the sequence to this position. */
        int length();
    }

    /**
     * The longest cached prefix: the cache's slots for its tokens, and the handle to lock before
     * any allocation or eviction can run. Until locked, {@code slots} may be evicted and reused.
     */
    record MatchResult(int[] slots, Handle handle) {
        public int length() {
            return slots.length;
        }
    }

    /**
     * The slots a request should now use for its first {@code slots.length} tokens (all held by the
     * cache), and the handle it now holds locked in place of the one it passed in.
     */
    record LockedPrefix(int[] slots, Handle handle) {}

    /** The longest cached prefix of {@code tokens[0, length)}; may split a node, never evicts. */
    MatchResult matchPrefix(int[] tokens, int length);

    /** The longest cached prefix of all of {@code tokens}. */
    default MatchResult matchPrefix(int[] tokens) {
        return matchPrefix(tokens, tokens.length);
    }

    /**
     * The handle one node closer to the root, or null for the root itself; lets a scheduler group
     * requests by the cached subtree they share (dfs-weight).
     */
    Handle parent(Handle handle);

    /** Protects the handle's path from eviction (one more reference on every node up to the root). */
    void lock(Handle handle);

    /** Releases one reference taken by {@link #lock}. */
    void unlock(Handle handle);

    /**
     * Inserts {@code tokens} with their KV {@code slots} (equal lengths) and returns {@code p}, the
     * number of leading tokens that were already cached. The cache now owns {@code slots[p, n)}; of
     * {@code slots[0, p)} the caller keeps what it owned, which duplicates the cache's and should be
     * freed. A cache that stores nothing returns {@code n}.
     */
    int insert(int[] tokens, int[] slots);

    /** Tokens cached and not protected by any lock: what {@link #evict} can free. */
    int evictableSize();

    /** Tokens cached on some locked path. */
    int protectedSize();

    /** All tokens the cache holds slots for: {@code evictableSize() + protectedSize()}. */
    default int totalSize() {
        return evictableSize() + protectedSize();
    }

    /**
     * Frees {@code min(numTokens, evictableSize())} slots to the allocator, least recently used
     * unlocked leaves first, and returns that number.
     */
    int evict(int numTokens);

    /**
     * {@code n} free slots for a request, evicting unlocked cached tokens if the allocator is short;
     * null (nothing taken, nothing evicted) when even full eviction could not make room.
     */
    int[] allocate(int n);

    /**
     * Drops every cached token, returning its slots to the allocator. Refused (returns false, changes
     * nothing) while any handle is locked, that is while requests use the cache.
     */
    boolean flush();

    /**
     * A request is done: caches {@code tokens[0, n)} with their {@code slots}, frees the request's
     * duplicates of already-cached tokens and releases {@code lastLocked}. The request owned
     * {@code slots[lastLocked.length(), n)}; afterwards it owns nothing.
     */
    void cacheFinishedRequest(int[] tokens, int[] slots, Handle lastLocked);

    /**
     * A request continues (a prefill chunk was computed): caches {@code tokens[0, n)} as in
     * {@link #cacheFinishedRequest}, then moves its lock from {@code lastLocked} to the new end. The
     * request must replace its first {@code n} slots with the returned ones and from then on owns
     * {@code slots[result.handle().length(), n)} (nothing, unless the cache stores nothing).
     */
    LockedPrefix cacheUnfinishedRequest(int[] tokens, int[] slots, Handle lastLocked);

    /**
     * A request is dropped without caching (abort, retraction): frees the slots it owned,
     * {@code slots[lastLocked.length(), slots.length)}, and releases {@code lastLocked}.
     */
    void releaseRequest(int[] slots, Handle lastLocked);
}
