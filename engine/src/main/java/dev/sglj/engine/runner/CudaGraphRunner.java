package dev.sglj.engine.runner;

import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.cuda.CudaBackend;
import dev.sglj.engine.compute.cuda.CudaGraph;
import dev.sglj.engine.compute.cuda.PackedInts;
import dev.sglj.engine.compute.cuda.TokenBuffer;
import dev.sglj.engine.kv.KvPool;
import dev.sglj.engine.kv.ReqToTokenPool;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import dev.sglj.engine.model.LlamaModel;
import java.util.ArrayList;
import java.util.List;

/**
 * CUDA graphs for decode, as SGLang's CudaGraphRunner: at start one graph per batch size of
 * {@link #captureSizes}, each reading fixed device input buffers; a decode batch is padded to the
 * smallest captured size that holds it (padding requests write their K/V to a reserved slot and
 * attend to one key), its inputs are copied into that size's buffers and the graph is replayed.
 * The attention kernels' split count is fixed at capture for the longest context, so one graph
 * serves every sequence length. A size's inputs are the vectors of one {@link PackedInts}, so a step
 * sends them in one copy.
 */
public final class CudaGraphRunner implements AutoCloseable {
    private final CudaBackend gpu;
    private final LlamaModel model;
    private final int maxSeqLen;
    private final int paddingSlot;
    /** Ascending by batch size. */
    private final List<Captured> graphs = new ArrayList<>();

    /** The vectors of a graph's {@link PackedInts} inputs, in {@link LlamaModel.DecodeInputs}' order. */
    private static final int IDS = 0, POSITIONS = 1, OUT_CACHE_LOC = 2, REQ_POOL_INDICES = 3, SEQ_LENS = 4,
            EXTEND_LENS = 5, EXTEND_STARTS = 6;

    private record Captured(int batchSize, PackedInts inputs, CudaGraph graph, Tensor logits) {}

