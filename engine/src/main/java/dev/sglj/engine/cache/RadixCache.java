package dev.sglj.engine.cache;

import dev.sglj.engine.kv.SlotAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Token-level radix tree over KV slots (page size 1), as SGLang's RadixCache: nodes hold token
 * edges and their slots, matching splits an edge where a prefix ends, insertion reports how much was
 * already cached, locks walk to the root moving sizes between evictable and protected, and eviction
 * takes unlocked leaves least recently used first. Recency is a logical clock that ticks once per
 * match or insert, so behaviour is deterministic. Unlike SGLang, eviction trims the last leaf it
 * touches instead of dropping it whole, so it frees exactly what was asked.
 */
public final class RadixCache implements PrefixCache {
    private static final Comparator<RadixNode> LRU =
            Comparator.<RadixNode>comparingLong(n -> n.lastAccess).thenComparingLong(n -> n.id);

    private final SlotAllocator allocator;
    private final Set<RadixNode> evictableLeaves = new HashSet<>();
    private final RadixNode root;
    private long clock;
    private long nextId;
    private int evictableSize;
    private int protectedSize;

    public RadixCache(SlotAllocator allocator) {
        this.allocator = allocator;
        this.root = new RadixNode(this, nextId++, null, new int[0], new int[0], clock);
    }

    @Override
    public MatchResult matchPrefix(int[] tokens, int length) {
        if (length < 0 || length > tokens.length) {
            throw new IllegalArgumentException("match length " + length + " outside [0, " + tokens.length + "]");
        }
        RadixNode end = walk(tokens, length).end();
        return new MatchResult(pathSlots(end), end);
    }

    @Override
    public Handle parent(Handle handle) {
        return ((RadixNode) handle).parent;
    }

    @Override
    public void lock(Handle handle) {
        for (RadixNode n = live(handle); n != root; n = n.parent) {
            if (n.lockRef == 0) {
                evictableSize -= n.key.length;
                protectedSize += n.key.length;
            }
            n.lockRef++;
            updateLeafStatus(n);
        }
    }

    @Override
    public void unlock(Handle handle) {
        RadixNode node = live(handle);
        if (node != root && node.lockRef == 0) {
            throw new IllegalStateException("unlock of " + node + ", which is not locked");
        }
        for (RadixNode n = node; n != root; n = n.parent) {
            if (n.lockRef == 1) {
                evictableSize += n.key.length;
                protectedSize -= n.key.length;
            }
            n.lockRef--;
            updateLeafStatus(n);
        }
    }

    @Override
    public int insert(int[] tokens, int[] slots) {
        return insertPath(tokens, slots).cachedBefore();
    }

    private record Inserted(int cachedBefore, RadixNode end) {}

    private Inserted insertPath(int[] tokens, int[] slots) {
        requireSameLength(tokens, slots);
        Walk walk = walk(tokens, tokens.length);
        RadixNode node = walk.end();
        int pos = walk.length();
        if (pos < tokens.length) {
            RadixNode leaf = new RadixNode(this, nextId++, node,
                    Arrays.copyOfRange(tokens, pos, tokens.length),
                    Arrays.copyOfRange(slots, pos, slots.length), clock);
            node.children.put(tokens[pos], leaf);
            evictableSize += leaf.key.length;
            updateLeafStatus(node);
            updateLeafStatus(leaf);
            node = leaf;
        }
        return new Inserted(pos, node);
    }

    private record Walk(RadixNode end, int length) {}

    /**
     * Follows {@code tokens[0, length)} down the tree, marking every node passed as used now, and
     * splits the last edge if the tokens stop or differ inside it, so the walk ends on a node.
     */
    private Walk walk(int[] tokens, int length) {
        long now = ++clock;
        root.lastAccess = now;
        RadixNode node = root;
        int pos = 0;
        while (pos < length) {
            RadixNode child = node.children.get(tokens[pos]);
            if (child == null) break;
            child.lastAccess = now;
            int common = child.matchLength(tokens, pos, length);
            pos += common;
            if (common < child.key.length) {
                node = child.splitAt(common, nextId++);
                break;
            }
            node = child;
        }
        return new Walk(node, pos);
    }

    @Override
    public int evictableSize() {
        return evictableSize;
    }

