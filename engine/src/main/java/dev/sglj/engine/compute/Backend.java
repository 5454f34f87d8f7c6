package dev.sglj.engine.compute;

import java.util.List;
import java.util.OptionalLong;

/**
 * The operations a forward pass needs, on one device. Activations are F32 on the CPU backend;
 * weights keep the checkpoint dtype (BF16/F16/F32) and math accumulates in F32. Row-oriented:
 * the first dimension of an activation is the flattened token index of the ragged batch.
 *
 * <p>All ops are synchronous from the caller's point of view on the CPU; a GPU backend may queue
 * them on a stream and synchronize in {@link #toHost}.
 *
 * <p>The residual stream starts as {@link #embeddingIntoResidual}. A llama-family decoder layer is, as SGLang
 * fuses it: {@link #normedQkvToCache} (the input RMSNorm,
 * the projection over the row-stacked q/k/v weight ({@link #weightRows}) and {@link #qkvToCache}: per-head
 * q/k norm, RoPE, the K/V cache write); {@link #attention}; {@link #linearIntoResidual} (o);
 * {@link #normedGateUpSiluAndMul} (the post-attention RMSNorm, the row-stacked gate/up projection and
 * SiLU-and-mul); {@link #linearIntoResidual} (down). Those four compose the plain ops by default; a
 * backend may fuse them (CUDA does at decode batches of a few rows, where each launch saved counts).
 */
public interface Backend extends AutoCloseable {
    String name();

    /**
     * The dtype of the activations a model allocates (hidden states, q/k/v, MLP intermediates) and of
     * the KV cache: F32 here by default (the CPU backend), BF16 on CUDA unless it computes in F32
     * ({@code --dtype float32}). Logits stay F32.
     */
    default DType activationDtype() {
        return DType.F32;
    }

    /** A new zero-filled tensor. */
    Tensor allocate(DType dtype, long... shape);

    /**
     * A new tensor whose contents are undefined until written, for an op's output that the op overwrites in
     * full (activations of a forward pass): a GPU backend then skips the fill (in a CUDA graph, a memset node
     * a tensor). By default {@link #allocate}.
     */
    default Tensor allocateUninitialized(DType dtype, long... shape) {
        return allocate(dtype, shape);
    }

    /** A weight backed by host data; the CPU backend may use it in place (no copy of mmapped files). */
    Tensor weight(HostTensor host);

    /**
     * One weight named {@code name} whose rows are the rows of {@code parts} in order: the fused q/k/v
     * projection {@code [q + k + v rows, hidden]}, gate/up {@code [2 * intermediate, hidden]}, or their
     * concatenated biases (1-D parts: the elements in order). Parts share a dtype and every dimension
     * after the first. The CPU backend keeps the parts in place (no copy of mmapped files: a tensor of
     * row ranges that {@link #linear} walks in sequence, usable as a linear's weight or bias only); the
     * CUDA backend uploads them into row ranges of one contiguous tensor.
     */
    Tensor weightRows(String name, List<HostTensor> parts);

    /**
     * A weight made by the backend in its own memory ({@code --load-format dummy}; no host copy on a
     * GPU): uniform in {@code [-range, range)} drawn from {@code seed}, or all {@code value} when
     * {@code range} is 0. {@code dtype} is the checkpoint dtype it stands for (the CPU backend stores
     * that, with the values {@link UniformFill} gives; CUDA makes its activation dtype as for every weight).
     */
    Tensor dummyWeight(String name, DType dtype, long[] shape, long seed, float range, float value);

    /** A new I32 tensor holding {@code values}. */
    Tensor ints(int[] values);

    /** A new F32 tensor of that shape holding {@code values}. */
    Tensor floats(float[] values, long... shape);

    /** Overwrites {@code len} I32 elements of {@code dst} from {@code dstOffset} with {@code src[srcOffset..]}. */
    void writeInts(Tensor dst, long dstOffset, int[] src, int srcOffset, int len);

    /**
     * Sets {@code dst[offsets[i]] = values[i]} for every {@code i} of an I32 tensor, in one operation (a
     * decode step's request-to-token entries: one per request).
     */
    void scatterInts(Tensor dst, int[] offsets, int[] values);

