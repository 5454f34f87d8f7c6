package dev.sglj.engine.runner;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.cuda.CudaBackend;
import dev.sglj.engine.compute.cuda.TokenBuffer;
import dev.sglj.engine.kv.KvPool;
import dev.sglj.engine.kv.ReqToTokenPool;
import dev.sglj.engine.kv.SlotAllocator;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.LlamaModel;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.model.WeightSource;
import dev.sglj.engine.sampling.Sampler;
import java.util.List;

/**
 * Owns a model on a backend together with its KV memory (pool, slot allocator, request-to-token
 * table) and runs forward passes, returning logits where the backend computed them ({@link StepLogits}). On the CUDA backend with CUDA graphs
 * on, decode batches up to the largest captured size replay a {@link CudaGraphRunner} graph.
 */
public final class ModelRunner implements AutoCloseable {
    private final Backend backend;
    private final LlamaModel model;
    private final KvPool kvPool;
    private final SlotAllocator slots;
    private final ReqToTokenPool reqToToken;
    private final CudaGraphRunner graphs;
    private final Sampler hostSampler;
    private final TokenRing tokenRing;
    private boolean lastUsedGraph;

    /** A runner without CUDA graphs. */
    public ModelRunner(ModelConfig config, WeightSource weights, Backend backend,
                       int maxTotalTokens, int maxRunningRequests, int contextLength) {
        this(config, weights, backend, maxTotalTokens, maxRunningRequests, contextLength, List.of());
    }

    /**
     * A runner that, on a {@link CudaBackend}, captures decode graphs for {@code cudaGraphBatchSizes}
     * (those above {@code maxRunningRequests} dropped, as SGLang does; empty: no graphs). The KV pool
     * then gets one slot more than {@code maxTotalTokens}, which padding requests write to.
     */
    public ModelRunner(ModelConfig config, WeightSource weights, Backend backend, int maxTotalTokens,
                       int maxRunningRequests, int contextLength, List<Integer> cudaGraphBatchSizes) {
        this.backend = backend;
        List<Integer> sizes = cudaGraphBatchSizes.stream().filter(bs -> bs <= maxRunningRequests).toList();
        boolean useGraphs = backend instanceof CudaBackend && !sizes.isEmpty();
        this.model = new LlamaModel(config, weights, backend);
        this.hostSampler = new Sampler(config.vocabSize());
        this.kvPool = new KvPool(backend, config.numLayers(), config.numKvHeads(), config.headDim(),
                useGraphs ? maxTotalTokens + 1 : maxTotalTokens);
        this.slots = new SlotAllocator(maxTotalTokens);
        this.reqToToken = new ReqToTokenPool(backend, maxRunningRequests, contextLength);
        this.graphs = useGraphs
                ? new CudaGraphRunner((CudaBackend) backend, model, kvPool, reqToToken, maxTotalTokens, sizes)
                : null;
        this.tokenRing = backend instanceof CudaBackend gpu ? new TokenRing(gpu, maxRunningRequests) : null;
    }

    public ModelConfig config() {
        return model.config();
    }

    public SlotAllocator slots() {
        return slots;
    }

    public ReqToTokenPool reqToToken() {
        return reqToToken;
    }

    /**
     * Runs the batch and returns the logits of its {@code logitRows}, left on the backend's device for
     * sampling; the caller closes them before the next pass.
     */
    public StepLogits run(ForwardBatch batch) {
        return run(batch, null);
    }

    /**
     * {@link #run(ForwardBatch)} for a batch that may name tokens not drawn yet (the overlap schedule):
     * an input id {@code -(i + 1)} is token {@code i} of {@code futures}, the previous step's draw. When
     * those tokens are on the host they are substituted here; when they are still on the GPU a kernel
     * substitutes them on the device, in stream order after the draw, and nothing waits.
     */
    public StepLogits run(ForwardBatch batch, StepTokens futures) {
        int[] ids = batch.inputIds();
        boolean hasFutures = false;
        for (int id : ids) hasFutures |= id < 0;
        if (hasFutures && futures == null) {
            throw new IllegalArgumentException("the batch names future tokens but no earlier draw was given");
        }
        TokenBuffer onDevice = null;
        if (hasFutures) {
            int[] known = futures.hostIds();
            if (known != null) {
                batch = withInputIds(batch, resolve(ids, known));
            } else {
                onDevice = futures.deviceBuffer();
                for (int id : ids) {
                    if (id < 0 && -id - 1 >= onDevice.count()) {
                        throw new IllegalArgumentException("future token " + (-id - 1) + " of a draw of "
                                + onDevice.count());
                    }
                }
            }
        }
        int rows = batch.logitRows().length;
        lastUsedGraph = usesCudaGraph(batch);
        if (lastUsedGraph) {
            return new DeviceLogits((CudaBackend) backend, graphs.run(batch, onDevice), rows, hostSampler.vocabSize(),
                    false, tokenRing);
        }
        Tensor logits;
        if (onDevice != null) {
            CudaBackend gpu = (CudaBackend) backend;
            Tensor idsOnDevice = gpu.ints(ids);
            try {
                gpu.resolveFutureIds(idsOnDevice, ids.length, onDevice);
                logits = model.forward(batch, idsOnDevice, kvPool, reqToToken);
            } finally {
                gpu.free(idsOnDevice);
            }
        } else {
            logits = model.forward(batch, kvPool, reqToToken);
        }
        if (backend instanceof CudaBackend gpu) return new DeviceLogits(gpu, logits, rows, hostSampler.vocabSize(), true, tokenRing);
        try {
            return new HostLogits(backend.toHost(logits), hostSampler);
        } finally {
            backend.free(logits);
        }
    }

    private static int[] resolve(int[] ids, int[] drawn) {
        int[] out = ids.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0) {
                int k = -out[i] - 1;
                if (k >= drawn.length) {
                    throw new IllegalArgumentException("future token " + k + " of a draw of " + drawn.length);
                }
                out[i] = drawn[k];
            }
        }
        return out;
    }

    private static ForwardBatch withInputIds(ForwardBatch b, int[] ids) {
        return new ForwardBatch(b.mode(), ids, b.positions(), b.reqPoolIndices(), b.seqLens(), b.extendPrefixLens(),
                b.extendSeqLens(), b.outCacheLoc(), b.logitRows(), b.ropeSeqLens());
    }

    /** Logits of the batch's {@code logitRows} on the host, row-major {@code [rows, vocab]}. */
    public float[] forward(ForwardBatch batch) {
        try (StepLogits logits = run(batch)) {
            return logits.toHost();
        }
    }

    /** Whether {@link #run} replays a CUDA graph for this batch (a decode batch within the captured sizes). */
    public boolean usesCudaGraph(ForwardBatch batch) {
        return graphs != null && graphs.canRun(batch);
    }

    /** Whether the last {@link #forward} replayed a CUDA graph. */
    public boolean lastForwardUsedCudaGraph() {
        return lastUsedGraph;
    }

    /**
     * Draws that ran without waiting for their tokens (the overlap schedule's, on the GPU); 0 on the CPU,
     * whose draws are done when they return.
     */
    public long asyncDraws() {
        return tokenRing == null ? 0 : tokenRing.launches();
    }

    /** The largest decode batch a CUDA graph runs (0 without graphs). */
    public int cudaGraphMaxBatchSize() {
        return graphs == null ? 0 : graphs.maxBatchSize();
    }

    @Override
    public void close() {
        if (tokenRing != null) tokenRing.close();
        if (graphs != null) graphs.close();
        reqToToken.close();
        kvPool.close();
        model.close();
    }
}
