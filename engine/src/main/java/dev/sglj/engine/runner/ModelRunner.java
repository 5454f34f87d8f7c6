package dev.sglj.engine.runner;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.kv.KvPool;
import dev.sglj.engine.kv.ReqToTokenPool;
import dev.sglj.engine.kv.SlotAllocator;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.LlamaModel;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.model.WeightSource;

/**
 * Owns a model on a backend together with its KV memory (pool, slot allocator, request-to-token
 * table) and runs forward passes, returning logits on the host.
 */
public final class ModelRunner implements AutoCloseable {
    private final Backend backend;
    private final LlamaModel model;
    private final KvPool kvPool;
    private final SlotAllocator slots;
    private final ReqToTokenPool reqToToken;

    public ModelRunner(ModelConfig config, WeightSource weights, Backend backend,
                       int maxTotalTokens, int maxRunningRequests, int contextLength) {
        this.backend = backend;
        this.model = new LlamaModel(config, weights, backend);
        this.kvPool = new KvPool(backend, config.numLayers(), config.numKvHeads(), config.headDim(), maxTotalTokens);
        this.slots = new SlotAllocator(maxTotalTokens);
        this.reqToToken = new ReqToTokenPool(backend, maxRunningRequests, contextLength);
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
        Tensor logits = model.forward(batch, kvPool, reqToToken);
        try {
            return backend.toHost(logits);
        } finally {
            backend.free(logits);
        }
    }

    @Override
    public void close() {
        reqToToken.close();
        kvPool.close();
        model.close();
    }
}
