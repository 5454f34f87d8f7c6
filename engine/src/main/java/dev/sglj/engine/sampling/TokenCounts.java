package dev.sglj.engine.sampling;

import java.util.Arrays;

/**
 * Occurrence counts of token ids, sparse: memory grows with the number of distinct tokens, not with
 * the vocabulary. Distinct tokens are kept in first-seen order for iteration.
 */
final class TokenCounts {
    private int[] slots = new int[16];
    private int[] tokens = new int[8];
    private int[] counts = new int[8];
    private int size;

    void add(int token) {
        int slot = find(token);
        if (slots[slot] != 0) {
            counts[slots[slot] - 1]++;
            return;
        }
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
        }
        tokens[size] = token;
        counts[size] = 1;
        size++;
        slots[slot] = size;
        if (size * 2 > slots.length) {
            rehash();
        }
    }

    int count(int token) {
        int index = slots[find(token)];
        return index == 0 ? 0 : counts[index - 1];
    }

    int distinct() {
        return size;
    }

    int tokenAt(int i) {
        return tokens[i];
    }

    int countAt(int i) {
        return counts[i];
    }

    private int find(int token) {
        int mask = slots.length - 1;
        int slot = mix(token) & mask;
        while (slots[slot] != 0 && tokens[slots[slot] - 1] != token) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        for (int i = 0; i < size; i++) {
            slots[find(tokens[i])] = i + 1;
        }
    }

    private static int mix(int token) {
        int h = token * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