    @Override
    public int protectedSize() {
        return protectedSize;
    }

    @Override
    public int evict(int numTokens) {
        if (numTokens <= 0) return 0;
        PriorityQueue<RadixNode> heap = new PriorityQueue<>(Math.max(1, evictableLeaves.size()), LRU);
        heap.addAll(evictableLeaves);
        int evicted = 0;
        while (evicted < numTokens && !heap.isEmpty()) {
            RadixNode leaf = heap.poll();
            int want = numTokens - evicted;
            if (want < leaf.key.length) {
                trimTail(leaf, want);
                evicted += want;
                break;
            }
            evicted += leaf.key.length;
            deleteLeaf(leaf);
            RadixNode parent = leaf.parent;
            if (parent != root && parent.isLeaf() && parent.lockRef == 0) heap.add(parent);
        }
        return evicted;
    }

    /**
     * Evicts the last {@code count} tokens of a leaf by splitting it: the node object that leaves the
     * tree is the one existing handles name, so they read as evicted.
     */
    private void trimTail(RadixNode leaf, int count) {
        leaf.splitAt(leaf.key.length - count, nextId++);
        deleteLeaf(leaf);
    }

    private void deleteLeaf(RadixNode leaf) {
        allocator.free(leaf.slots);
        leaf.parent.children.remove(leaf.key[0]);
        leaf.detached = true;
        evictableSize -= leaf.key.length;
        evictableLeaves.remove(leaf);
        updateLeafStatus(leaf.parent);
    }

    @Override
    public int[] allocate(int n) {
        if (n < 0) throw new IllegalArgumentException("cannot allocate " + n + " slots");
        int shortBy = n - allocator.available();
        if (shortBy > 0) {
            if (shortBy > evictableSize) return null;
            evict(shortBy);
        }
        return allocator.alloc(n);
    }

    @Override
    public boolean flush() {
        if (protectedSize > 0) return false;
        for (RadixNode n : nodes()) {
            allocator.free(n.slots);
            n.detached = true;
        }
        root.children.clear();
        evictableLeaves.clear();
        evictableSize = 0;
        return true;
    }

    @Override
    public void cacheFinishedRequest(int[] tokens, int[] slots, Handle lastLocked) {
        insertOwned(tokens, slots, lastLocked);
        unlock(lastLocked);
    }

    @Override
    public LockedPrefix cacheUnfinishedRequest(int[] tokens, int[] slots, Handle lastLocked) {
        RadixNode end = insertOwned(tokens, slots, lastLocked).end();
        lock(end);
        unlock(lastLocked);
        return new LockedPrefix(pathSlots(end), end);
    }

    /** Inserts a request's sequence and frees the request's duplicates of what was already cached. */
    private Inserted insertOwned(int[] tokens, int[] slots, Handle lastLocked) {
        RadixNode locked = live(lastLocked);
        requireSameLength(tokens, slots);
        requireCachedPrefix(locked, tokens, slots);
        Inserted inserted = insertPath(tokens, slots);
        allocator.free(slots, locked.depth, inserted.cachedBefore());
        return inserted;
    }

    @Override
    public void releaseRequest(int[] slots, Handle lastLocked) {
        RadixNode locked = live(lastLocked);
        requireLocked(locked);
        if (slots.length < locked.depth) {
            throw new IllegalArgumentException("request has " + slots.length
                    + " slots, fewer than its locked prefix of " + locked.depth);
        }
        allocator.free(slots, locked.depth, slots.length);
        unlock(locked);
    }

    /**
     * Checks the tree's bookkeeping (sizes, lock counts, depths, child keys, evictable leaves) and
     * throws IllegalStateException naming the first broken invariant. Linear in the cache size.
     */
    public void verify() {
        int evictable = 0;
        int locked = 0;
        Set<RadixNode> leaves = new HashSet<>();
        for (RadixNode n : nodes()) {
            check(!n.detached && n.key.length > 0 && n.key.length == n.slots.length, n, "bad edge");
            check(n.parent.children.get(n.key[0]) == n, n, "not under its first token in its parent");
            check(n.depth == n.parent.depth + n.key.length, n, "wrong depth");
            int childLocks = 0;
            for (RadixNode c : n.children.values()) childLocks += c.lockRef;
            check(n.lockRef >= childLocks && n.lockRef >= 0, n, "fewer locks than its children");
            if (n.lockRef > 0) locked += n.key.length;
            else evictable += n.key.length;
            if (n.isLeaf() && n.lockRef == 0) leaves.add(n);
        }
        check(evictable == evictableSize && locked == protectedSize, root,
                "sizes " + evictableSize + "/" + protectedSize + " but tree holds " + evictable + "/" + locked);
        check(leaves.equals(evictableLeaves), root, "evictable leaf set out of date");
    }

