package dev.sglj.engine.model;

import dev.sglj.engine.compute.DType;

/**
 * The parts of a Hugging Face {@code config.json} the llama-family forward pass needs, normalised:
 * defaults applied, {@code head_dim} resolved, {@code eos_token_id} as a list.
 *
 * @param architecture   the {@code architectures[0]} entry, e.g. {@code Qwen3ForCausalLM}
 * @param attentionBias  q/k/v projections carry a bias (Qwen2; Llama and Qwen3 when
 *                       {@code attention_bias}, then o_proj too: see {@link #outputProjBias()})
 * @param qkNorm         per-head RMSNorm of q and k before RoPE (Qwen3)
 * @param torchDtype     the checkpoint's declared dtype, BF16 when absent
 */
public record ModelConfig(
        String architecture,
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        float rmsNormEps,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean qkNorm,
        int maxPositionEmbeddings,
        RopeScaling rope,
        DType torchDtype,
        int[] eosTokenIds,
        Integer bosTokenId) {

    /** o_proj carries a bias: Llama and Qwen3 with {@code attention_bias}; never Qwen2 (q/k/v only) or Mistral. */
    public boolean outputProjBias() {
        return attentionBias && !"Qwen2ForCausalLM".equals(architecture);
    }

    /** Rows of q_proj: {@code numHeads * headDim}. */
    public int qSize() {
        return numHeads * headDim;
    }

    /** Rows of k_proj and of v_proj: {@code numKvHeads * headDim}. */
    public int kvSize() {
        return numKvHeads * headDim;
    }
}
