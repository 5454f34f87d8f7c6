package dev.sglj.engine.runner;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.cuda.CudaBackend;
import dev.sglj.engine.kv.KvPool;
import dev.sglj.engine.kv.ReqToTokenPool;
import dev.sglj.engine.kv.SlotAllocator;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.LlamaModel;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.model.WeightSource;
import java.util.List;

/**
 * Owns a model on a backend together with its KV memory (pool, slot allocator, request-to-token
 * table) and runs forward passes, returning logits on the host. On the CUDA backend with CUDA graphs
 * on, decode batches up to the largest captured size replay a {@link CudaGraphRunner} graph.
 */
public final class ModelRunner implements AutoCloseable {
    private final Backend backend;
    private final LlamaModel model;
    private final KvPool kvPool;
    private final SlotAllocator slots;
    private final ReqToTokenPool reqToToken;
    private final CudaGraphRunner graphs;
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
        this.kvPool = new KvPool(backend, config.numLayers(), config.numKvHeads(), config.headDim(),
                useGraphs ? maxTotalTokens + 1 : maxTotalTokens);
        this.slots = new SlotAllocator(maxTotalTokens);
        this.reqToToken = new ReqToTokenPool(backend, maxRunningRequests, contextLength);
        this.graphs = useGraphs
                ? new CudaGraphRunner((CudaBackend) backend, model, kvPool, reqToToken, maxTotalTokens, sizes)
                : null;
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

    /** Logits of the batch's {@code logitRows}, row-major {@code [rows, vocab]}. */
    public float[] forward(ForwardBatch batch) {
        lastUsedGraph = graphs != null && graphs.canRun(batch);
        if (lastUsedGraph) return graphs.run(batch);
        Tensor logits = model.forward(batch, kvPool, reqToToken);
        try {
            return backend.toHost(logits);
        } finally {
            backend.free(logits);
        }
    }

    /** Whether the last {@link #forward} replayed a CUDA graph. */
    public boolean lastForwardUsedCudaGraph() {
        return lastUsedGraph;
    }

    /** The largest decode batch a CUDA graph runs (0 without graphs). */
    public int cudaGraphMaxBatchSize() {
        return graphs == null ? 0 : graphs.maxBatchSize();
    }

    @Override
    public void close() {
        if (graphs != null) graphs.close();
        reqToToken.close();
        kvPool.close();
        model.close();
    }
}