    /** {@link #scatterInts}'s argument check: as many offsets as values, each within {@code numel}. */
    static void checkScatter(int[] offsets, int[] values, long numel) {
        if (offsets.length != values.length) {
            throw new IllegalArgumentException("scatterInts: " + offsets.length + " offsets for " + values.length + " values");
        }
        for (int o : offsets) {
            if (o < 0 || o >= numel) throw new IllegalArgumentException("scatterInts: offset " + o + " outside [0, " + numel + ")");
        }
    }

    /** Copies an F32 tensor's {@code rows x cols} elements to a new host array, row-major. */
    float[] toHost(Tensor t);

    /** {@code out[i, :] = table[ids[i], :]} (table of any weight dtype, out F32). */
    void embedding(Tensor table, Tensor ids, Tensor out);

    /**
     * RMSNorm over groups of {@code weight.numel()} contiguous elements of each row (the whole row
     * for a layer norm, each head for q/k norm): {@code out = x / sqrt(mean(x^2) + eps) * weight}.
     * {@code out} may be {@code x}.
     */
    void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out);

    /** {@code residual += x; out = rmsNorm(residual)}, fused. */
    void addRmsNorm(Tensor x, Tensor residual, Tensor weight, float eps, Tensor out);

    /** {@code out[n, o] = sum_i x[n, i] * w[o, i] + bias[o]}; bias may be null. */
    void linear(Tensor x, Tensor w, Tensor bias, Tensor out);

    /**
     * Scratch for {@link #embeddingIntoResidual} and {@link #linearIntoResidual} to leave what the next norm
     * of a residual of {@code rows x cols} needs (a fused backend's sums of squares), or null where the
     * backend composes the plain ops (the default). One serves every layer of a pass: each norm reads it
     * before the next linear writes.
     */
    default Tensor normStatistics(long rows, long cols) {
        return null;
    }

    /**
     * {@link #embedding} of {@code ids} into {@code out}, the residual stream's first value; returns the sum
     * for the first norm. By default the sum is stored with no statistics; a fused backend leaves the rows'
     * sums of squares in {@code stats} (from {@link #normStatistics}; may be null), as {@link
     * #linearIntoResidual} does.
     */
    default ResidualSum embeddingIntoResidual(Tensor table, Tensor ids, Tensor out, Tensor stats) {
        embedding(table, ids, out);
        return new ResidualSum.Stored(out, null, 0);
    }

    /**
     * {@code residual += x w^T + bias} for the residual of {@code sum} (the stream as its last norm read
     * it), rounded as {@link #linear} then {@link #addRmsNorm}'s add would round it; returns the sum for
     * the next norm. By default the linear goes to {@code delta} and the add is left to that norm
     * ({@link ResidualSum.Deferred}); a fused backend adds at once and leaves the sums of squares in
     * {@code stats} (from {@link #normStatistics}; may be null).
     */
    default ResidualSum linearIntoResidual(Tensor x, Tensor w, Tensor bias, ResidualSum sum, Tensor delta,
                                           Tensor stats) {
        linear(x, w, bias, delta);
        return new ResidualSum.Deferred(sum.residual(), delta);
    }

    /** {@code out = rmsNorm(sum)}, completing a deferred add into the residual first. */
    default void norm(ResidualSum sum, Tensor weight, float eps, Tensor out) {
        switch (sum) {
            case ResidualSum.Deferred d -> addRmsNorm(d.delta(), d.residual(), weight, eps, out);
            case ResidualSum.Stored st -> rmsNorm(st.residual(), weight, eps, out);
        }
    }

    /**
     * {@code out = rmsNorm(sum) w^T + bias}: {@link #norm} into {@code normed}, then {@link #linear} (whose
     * {@code out} may be F32 where activations are not: the final norm and lm_head). A fused backend may leave
     * {@code normed} untouched.
     */
    default void normedLinear(ResidualSum sum, Tensor normWeight, float eps, Tensor normed, Tensor w, Tensor bias,
                              Tensor out) {
        norm(sum, normWeight, eps, normed);
        linear(normed, w, bias, out);
    }

    /**
     * {@link #normedLinear} over the row-stacked q/k/v weight into {@code qkv}, then {@link #qkvToCache} of
     * it into {@code targets} (q/k norms with the same {@code eps}). A fused backend may write q and the
     * caches directly, leaving {@code normed} and {@code qkv} untouched.
     */
    default void normedQkvToCache(ResidualSum sum, Tensor normWeight, float eps, Tensor normed, Tensor qkvWeight,
                                  Tensor qkvBias, Tensor qkv, QkvTargets targets) {
        normedLinear(sum, normWeight, eps, normed, qkvWeight, qkvBias, qkv);
        qkvToCache(qkv, targets.numHeads(), targets.numKvHeads(), targets.headDim(), targets.qNorm(), targets.kNorm(),
                eps, targets.positions(), targets.cosSin(), targets.q(), targets.kCache(), targets.vCache(),
                targets.outCacheLoc());
    }

    /**
     * {@code out = siluAndMul(rmsNorm(sum) gateUpWeight^T)}: {@link #normedLinear} into {@code gateUp}
     * ({@code [n, 2 * inter]}), then {@link #siluAndMul}. A fused backend may leave {@code normed} and
     * {@code gateUp} untouched.
     */
    default void normedGateUpSiluAndMul(ResidualSum sum, Tensor normWeight, float eps, Tensor normed,
                                        Tensor gateUpWeight, Tensor gateUp, Tensor out) {
        normedLinear(sum, normWeight, eps, normed, gateUpWeight, null, gateUp);
        siluAndMul(gateUp, out);
    }

    /**
     * The step between the fused q/k/v projection and attention. Row {@code n} of {@code qkv} holds
     * {@code numHeads} q heads, then {@code numKvHeads} k heads, then {@code numKvHeads} v heads of
     * {@code headDim} each. Per token:
     * <ul>
     *   <li>each q head: RMSNorm over the head with {@code qNorm} ({@code [headDim]}, Qwen3's q_norm;
     *       skipped when null), then RoPE, written to row {@code n} of {@code q} ({@code [tokens,
     *       numHeads * headDim]});
     *   <li>each k head: the same with {@code kNorm}, written to row {@code outCacheLoc[n]} of
     *       {@code kCache} ({@code [slots, numKvHeads * headDim]});
     *   <li>each v head: copied to row {@code outCacheLoc[n]} of {@code vCache}.
     * </ul>
     * RoPE is the rotate-half form: row {@code n} uses row {@code positions[n]} of {@code cosSin}, an
     * F32 table of {@code [*, headDim]} holding {@code headDim/2} cosines then {@code headDim/2} sines
     * (position-indexed, or one row per token for dynamic NTK scaling). {@code qNorm} and {@code kNorm}
     * are both given or both null. The result equals per-head {@link #rmsNorm}, then rotary embedding,
     * then a copy into the caches, each rounded to the activation dtype as those steps would.
     */
    void qkvToCache(Tensor qkv, int numHeads, int numKvHeads, int headDim, Tensor qNorm, Tensor kNorm, float eps,
                    Tensor positions, Tensor cosSin, Tensor q, Tensor kCache, Tensor vCache, Tensor outCacheLoc);

    /**
     * Causal attention of each new token over its request's KV slots (see {@link AttentionBatch}),
     * with grouped-query heads: q head {@code h} reads kv head {@code h / (numHeads / numKvHeads)}.
     * {@code q} and {@code out} are {@code [tokens, numHeads * headDim]}; caches are
     * {@code [slots, numKvHeads * headDim]}.
     */
    void attention(Tensor q, Tensor kCache, Tensor vCache, AttentionBatch batch, Tensor out,
                   int numHeads, int numKvHeads, int headDim, float scale);

    /**
     * {@code out = silu(gate) * up} over the fused gate/up projection's output: {@code gateUp} is
     * {@code [n, 2 * inter]} with gate in the first half of each row and up in the second; {@code out}
     * is {@code [n, inter]}.
     */
    void siluAndMul(Tensor gateUp, Tensor out);

    /** {@code out[i, :] = x[rows[i], :]}. */
    void gatherRows(Tensor x, Tensor rows, Tensor out);

    /** Bytes of device memory free now, when the backend knows them (a GPU); empty on the CPU. */
    default OptionalLong availableMemory() {
        return OptionalLong.empty();
    }

    /** Releases the tensor's memory now (weights backed by files are left alone). */
    void free(Tensor t);

    @Override
    void close();
}
