package dev.sglj.engine.model;

import dev.sglj.engine.compute.AttentionBatch;
import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.QkvTargets;
import dev.sglj.engine.compute.ResidualSum;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.kv.KvPool;
import dev.sglj.engine.kv.ReqToTokenPool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The llama-family decoder (Llama 2/3, Mistral, Qwen2, Qwen3) written once against the compute SPI,
 * over a ragged {@link ForwardBatch}. Variants differ only in what the config switches on: q/k/v
 * bias (Qwen2), per-head q/k RMSNorm (Qwen3), tied embeddings, RoPE scaling.
 *
 * <p>As in SGLang, a layer runs four linears: the q/k/v projections fused by rows into one, the
 * output projection, gate/up fused into one, and down; between them {@link Backend#qkvToCache}
 * (q/k norm, RoPE, KV cache write) and attention. The RMSNorms ride on the ops around them
 * ({@link Backend#embeddingIntoResidual} and {@link Backend#linearIntoResidual} leave the residual sum,
 * {@link Backend#normedQkvToCache} and {@link Backend#normedGateUpSiluAndMul} norm it; the final norm rides
 * on lm_head, {@link Backend#normedLinear}, when every row's logits are wanted), so a backend can fuse them.
 */
public final class LlamaModel implements AutoCloseable {
    private final ModelConfig config;
    private final Backend backend;
    private final Tensor embedTokens;
    private final Tensor finalNorm;
    private final Tensor lmHead;
    private final List<LayerWeights> layers;
    private final RotaryEmbedding rotary;

    public LlamaModel(ModelConfig config, WeightSource weights, Backend backend) {
        this.config = config;
        this.backend = backend;
        WeightLoading loading = new WeightLoading(config, weights, backend);
        this.embedTokens = loading.load(LlamaWeightNames.EMBED_TOKENS);
        this.layers = new ArrayList<>(config.numLayers());
        for (int l = 0; l < config.numLayers(); l++) {
            layers.add(loadLayer(loading, l));
        }
        this.finalNorm = loading.load(LlamaWeightNames.FINAL_NORM);
        this.lmHead = config.tieWordEmbeddings() ? embedTokens : loading.load(LlamaWeightNames.LM_HEAD);
        loading.finish(embedTokens.dtype());
        this.rotary = new RotaryEmbedding(backend, config);
    }

    private static LayerWeights loadLayer(WeightLoading loading, int layer) {
        Function<String, Tensor> one = suffix -> loading.load(LlamaWeightNames.layer(layer, suffix));
        Function<String, Tensor> qkv = kind -> loading.loadRows(LlamaWeightNames.layer(layer, "self_attn.qkv_proj." + kind),
                LlamaWeightNames.layer(layer, "self_attn.q_proj." + kind),
                LlamaWeightNames.layer(layer, "self_attn.k_proj." + kind),
                LlamaWeightNames.layer(layer, "self_attn.v_proj." + kind));
        return new LayerWeights(
                one.apply("input_layernorm.weight"),
                qkv.apply("weight"), qkv.apply("bias"),
                one.apply("self_attn.o_proj.weight"), one.apply("self_attn.o_proj.bias"),
                one.apply("self_attn.q_norm.weight"), one.apply("self_attn.k_norm.weight"),
                one.apply("post_attention_layernorm.weight"),
                loading.loadRows(LlamaWeightNames.layer(layer, "mlp.gate_up_proj.weight"),
                        LlamaWeightNames.layer(layer, "mlp.gate_proj.weight"),
                        LlamaWeightNames.layer(layer, "mlp.up_proj.weight")),
                one.apply("mlp.down_proj.weight"));
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * Runs the batch, writing every new token's K/V into the pool at {@code outCacheLoc}, and returns
     * the F32 logits {@code [logitRows.length, vocab]} (a tensor the caller frees).
     */
    public Tensor forward(ForwardBatch batch, KvPool kv, ReqToTokenPool reqToToken) {
        Tensor ids = backend.ints(batch.inputIds());
        try {
            return forward(batch, ids, kv, reqToToken);
        } finally {
            backend.free(ids);
        }
    }

    /**
     * {@link #forward(ForwardBatch, KvPool, ReqToTokenPool)} reading the input ids from {@code inputIds}
     * (I32, {@code batch.numTokens()} entries, the caller's) instead of {@code batch.inputIds()}: the
     * overlap schedule's ids may be known only on the device.
     */
    public Tensor forward(ForwardBatch batch, Tensor inputIds, KvPool kv, ReqToTokenPool reqToToken) {
        try (Scratch s = new Scratch(backend)) {
            Tensor ids = inputIds;
            Tensor outCacheLoc = s.keep(backend.ints(batch.outCacheLoc()));
            AttentionBatch attn = attentionBatch(batch, reqToToken, s);
            RotaryEmbedding.Rows rope = rotary.rowsFor(batch);
            s.onClose(() -> rotary.release(rope));
            Tensor logitRows = batch.logitsOfEveryRow() ? null : s.keep(backend.ints(batch.logitRows()));
            return layers(batch.numTokens(), ids, outCacheLoc, attn, rope.table(), rope.positions(),
                    logitRows, batch.logitRows().length, kv, s);
        }
    }

    /**
     * Device inputs of a decode pass over {@code batchSize} requests of one new token each, in buffers
     * the caller owns and rewrites between passes (a captured graph reads them at fixed addresses):
     * I32 vectors of exactly {@code batchSize} entries; {@code extendStarts} holds 0, 1, 2, ... and
     * {@code extendLens} all ones.
     */
    public record DecodeInputs(int batchSize, Tensor inputIds, Tensor positions, Tensor outCacheLoc,
                               Tensor reqPoolIndices, Tensor seqLens, Tensor extendLens, Tensor extendStarts) {}

    /**
     * A decode pass over caller-provided device inputs, queuing no host-to-device copy: the work is
     * the same as {@link #forward} for that batch, sized for sequences up to {@code maxSeqLen} tokens
     * (positions below it). Returns the F32 logits {@code [batchSize, vocab]} (a tensor the caller frees).
     */
    public Tensor forwardDecode(DecodeInputs in, int maxSeqLen, KvPool kv, ReqToTokenPool reqToToken) {
        try (Scratch s = new Scratch(backend)) {
            int bs = in.batchSize();
            int[] seqLens = new int[bs];
            int[] ones = new int[bs];
            int[] starts = new int[bs];
            for (int r = 0; r < bs; r++) {
                seqLens[r] = maxSeqLen;
                ones[r] = 1;
                starts[r] = r;
            }
            AttentionBatch attn = new AttentionBatch(bs, reqToToken.deviceTable(), reqToToken.maxContext(),
                    in.reqPoolIndices(), in.seqLens(), in.extendLens(), in.extendStarts(), seqLens, ones, starts);
            Tensor table = rotary.positionTable(maxSeqLen);
            return layers(bs, in.inputIds(), in.outCacheLoc(), attn, table, in.positions(), null, bs, kv, s);
        }
    }

    /** Grows the RoPE table to {@code maxSeqLen} positions now, before graphs capture its address. */
    public void prepareDecode(int maxSeqLen) {
        rotary.positionTable(maxSeqLen);
    }

    /**
     * Whether {@link #forwardDecode} computes what {@link #forward} does for this decode batch: RoPE
     * reads the position-indexed table (not per-request dynamic-NTK rows) and every position is below
     * {@code maxSeqLen}.
     */
    public boolean supportsFixedDecode(ForwardBatch batch, int maxSeqLen) {
        if (!rotary.usesPositionTable(batch)) return false;
        for (int len : batch.seqLens()) {
            if (len > maxSeqLen) return false;
        }
        return true;
    }

    /** The decoder over {@code n} rows; the logits of rows {@code logitRows} (null: every row in order). */
    private Tensor layers(int n, Tensor ids, Tensor outCacheLoc, AttentionBatch attn, Tensor ropeTable,
                          Tensor ropePositions, Tensor logitRows, int logitRowCount, KvPool kv, Scratch s) {
        int hidden = config.hiddenSize();
        int qWidth = config.numHeads() * config.headDim();
        int kvWidth = config.numKvHeads() * config.headDim();
        int inter = config.intermediateSize();
        float eps = config.rmsNormEps();

        Tensor residual = s.activation(n, hidden);
        Tensor h = s.activation(n, hidden);
        Tensor qkv = s.activation(n, qWidth + 2L * kvWidth);
        Tensor q = s.activation(n, qWidth);
        Tensor attnOut = s.activation(n, qWidth);
        Tensor proj = s.activation(n, hidden);
        Tensor gateUp = s.activation(n, 2L * inter);
        Tensor act = s.activation(n, inter);
        float scale = (float) (1.0 / Math.sqrt(config.headDim()));

        Tensor stats = backend.normStatistics(n, hidden);
        if (stats != null) s.keep(stats);
        ResidualSum sum = backend.embeddingIntoResidual(embedTokens, ids, residual, stats);
        for (int l = 0; l < layers.size(); l++) {
            LayerWeights w = layers.get(l);
            backend.normedQkvToCache(sum, w.inputNorm(), eps, h, w.qkvProj(), w.qkvBias(), qkv,
                    new QkvTargets(config.numHeads(), config.numKvHeads(), config.headDim(), w.qNorm(), w.kNorm(),
                            ropePositions, ropeTable, q, kv.k(l), kv.v(l), outCacheLoc));
            backend.attention(q, kv.k(l), kv.v(l), attn, attnOut,
                    config.numHeads(), config.numKvHeads(), config.headDim(), scale);
            sum = backend.linearIntoResidual(attnOut, w.oProj(), w.oBias(), sum, proj, stats);
            backend.normedGateUpSiluAndMul(sum, w.postAttentionNorm(), eps, h, w.gateUpProj(), gateUp, act);
            sum = backend.linearIntoResidual(act, w.downProj(), null, sum, proj, stats);
        }
        return logits(sum, h, logitRows, logitRowCount, s);
    }

    /** The final norm of {@code sum} into {@code normed}, then lm_head over {@code rows} (null: every row). */
    private Tensor logits(ResidualSum sum, Tensor normed, Tensor rows, int count, Scratch s) {
        Tensor logits = backend.allocateUninitialized(DType.F32, count, config.vocabSize());
        if (rows == null) {
            backend.normedLinear(sum, finalNorm, config.rmsNormEps(), normed, lmHead, null, logits);
        } else {
            backend.norm(sum, finalNorm, config.rmsNormEps(), normed);
            Tensor selected = s.activation(count, config.hiddenSize());
            backend.gatherRows(normed, rows, selected);
            backend.linear(selected, lmHead, null, logits);
        }
        return logits;
    }

    private AttentionBatch attentionBatch(ForwardBatch b, ReqToTokenPool table, Scratch s) {
        int reqs = b.numRequests();
        int[] starts = new int[reqs];
        for (int r = 1; r < reqs; r++) starts[r] = starts[r - 1] + b.extendSeqLens()[r - 1];
        return new AttentionBatch(reqs, table.deviceTable(), table.maxContext(),
                s.keep(backend.ints(b.reqPoolIndices())), s.keep(backend.ints(b.seqLens())),
                s.keep(backend.ints(b.extendSeqLens())), s.keep(backend.ints(starts)),
                b.seqLens(), b.extendSeqLens(), starts);
    }

    @Override
    public void close() {
        rotary.close();
    }

    /** Tensors that live for one forward pass, freed together; activations in the backend's dtype. */
    private static final class Scratch implements AutoCloseable {
        private final Backend backend;
        private final List<Tensor> tensors = new ArrayList<>();
        private final List<Runnable> closers = new ArrayList<>();

        Scratch(Backend backend) {
            this.backend = backend;
        }

        Tensor keep(Tensor t) {
            tensors.add(t);
            return t;
        }

        /** Every op writing an activation writes all of it, so it is not zero-filled first. */
        Tensor activation(long rows, long cols) {
            return keep(backend.allocateUninitialized(backend.activationDtype(), rows, cols));
        }

        void onClose(Runnable r) {
            closers.add(r);
        }

        @Override
        public void close() {
            tensors.forEach(backend::free);
            closers.forEach(Runnable::run);
        }
    }
}
