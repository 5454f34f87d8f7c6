package dev.sglj.engine.cache;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One edge of the radix tree with the node at its end: the tokens of the edge, the KV slot of each
 * of those tokens, children keyed by their first token, the number of locks held on this node or
 * below it, and the logical time of the last match or insert that walked through it.
 */
final class RadixNode implements PrefixCache.Handle {
    final RadixCache owner;
    final long id;
    RadixNode parent;
    int[] key;
    int[] slots;
    final Map<Integer, RadixNode> children = new HashMap<>(4);
    int lockRef;
    long lastAccess;
    /** Tokens from the root to the end of this node's edge. */
    int depth;
    /** Set when the node leaves the tree (eviction, flush); a detached handle cannot be locked. */
    boolean detached;

    RadixNode(RadixCache owner, long id, RadixNode parent, int[] key, int[] slots, long lastAccess) {
        this.owner = owner;
        this.id = id;
        this.parent = parent;
        this.key = key;
        this.slots = slots;
        this.lastAccess = lastAccess;
        this.depth = parent == null ? key.length : parent.depth + key.length;
    }

    @Override
    public int length() {
        return depth;
    }

    boolean isLeaf() {
        return children.isEmpty();
    }

    /** Length of the common prefix of this edge and {@code tokens[from, to)}. */
    int matchLength(int[] tokens, int from, int to) {
        int n = Math.min(key.length, to - from);
        int i = 0;
        while (i < n && key[i] == tokens[from + i]) i++;
        return i;
    }

    /**
     * Splits this edge after {@code at} tokens: a new node takes the first part and this node keeps
     * the rest as its only child, so a handle to this node still names the same prefix.
     */
    RadixNode splitAt(int at, long newId) {
        RadixNode head = new RadixNode(owner, newId, parent,
                Arrays.copyOf(key, at), Arrays.copyOf(slots, at), lastAccess);
        head.lockRef = lockRef;
        parent.children.put(key[0], head);
        key = Arrays.copyOfRange(key, at, key.length);
        slots = Arrays.copyOfRange(slots, at, slots.length);
        parent = head;
        head.children.put(key[0], this);
        return head;
    }

    @Override
    public String toString() {
        return "RadixNode[id=" + id + ", depth=" + depth + ", edge=" + key.length + ", lockRef=" + lockRef
                + (detached ? ", detached" : "") + "]";
    }
}