    /**
     * Captures a graph per size (largest first, sharing the graph memory pool); {@code paddingSlot} is a
     * KV slot no request uses.
     */
    public CudaGraphRunner(CudaBackend gpu, LlamaModel model, KvPool kv, ReqToTokenPool reqToToken,
                           int paddingSlot, List<Integer> batchSizes) {
        if (paddingSlot < 0 || paddingSlot >= kv.numSlots()) {
            throw new IllegalArgumentException("CUDA graph padding slot " + paddingSlot + " outside the KV pool of "
                    + kv.numSlots() + " slots");
        }
        this.gpu = gpu;
        this.model = model;
        this.maxSeqLen = reqToToken.maxContext();
        this.paddingSlot = paddingSlot;
        model.prepareDecode(maxSeqLen);
        List<Integer> sizes = batchSizes.stream().distinct().sorted().toList();
        try {
            for (int i = sizes.size() - 1; i >= 0; i--) {
                graphs.addFirst(capture(sizes.get(i), kv, reqToToken));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Captured capture(int bs, KvPool kv, ReqToTokenPool reqToToken) {
        if (bs <= 0) throw new IllegalArgumentException("CUDA graph batch size " + bs + " must be positive");
        int[] zeros = new int[bs];
        int[] ones = new int[bs];
        int[] starts = new int[bs];
        int[] padding = new int[bs];
        for (int r = 0; r < bs; r++) {
            ones[r] = 1;
            starts[r] = r;
            padding[r] = paddingSlot;
        }
        PackedInts packed = gpu.packedInts(zeros, zeros, padding, zeros, ones, ones, starts);
        LlamaModel.DecodeInputs in = new LlamaModel.DecodeInputs(bs, packed.vector(IDS), packed.vector(POSITIONS),
                packed.vector(OUT_CACHE_LOC), packed.vector(REQ_POOL_INDICES), packed.vector(SEQ_LENS),
                packed.vector(EXTEND_LENS), packed.vector(EXTEND_STARTS));
        Tensor[] logits = new Tensor[1];
        CudaGraph[] graph = new CudaGraph[1];
        try {
            gpu.inGraphPool(() -> {
                // The eager warm-up leaves every block the pass needs in the pool, so the capture allocates nothing,
                // and picks the GEMM algorithms the capture records.
                gpu.tuningGemms(() -> gpu.free(model.forwardDecode(in, maxSeqLen, kv, reqToToken)));
                graph[0] = gpu.capture(() -> logits[0] = model.forwardDecode(in, maxSeqLen, kv, reqToToken));
            });
        } catch (RuntimeException e) {
            packed.close();
            throw e;
        }
        return new Captured(bs, packed, graph[0], logits[0]);
    }

    /** SGLang's default {@code --cuda-graph-bs} up to {@code maxBs}: 1, 2, 4, 8, 12, 16..256 by 8, 272..511 by 16, then by 32. */
    public static List<Integer> captureSizes(int maxBs) {
        List<Integer> sizes = new ArrayList<>();
        for (int bs : new int[] {1, 2, 4, 8, 12}) sizes.add(bs);
        for (int bs = 16; bs <= 256; bs += 8) sizes.add(bs);
        for (int bs = 272; bs < 512; bs += 16) sizes.add(bs);
        for (int bs = 512; bs <= maxBs; bs += 32) sizes.add(bs);
        return sizes.stream().filter(bs -> bs <= maxBs).toList();
    }

    /**
     * The default {@code --cuda-graph-max-bs}, SGLang's by GPU memory: 8 below 20 GiB, 24 below 35, 32 below
     * 60, else 256. Measured on the H100 (2026-11-27, Llama-3.1-8B shape, {@code bench one-batch}, input 1024):
     * graphs beat eager decode at batch 64 (6212 vs 5944 tok/s) and 128 (8925 vs 8761).
     */
    public static int defaultMaxBatchSize(long totalBytes) {
        double gb = totalBytes / (double) (1L << 30);
        return gb < 20 ? 8 : gb < 35 ? 24 : gb < 60 ? 32 : 256;
    }

    /** The largest captured batch size (0 when none was captured). */
    public int maxBatchSize() {
        return graphs.isEmpty() ? 0 : graphs.getLast().batchSize();
    }

    /** Whether a graph can run this batch: decode, one logits row per request in order, within the captured sizes. */
    public boolean canRun(ForwardBatch batch) {
        int bs = batch.numRequests();
        if (batch.mode() != ForwardMode.DECODE || bs == 0 || bs > maxBatchSize() || batch.numTokens() != bs) {
            return false;
        }
        return batch.logitsOfEveryRow() && model.supportsFixedDecode(batch, maxSeqLen);
    }

    /**
     * Runs a batch {@link #canRun} accepts: pads it, replays the graph and returns the graph's logits
     * (its first {@code batch.numRequests()} rows are the batch's; valid until the next replay).
     */
    public Tensor run(ForwardBatch batch) {
        return run(batch, null);
    }

    /**
     * {@link #run(ForwardBatch)} for a batch whose negative input ids are futures: after the inputs are
     * written, a kernel replaces them by the ids of the last draw into {@code futures} (null: none), in
     * stream order before the replay.
     */
    public Tensor run(ForwardBatch batch, TokenBuffer futures) {
        int bs = batch.numRequests();
        Captured g = graphs.stream().filter(c -> c.batchSize() >= bs).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("decode batch of " + bs
                        + " is above the largest CUDA graph batch size " + maxBatchSize()));
        PackedInts in = g.inputs();
        in.set(IDS, batch.inputIds(), 0);
        in.set(POSITIONS, batch.positions(), 0);
        in.set(OUT_CACHE_LOC, batch.outCacheLoc(), paddingSlot);
        in.set(REQ_POOL_INDICES, batch.reqPoolIndices(), 0);
        in.set(SEQ_LENS, batch.seqLens(), 1);
        in.upload();
        if (futures != null) gpu.resolveFutureIds(in.vector(IDS), bs, futures);
        g.graph().replay();
        return g.logits();
    }

    @Override
    public void close() {
        for (Captured c : graphs) {
            c.graph().close();
            gpu.free(c.logits());
            c.inputs().close();
        }
        graphs.clear();
        gpu.releaseGraphPool();
    }
}
