package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.AttentionBatch;
import dev.sglj.engine.compute.DType;
import java.util.Optional;

/**
 * Chooses and launches the attention kernels: a split-K decode kernel of {@code attention.cu} (plus
 * a merge of the splits; one block per group of q heads sharing a kv head) when every request
 * brings one new token, else an extend kernel, which handles prefill, chunked prefill on a cached
 * prefix and mixed batches alike: the tensor-core one of {@code extend_attention.cu} for head
 * dimensions 64 and 128, the tiled CUDA-core one of {@code attention.cu} for the others.
 *
 * <p>Decode splits are planned on the host for the longest context it names (a CUDA graph names its
 * whole context). Each request then uses, by its device-side length, up to the plan's {@code spread}
 * splits of at least {@value #MIN_KEYS_PER_SPLIT} keys (the parallelism a small batch needs) and at
 * least one split per {@value #BALANCE_KEYS_PER_SPLIT} keys where the batch has a block per
 * multiprocessor or more (so that in a batch of mixed lengths the longest requests do not run on
 * alone); the kernel and the merge skip the splits it leaves unused.
 *
 * <p>F32 tensors (the {@code --dtype float32} path) take the F32 instances of {@code attention.cu}: the
 * per-dim split-K decode kernel for every head dimension (planned as the BF16 one, same splits and
 * partial layout) and its merge, and the tiled CUDA-core extend kernel for every head dimension (no
 * tensor cores: they would round to BF16 or TF32).
 */
final class AttentionKernels {
    static final int EXTEND_ROWS = 16;
    static final int EXTEND_KEYS = 32;
    static final int THREADS = 128;
    /** Fewest keys a decode split gets: below this, merging costs more than the parallelism gains. */
    static final int MIN_KEYS_PER_SPLIT = 64;
    /** Most splits for parallelism; with the balance splits, within attention.cu's DECODE_MAX_SPLITS (a warp's lanes). */
    static final int MAX_SPLITS = 32;
    /**
     * Keys per split above which a request is split further however many blocks the batch has. Requests
     * of mixed lengths (the offline workload's contexts run from 1 to 6,144) otherwise leave the longest
     * ones' blocks streaming alone at the end: kbench's mixed cases at batch 32-150 read K/V at 0.77-0.83
     * of the bandwidth with one split each and 0.89-0.94 with splits of at most 1,024 keys.
     */
    static final int BALANCE_KEYS_PER_SPLIT = 1024;
    /** Most splits the balance rule gives a request. */
    static final int MAX_BALANCE_SPLITS = 16;
    /** Decode blocks wanted per multiprocessor before the keys of a request are split. */
    static final int DECODE_BLOCKS_PER_SM = 2;
    /**
     * Warps, cp.async pipeline stages and loads per step of decode_attention_rows (DV_WARPS,
     * DECODE_ROWS_STAGES, DECODE_ROWS_LOADS in attention.cu).
     */
    static final int DECODE_ROWS_WARPS = 4;
    static final int DECODE_ROWS_STAGES = 2;
    static final int DECODE_ROWS_LOADS = 4;
    /**
     * Up to this many (request, kv head) pairs a decode_attention_rows block serves 2 q heads rather
     * than 4: the launch is latency-bound there, and twice the blocks finish sooner.
     */
    static final int SMALL_DECODE_KV_ROWS = 64;

    record Shape(int numHeads, int numKvHeads, int headDim, float scale) {}

    /**
     * A tensor-core extend kernel: blocks of {@code rows} new tokens of one q head, {@code threads}
     * threads, K/V staged {@code keys} at a time in two shared-memory stages.
     */
    record TensorCoreTile(String kernel, int rows, int keys, int threads) {
        /** Q tile plus two stages of K and V tiles, BF16. */
        int sharedBytes(int headDim) {
            return (rows + 4 * keys) * headDim * 2;
        }
    }

    /** The tensor-core extend kernel for this head dimension, if {@code extend_attention.cu} has one. */
    static Optional<TensorCoreTile> tensorCoreTile(int headDim) {
        return switch (headDim) {
            case 128 -> Optional.of(new TensorCoreTile("extend_attention_tc_128", 128, 64, 128));
            case 64 -> Optional.of(new TensorCoreTile("extend_attention_tc_64", 128, 64, 128));
            default -> Optional.empty();
        };
    }