    /** Every root-to-leaf path as (tokens, slots). */
    List<int[][]> paths() {
        List<int[][]> out = new ArrayList<>();
        for (RadixNode n : nodes()) {
            if (n.isLeaf()) out.add(new int[][] {pathTokens(n), pathSlots(n)});
        }
        return out;
    }

    /** The slot of every cached token, each once. */
    int[] heldSlots() {
        int[] out = new int[totalSize()];
        int at = 0;
        for (RadixNode n : nodes()) {
            System.arraycopy(n.slots, 0, out, at, n.slots.length);
            at += n.slots.length;
        }
        return out;
    }

    /** The cached slots of the prefix a live handle ends. */
    int[] slotsOf(Handle handle) {
        return pathSlots(live(handle));
    }

    private List<RadixNode> nodes() {
        List<RadixNode> out = new ArrayList<>();
        ArrayDeque<RadixNode> stack = new ArrayDeque<>(root.children.values());
        while (!stack.isEmpty()) {
            RadixNode n = stack.pop();
            out.add(n);
            stack.addAll(n.children.values());
        }
        return out;
    }

    private static void check(boolean ok, RadixNode node, String what) {
        if (!ok) throw new IllegalStateException("radix cache invariant broken at " + node + ": " + what);
    }

    private RadixNode live(Handle handle) {
        if (!(handle instanceof RadixNode node) || node.owner != this) {
            throw new IllegalArgumentException("handle " + handle + " does not belong to this radix cache");
        }
        if (node.detached) {
            throw new IllegalStateException(
                    "handle " + node + " was evicted or flushed; lock a match before allocating");
        }
        return node;
    }

    private void requireLocked(RadixNode node) {
        if (node != root && node.lockRef == 0) {
            throw new IllegalStateException("request handle " + node + " is not locked");
        }
    }

    private void requireCachedPrefix(RadixNode locked, int[] tokens, int[] slots) {
        requireLocked(locked);
        if (tokens.length < locked.depth) {
            throw new IllegalArgumentException("request has " + tokens.length
                    + " tokens, fewer than its locked prefix of " + locked.depth);
        }
        for (RadixNode n = locked; n != root; n = n.parent) {
            int start = n.depth - n.key.length;
            if (!Arrays.equals(n.key, 0, n.key.length, tokens, start, n.depth)
                    || !Arrays.equals(n.slots, 0, n.slots.length, slots, start, n.depth)) {
                throw new IllegalStateException("request tokens/slots [" + start + ", " + n.depth
                        + ") differ from its locked cached prefix");
            }
        }
    }

    private static void requireSameLength(int[] tokens, int[] slots) {
        if (tokens.length != slots.length) {
            throw new IllegalArgumentException(tokens.length + " tokens but " + slots.length + " slots");
        }
    }

    private void updateLeafStatus(RadixNode n) {
        if (n != root && n.lockRef == 0 && n.isLeaf()) evictableLeaves.add(n);
        else evictableLeaves.remove(n);
    }

    private int[] pathSlots(RadixNode end) {
        int[] out = new int[end.depth];
        for (RadixNode n = end; n != root; n = n.parent) {
            System.arraycopy(n.slots, 0, out, n.depth - n.key.length, n.key.length);
        }
        return out;
    }

    private int[] pathTokens(RadixNode end) {
        int[] out = new int[end.depth];
        for (RadixNode n = end; n != root; n = n.parent) {
            System.arraycopy(n.key, 0, out, n.depth - n.key.length, n.key.length);
        }
        return out;
    }

    @Override
    public String toString() {
        return "RadixCache[" + evictableSize + " evictable, " + protectedSize + " protected tokens]";
    }
}
