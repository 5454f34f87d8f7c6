package dev.sglj.engine.compute;

/**
 * The operations a forward pass needs, on one device. Activations are F32 on the CPU backend;
 * weights keep the checkpoint dtype (BF16/F16/F32) and math accumulates in F32. Row-oriented:
 * the first dimension of an activation is the flattened token index of the ragged batch.
 *
 * <p>All ops are synchronous from the caller's point of view on the CPU; a GPU backend may queue
 * them on a stream and synchronize in {@link #toHost}.
 */
public interface Backend extends AutoCloseable {
    String name();

    /**
     * The dtype of the activations a model allocates (hidden states, q/k/v, MLP intermediates) and of
     * the KV cache: F32 here by default (the CPU backend), BF16 on CUDA. Logits stay F32.
     */
    default DType activationDtype() {
        return DType.F32;
    }

    /** A new zero-filled tensor. */
    Tensor allocate(DType dtype, long... shape);

    /** A weight backed by host data; the CPU backend may use it in place (no copy of mmapped files). */
    Tensor weight(HostTensor host);

    /** A new I32 tensor holding {@code values}. */
    Tensor ints(int[] values);

    /** A new F32 tensor of that shape holding {@code values}. */
    Tensor floats(float[] values, long... shape);

    /** Overwrites {@code len} I32 elements of {@code dst} from {@code dstOffset} with {@code src[srcOffset..]}. */
    void writeInts(Tensor dst, long dstOffset, int[] src, int srcOffset, int len);

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
     * Rotary embedding in place, rotate-half form, for {@code numHeads} heads of {@code headDim} per
     * row. Row {@code n} uses row {@code positions[n]} of {@code cosSin}, an F32 table of
     * {@code [*, headDim]} holding {@code headDim/2} cosines then {@code headDim/2} sines.
     */
    void rope(Tensor x, int numHeads, int headDim, Tensor positions, Tensor cosSin);

    /** Writes row {@code n} of {@code k}/{@code v} into slot {@code outCacheLoc[n]} of the caches. */
    void storeKv(Tensor kCache, Tensor vCache, Tensor k, Tensor v, Tensor outCacheLoc);

    /**
     * Causal attention of each new token over its request's KV slots (see {@link AttentionBatch}),
     * with grouped-query heads: q head {@code h} reads kv head {@code h / (numHeads / numKvHeads)}.
     * {@code q} and {@code out} are {@code [tokens, numHeads * headDim]}; caches are
     * {@code [slots, numKvHeads * headDim]}.
     */
    void attention(Tensor q, Tensor kCache, Tensor vCache, AttentionBatch batch, Tensor out,
                   int numHeads, int numKvHeads, int headDim, float scale);

    /** {@code out = silu(gate) * up}. */
    void siluAndMul(Tensor gate, Tensor up, Tensor out);

    /** {@code out[i, :] = x[rows[i], :]}. */
    void gatherRows(Tensor x, Tensor rows, Tensor out);

    /** Releases the tensor's memory now (weights backed by files are left alone). */
    void free(Tensor t);

    @Override
    void close();
}