    /**
     * A decode launch: kernel name, q heads per block, splits of the keys (the grid's third dimension),
     * the splits a request may use for parallelism alone ({@link #decodeSplits}), dynamic shared memory.
     */
    record DecodePlan(String kernel, int group, int splits, int spread, int sharedBytes) {
        /**
         * The plan for blocks of {@code group} q heads: the spread, and balance splits for a batch with a
         * block per multiprocessor or more. Below that the spread already splits every request, and the
         * idle blocks of a graph-shaped launch cost 2-3 us a call (kbench, batch 4 and 8).
         */
        static DecodePlan of(String kernel, int group, Shape s, int requests, int maxSeqLen, int multiprocessors,
                             int sharedBytes) {
            int groups = s.numHeads() / group;
            int spread = decodeSplits(requests, groups, maxSeqLen, multiprocessors);
            boolean balance = (long) requests * groups >= multiprocessors;
            int splits = balance ? Math.max(spread, balanceSplits(maxSeqLen)) : spread;
            return new DecodePlan(kernel, group, splits, spread, sharedBytes);
        }
    }

    private AttentionKernels() {}

    static void validate(CudaTensor q, CudaTensor out, CudaTensor kCache, CudaTensor vCache, CudaTensor table,
                         AttentionBatch batch, Shape s) {
        if (s.numHeads() <= 0 || s.numKvHeads() <= 0 || s.numHeads() % s.numKvHeads() != 0) {
            throw new IllegalArgumentException("attention: numHeads " + s.numHeads() + " must be a positive multiple of"
                    + " numKvHeads " + s.numKvHeads());
        }
        if (s.headDim() <= 0 || s.headDim() % 2 != 0 || s.headDim() > 256) {
            throw new IllegalArgumentException("attention: headDim " + s.headDim() + " must be even and in [2, 256]");
        }
        if (q.cols() != (long) s.numHeads() * s.headDim()) {
            throw new IllegalArgumentException("attention: q " + q + " must have rows of numHeads * headDim = "
                    + s.numHeads() + " * " + s.headDim());
        }
        TensorChecks.requireRows("attention", out, q.rows(), q.cols());
        TensorChecks.requireRows("attention", kCache, kCache.rows(), (long) s.numKvHeads() * s.headDim());
        TensorChecks.requireRows("attention", vCache, kCache.rows(), (long) s.numKvHeads() * s.headDim());
        int requests = batch.numRequests();
        int[] seqLens = batch.hostSeqLens();
        int[] extendLens = batch.hostExtendLens();
        int[] starts = batch.hostExtendStarts();
        if (seqLens.length != requests || extendLens.length != requests || starts.length != requests) {
            throw new IllegalArgumentException("attention: host seqLens/extendLens/extendStarts must each have "
                    + requests + " entries (numRequests)");
        }
        int stride = batch.reqToTokenStride();
        for (int r = 0; r < requests; r++) {
            if (extendLens[r] < 0 || extendLens[r] > seqLens[r] || seqLens[r] > stride || seqLens[r] == 0) {
                throw new IllegalArgumentException("attention: request " + r + " has extendLen " + extendLens[r]
                        + " and seqLen " + seqLens[r] + "; need 0 <= extendLen <= seqLen <= stride " + stride
                        + ", seqLen > 0");
            }
            if (starts[r] < 0 || (long) starts[r] + extendLens[r] > q.rows()) {
                throw new IllegalArgumentException("attention: request " + r + " rows [" + starts[r] + ", "
                        + ((long) starts[r] + extendLens[r]) + ") outside q's " + q.rows() + " rows");
            }
        }
        int[] pool = TensorChecks.check("attention", "reqPoolIndices", batch.reqPoolIndices(),
                dev.sglj.engine.compute.DType.I32).hostInts;
        if (pool != null) {
            for (int r = 0; r < requests; r++) {
                if (pool[r] < 0 || ((long) pool[r] + 1) * stride > table.numel()) {
                    throw new IllegalArgumentException("attention: request " + r + " reqPoolIndex " + pool[r]
                            + " outside reqToToken " + table + " of stride " + stride);
                }
            }
        }
    }

    /** NI of the kernel instance: lanes own headDim / 32 dims, rounded up to 1, 2, 4 or 8. */
    static int lanesPerDim(int headDim) {
        int ni = (headDim + 31) / 32;
        return ni <= 1 ? 1 : ni <= 2 ? 2 : ni <= 4 ? 4 : 8;
    }

