package dev.sglj.engine.compute.cpu;

import static dev.sglj.engine.compute.cpu.Vec.F;
import static dev.sglj.engine.compute.cpu.Vec.FLOAT;
import static dev.sglj.engine.compute.cpu.Vec.INT;
import static dev.sglj.engine.compute.cpu.Vec.L;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal ragged attention over KV slots read through the request-to-token table, in F32 with a
 * two-pass softmax. Work items are (request, q head, block of up to {@link #TOKEN_BLOCK} new tokens):
 * a block reads each K and V row once for all its tokens.
 */
final class Attention {
    static final int TOKEN_BLOCK = 16;

    /** Where the inputs live and how they are laid out; validated by the caller except slot indices. */
    record Inputs(MemorySegment q, MemorySegment kCache, MemorySegment vCache, long cacheSlots,
                  MemorySegment reqToToken, long reqToTokenSize, int stride, int[] poolIndices, int[] seqLens,
                  int[] extendLens, int[] extendStarts, MemorySegment out, int numHeads, int numKvHeads, int headDim,
                  float scale) {}

    private static final class Scratch {
        float[] q = new float[0];
        float[] acc = new float[0];
        float[] scores = new float[0];
        int[] slots = new int[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Attention() {}

    static void run(WorkPool pool, Inputs in) {
        int requests = in.seqLens.length;
        int blocks = 0;
        long work = 0;
        for (int r = 0; r < requests; r++) {
            blocks += (in.extendLens[r] + TOKEN_BLOCK - 1) / TOKEN_BLOCK;
            work += (long) in.extendLens[r] * in.seqLens[r];
        }
        int[] blockReq = new int[blocks];
        int[] blockStart = new int[blocks];
        int b = 0;
        for (int r = 0; r < requests; r++) {
            for (int j = 0; j < in.extendLens[r]; j += TOKEN_BLOCK) {
                blockReq[b] = r;
                blockStart[b++] = j;
            }
        }
        int items = blocks * in.numHeads;
        if (items == 0) {
            return;
        }
        long costPerItem = Math.max(1, work * 2 * in.headDim / blocks);
        pool.forEach(items, costPerItem, (from, to) -> {
            for (int it = from; it < to; it++) {
                int block = it / in.numHeads;
                attendBlock(in, blockReq[block], blockStart[block], it % in.numHeads);
            }
        });
    }

    private static void attendBlock(Inputs in, int r, int j0, int head) {
        int d = in.headDim;
        int seqLen = in.seqLens[r];
        int extendLen = in.extendLens[r];
        int prefix = seqLen - extendLen;
        int tokens = Math.min(TOKEN_BLOCK, extendLen - j0);
        int width = prefix + j0 + tokens;
        int kvHead = head / (in.numHeads / in.numKvHeads);
        long cacheStride = (long) in.numKvHeads * d;
        long qStride = (long) in.numHeads * d;
        long firstRow = in.extendStarts[r] + j0;

        Scratch s = SCRATCH.get();
        if (s.scores.length < tokens * width) {
            s.scores = new float[Math.max(tokens * width, s.scores.length * 2)];
        }
        if (s.slots.length < width) {
            s.slots = new int[Math.max(width, s.slots.length * 2)];
        }
        if (s.q.length < tokens * d) {
            s.q = new float[TOKEN_BLOCK * d];
            s.acc = new float[TOKEN_BLOCK * d];
        }
        float[] scores = s.scores;
        float[] q = s.q;
        float[] acc = s.acc;
        int[] slots = s.slots;

        long tableBase = (long) in.poolIndices[r] * in.stride;
        for (int p = 0; p < width; p++) {
            int slot = in.reqToToken.get(INT, (tableBase + p) * 4);
            if (slot < 0 || slot >= in.cacheSlots) {
                throw new IllegalArgumentException("attention: request " + r + " position " + p + " maps to KV slot "
                        + slot + ", outside [0, " + in.cacheSlots + ")");
            }
            slots[p] = slot;
        }
        for (int t = 0; t < tokens; t++) {
            MemorySegment.copy(in.q, FLOAT, ((firstRow + t) * qStride + (long) head * d) * 4, q, t * d, d);
        }

        for (int p = 0; p < width; p++) {
            long k = slots[p] * cacheStride + (long) kvHead * d;
            for (int t = Math.max(0, p - prefix - j0); t < tokens; t++) {
                scores[t * width + p] = dot(q, t * d, in.kCache, k, d) * in.scale;
            }
        }

        Arrays.fill(acc, 0, tokens * d, 0f);
        float[] norm = new float[tokens];
        for (int t = 0; t < tokens; t++) {
            norm[t] = 1f / softmaxInPlace(scores, t * width, prefix + j0 + t + 1);
        }
        for (int p = 0; p < width; p++) {
            long v = slots[p] * cacheStride + (long) kvHead * d;
            for (int t = Math.max(0, p - prefix - j0); t < tokens; t++) {
                axpy(scores[t * width + p], in.vCache, v, acc, t * d, d);
            }
        }
        for (int t = 0; t < tokens; t++) {
            long o = (firstRow + t) * qStride + (long) head * d;
            int i = 0;
            FloatVector scale = FloatVector.broadcast(F, norm[t]);
            for (int bound = F.loopBound(d); i < bound; i += L) {
                Vec.storeF32(FloatVector.fromArray(F, acc, t * d + i).mul(scale), in.out, o + i);
            }
            for (; i < d; i++) {
                in.out.set(FLOAT, (o + i) * 4, acc[t * d + i] * norm[t]);
            }
        }
    }

    private static float dot(float[] q, int qOff, MemorySegment k, long kElement, int d) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(d); i < bound; i += L) {
            acc = FloatVector.fromArray(F, q, qOff + i).fma(Vec.f32(k, kElement + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < d; i++) {
            sum += q[qOff + i] * k.get(FLOAT, (kElement + i) * 4);
        }
        return sum;
    }

    /** {@code acc[off..off+d) += a * v[vElement..]}. */
    private static void axpy(float a, MemorySegment v, long vElement, float[] acc, int off, int d) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (int bound = F.loopBound(d); i < bound; i += L) {
            Vec.f32(v, vElement + i).fma(av, FloatVector.fromArray(F, acc, off + i)).intoArray(acc, off + i);
        }
        for (; i < d; i++) {
            acc[off + i] += a * v.get(FLOAT, (vElement + i) * 4);
        }
    }

    /** Replaces {@code x[off..off+n)} by {@code exp(x - max)} and returns their sum. */
    static float softmaxInPlace(float[] x, int off, int n) {
        int bound = F.loopBound(n);
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += L) {
            maxV = maxV.max(FloatVector.fromArray(F, x, off + i));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector sumV = FloatVector.zero(F);
        FloatVector m = FloatVector.broadcast(F, max);
        for (i = 0; i < bound; i += L) {
            FloatVector e = FloatVector.fromArray(F, x, off + i).sub(m).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            sumV = sumV.add(e);
        }
        float sum = sumV.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        return sum;
    }
}
