package dev.sglj.engine.sampling;

import java.util.Arrays;

/**
 * Ranking of tokens by value without a full sort. A token is packed with its value into one {@code long}
 * key whose ascending order is value descending, then token id ascending, so a primitive sort of keys
 * ranks tokens the way SGLang's outputs are ranked (ties: lower id first).
 */
final class TopTokens {
    private TopTokens() {
    }

    static long key(float value, int tokenId) {
        int bits = Float.floatToRawIntBits(value);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ordered << 32) | (tokenId & 0xffffffffL);
    }

    static int tokenId(long key) {
        return (int) key;
    }

    static float value(long key) {
        int ordered = ~(int) (key >> 32);
        return Float.intBitsToFloat(ordered ^ ((ordered >> 31) & 0x7fffffff));
    }

    /** Index (relative to {@code offset}) of the first largest value, NaN read as -inf (0 when none is above). */
    static int argmax(float[] values, int offset, int length) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            float v = values[offset + i];
            if (v > max) {
                max = v;
                best = i;
            }
        }
        return best;
    }

    static float max(float[] values, int offset, int length) {
        return VectorMath.max(values, offset, offset + length);
    }

    /**
     * Selects the {@code k} best tokens of {@code values[offset, offset+length)} with a bounded heap
     * (O(length) compares when k is small) and writes their keys, ranked, to {@code keys[0, count)}.
     *
     * @return count = min(k, length)
     */
    static int select(float[] values, int offset, int length, int k, long[] keys) {
        int limit = Math.min(k, length);
        if (limit <= 0) {
            return 0;
        }
        int size = 0;
        int i = 0;
        for (; size < limit; i++) {
            keys[size] = key(values[offset + i], i);
            siftUp(keys, size++);
        }
        float worst = value(keys[0]);
        int lanes = VectorMath.lanes();
        while (i < length) {
            if (i + lanes <= length && !VectorMath.anyGreater(values, offset + i, worst)) {
                i += lanes;
                continue;
            }
            int end = Math.min(length, i + lanes);
            for (; i < end; i++) {
                float v = values[offset + i];
                if (v > worst) {
                    keys[0] = key(v, i);
                    siftDown(keys, limit);
                    worst = value(keys[0]);
                }
            }
        }
        Arrays.sort(keys, 0, size);
        return size;
    }

    // keys[0, size) is a max-heap on key: the root is the worst token kept.
    private static void siftUp(long[] heap, int index) {
        long item = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (heap[parent] >= item) {
                break;
            }
            heap[index] = heap[parent];
            index = parent;
        }
        heap[index] = item;
    }

    private static void siftDown(long[] heap, int size) {
        long item = heap[0];
        int index = 0;
        while (true) {
            int child = 2 * index + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[child] <= item) {
                break;
            }
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = item;
    }
}