    /**
     * Q heads a block of the per-dim decode kernel (head dims not a multiple of 8) serves, sharing one kv
     * head's K/V reads: 8, 4, 2 or 1, with G * NI <= 32.
     */
    static int decodeGroup(int numHeads, int numKvHeads, int headDim) {
        int group = numHeads / numKvHeads;
        int ni = lanesPerDim(headDim);
        for (int g = 8; g > 1; g /= 2) {
            if (group % g == 0 && g * ni <= 32) return g;
        }
        return 1;
    }

    static int extendSharedBytes(int headDim) {
        return EXTEND_ROWS * headDim * 4 + 2 * EXTEND_KEYS * (headDim + 2) * 2 + EXTEND_KEYS * 4;
    }

    /** f32_extend_attention's shared memory: the scaled Q tile, F32 K and V tiles of row stride headDim + 1, slots. */
    static int f32ExtendSharedBytes(int headDim) {
        return EXTEND_ROWS * headDim * 4 + 2 * EXTEND_KEYS * (headDim + 1) * 4 + EXTEND_KEYS * 4;
    }

    /** Lanes that hold one K/V row as 16-byte chunks in decode_attention_rows: headDim / 8 up to a power of two. */
    static int rowLanes(int headDim) {
        int lanes = 1;
        while (lanes * 8 < headDim) lanes *= 2;
        return lanes;
    }

    /** Q heads a decode_attention_rows block serves (sharing one kv head's K/V reads): 4, 2 or 1. */
    static int decodeRowsGroup(int numHeads, int numKvHeads, int requests) {
        int group = numHeads / numKvHeads;
        if (group % 4 == 0 && (long) requests * numKvHeads > SMALL_DECODE_KV_ROWS) return 4;
        return group % 2 == 0 ? 2 : 1;
    }

    /** decode_rows_shared_bytes in attention.cu: the warps' cp.async rings, then their softmax states. */
    static int decodeRowsSharedBytes(int headDim, int group) {
        int loads = Math.min(rowLanes(headDim), DECODE_ROWS_LOADS);
        return DECODE_ROWS_WARPS * DECODE_ROWS_STAGES * loads * 2 * 32 * 16 + 2 * DECODE_ROWS_WARPS * group * 4;
    }

    /**
     * Decode splits for parallelism (a plan's spread): enough blocks for {@value #DECODE_BLOCKS_PER_SM}
     * per multiprocessor, each split keeping at least {@value #MIN_KEYS_PER_SPLIT} keys of the longest context.
     */
    static int decodeSplits(int requests, int numHeads, int maxSeqLen, int multiprocessors) {
        int blocks = requests * numHeads;
        int wanted = (DECODE_BLOCKS_PER_SM * multiprocessors + blocks - 1) / blocks;
        int byLength = (maxSeqLen + MIN_KEYS_PER_SPLIT - 1) / MIN_KEYS_PER_SPLIT;
        return Math.max(1, Math.min(MAX_SPLITS, Math.min(wanted, byLength)));
    }

    /** Splits the balance rule gives a request of {@code seqLen} keys: one per {@value #BALANCE_KEYS_PER_SPLIT}. */
    static int balanceSplits(int seqLen) {
        return Math.max(1, Math.min(MAX_BALANCE_SPLITS, (seqLen + BALANCE_KEYS_PER_SPLIT - 1) / BALANCE_KEYS_PER_SPLIT));
    }

    /** Head dims that are a multiple of 8 take decode_attention_rows (16-byte loads), others the per-dim kernel. */
    static DecodePlan decodePlan(Shape s, int requests, int maxSeqLen, int multiprocessors) {
        if (s.headDim() % 8 == 0) {
            int g = decodeRowsGroup(s.numHeads(), s.numKvHeads(), requests);
            return DecodePlan.of("decode_attention_rows_" + rowLanes(s.headDim()) + "_" + g, g, s, requests,
                    maxSeqLen, multiprocessors, decodeRowsSharedBytes(s.headDim(), g));
        }
        int g = decodeGroup(s.numHeads(), s.numKvHeads(), s.headDim());
        return DecodePlan.of("decode_attention_" + lanesPerDim(s.headDim()) + "_" + g, g, s, requests, maxSeqLen,
                multiprocessors, 0);
    }

    /** The F32 decode launch: f32_decode_attention_NI_G for every head dim, split as the per-dim BF16 kernel. */
    static DecodePlan f32DecodePlan(Shape s, int requests, int maxSeqLen, int multiprocessors) {
        int g = decodeGroup(s.numHeads(), s.numKvHeads(), s.headDim());
        return DecodePlan.of("f32_decode_attention_" + lanesPerDim(s.headDim()) + "_" + g, g, s, requests, maxSeqLen,
                multiprocessors, 0);
    }

