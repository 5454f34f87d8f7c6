package dev.sglj.engine.cache;

import dev.sglj.engine.kv.SlotAllocator;

/**
 * The cache used with {@code --disable-radix-cache}: it matches nothing and keeps nothing, so every
 * request owns all of its slots until it finishes and frees them (SGLang's ChunkCache).
 */
public final class NoPrefixCache implements PrefixCache {
    /** The only handle: the empty prefix. Locking it is a no-op. */
    static final class Root implements Handle {
        private final NoPrefixCache owner;

        private Root(NoPrefixCache owner) {
            this.owner = owner;
        }

        @Override
        public int length() {
            return 0;
        }

        @Override
        public String toString() {
            return "NoPrefixCache.Root";
        }
    }

    private static final int[] NO_SLOTS = new int[0];

    private final SlotAllocator allocator;
    private final Root root = new Root(this);

    public NoPrefixCache(SlotAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public MatchResult matchPrefix(int[] tokens, int length) {
        if (length < 0 || length > tokens.length) {
            throw new IllegalArgumentException("match length " + length + " outside [0, " + tokens.length + "]");
        }
        return new MatchResult(NO_SLOTS, root);
    }

    @Override
    public Handle parent(Handle handle) {
        return null;
    }

    @Override
    public void lock(Handle handle) {
        own(handle);
    }

    @Override
    public void unlock(Handle handle) {
        own(handle);
    }

    @Override
    public int insert(int[] tokens, int[] slots) {
        requireSameLength(tokens, slots);
        return tokens.length;
    }

    @Override
    public int evictableSize() {
        return 0;
    }

    @Override
    public int protectedSize() {
        return 0;
    }

    @Override
    public int evict(int numTokens) {
        return 0;
    }

    @Override
    public int[] allocate(int n) {
        return allocator.alloc(n);
    }

    @Override
    public boolean flush() {
        return true;
    }

    @Override
    public void cacheFinishedRequest(int[] tokens, int[] slots, Handle lastLocked) {
        own(lastLocked);
        requireSameLength(tokens, slots);
        allocator.free(slots);
    }

    @Override
    public LockedPrefix cacheUnfinishedRequest(int[] tokens, int[] slots, Handle lastLocked) {
        own(lastLocked);
        requireSameLength(tokens, slots);
        return new LockedPrefix(slots, root);
    }

    @Override
    public void releaseRequest(int[] slots, Handle lastLocked) {
        own(lastLocked);
        allocator.free(slots);
    }

    private void own(Handle handle) {
        if (!(handle instanceof Root r) || r.owner != this) {
            throw new IllegalArgumentException("handle " + handle + " does not belong to this cache");
        }
    }

    private static void requireSameLength(int[] tokens, int[] slots) {
        if (tokens.length != slots.length) {
            throw new IllegalArgumentException(tokens.length + " tokens but " + slots.length + " slots");
        }
    }
}