    static void run(CudaBackend backend, CudaTensor q, CudaTensor kCache, CudaTensor vCache, CudaTensor table,
                    AttentionBatch batch, CudaTensor out, Shape s) {
        int requests = batch.numRequests();
        if (requests == 0) return;
        boolean decode = true;
        int maxExtend = 0;
        int maxSeq = 0;
        for (int r = 0; r < requests; r++) {
            decode &= batch.hostExtendLens()[r] == 1;
            maxExtend = Math.max(maxExtend, batch.hostExtendLens()[r]);
            maxSeq = Math.max(maxSeq, batch.hostSeqLens()[r]);
        }
        if (maxExtend == 0) return;
        int ni = lanesPerDim(s.headDim());
        Kernels k = backend.kernels();
        long reqPool = ((CudaTensor) batch.reqPoolIndices()).ptr();
        long seqLens = ((CudaTensor) batch.seqLens()).ptr();
        long starts = ((CudaTensor) batch.extendStarts()).ptr();
        boolean f32 = q.dtype() == DType.F32;
        if (decode) {
            int sms = backend.deviceInfo().multiprocessors();
            DecodePlan plan = f32 ? f32DecodePlan(s, requests, maxSeq, sms) : decodePlan(s, requests, maxSeq, sms);
            int splits = plan.splits();
            long partialBytes = splits == 1 ? 0 : (long) requests * s.numHeads() * splits * (s.headDim() + 2) * 4;
            long partial = splits == 1 ? 0 : backend.scratch(partialBytes, "decode attention partials");
            k.args().ptr(q.ptr()).ptr(kCache.ptr()).ptr(vCache.ptr()).ptr(table.ptr()).i32(batch.reqToTokenStride())
                    .ptr(reqPool).ptr(seqLens).ptr(starts).ptr(out.ptr()).ptr(partial)
                    .i32(s.numHeads()).i32(s.numKvHeads()).i32(s.headDim()).f32(s.scale())
                    .i32(MIN_KEYS_PER_SPLIT).i32(plan.spread()).i32(BALANCE_KEYS_PER_SPLIT);
            k.launch(plan.kernel(), requests, s.numHeads() / plan.group(), splits, THREADS, plan.sharedBytes());
            if (splits > 1) {
                k.args().ptr(partial).ptr(seqLens).ptr(starts).ptr(out.ptr()).i32(s.numHeads()).i32(s.headDim())
                        .i32(splits).i32(MIN_KEYS_PER_SPLIT).i32(plan.spread()).i32(BALANCE_KEYS_PER_SPLIT);
                k.launch(f32 ? "f32_decode_merge" : "decode_merge", requests, s.numHeads(), 1, CudaBackend.threadsFor(s.headDim()), 0);
                backend.releaseScratch(partial, partialBytes);
            }
        } else {
            long extendLens = ((CudaTensor) batch.extendLens()).ptr();
            k.args().ptr(q.ptr()).ptr(kCache.ptr()).ptr(vCache.ptr()).ptr(table.ptr()).i32(batch.reqToTokenStride())
                    .ptr(reqPool).ptr(seqLens).ptr(extendLens).ptr(starts).ptr(out.ptr())
                    .i32(s.numHeads()).i32(s.numKvHeads());
            Optional<TensorCoreTile> tile = f32 ? Optional.empty() : tensorCoreTile(s.headDim());
            if (tile.isPresent()) {
                // Grid (q head, request, query tile): heads sharing a kv head run side by side and share its K/V in L2.
                TensorCoreTile t = tile.get();
                k.f32(s.scale());
                k.launch(t.kernel(), s.numHeads(), requests, (maxExtend + t.rows() - 1) / t.rows(), t.threads(),
                        t.sharedBytes(s.headDim()));
            } else {
                k.i32(s.headDim()).f32(s.scale());
                int tiles = (maxExtend + EXTEND_ROWS - 1) / EXTEND_ROWS;
                if (f32) {
                    k.launch("f32_extend_attention_" + ni, tiles, s.numHeads(), requests, THREADS,
                            f32ExtendSharedBytes(s.headDim()));
                } else {
                    k.launch("extend_attention_" + ni, tiles, s.numHeads(), requests, THREADS, extendSharedBytes(s.headDim()));
                }
            }
        }
    }
}
