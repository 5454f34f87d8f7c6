package dev.sglj.engine.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The Hugging Face tensor names and shapes a llama-family model needs (Llama 2/3, Mistral, Qwen2,
 * Qwen3), derived from its {@link ModelConfig}. Linear weights are {@code [out, in]} as PyTorch
 * stores them. Tensors a checkpoint holds beyond these (e.g. {@code rotary_emb.inv_freq}) are
 * ignored by the loader.
 */
public final class LlamaWeightNames {
    public static final String EMBED_TOKENS = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private LlamaWeightNames() {}

    /** A tensor the model needs: its checkpoint name and shape. */
    public record TensorSpec(String name, long... shape) {}

    /** {@code model.layers.<layer>.<suffix>}, e.g. {@code layer(3, "self_attn.q_proj.weight")}. */
    public static String layer(int layer, String suffix) {
        return "model.layers." + layer + "." + suffix;
    }

    /** Every tensor {@code c} requires, in checkpoint order: embeddings, each layer, final norm, lm_head. */
    public static List<TensorSpec> required(ModelConfig c) {
        long h = c.hiddenSize();
        long q = c.qSize();
        long kv = c.kvSize();
        long inter = c.intermediateSize();
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec(EMBED_TOKENS, c.vocabSize(), h));
        for (int i = 0; i < c.numLayers(); i++) {
            specs.add(new TensorSpec(layer(i, "input_layernorm.weight"), h));
            specs.add(new TensorSpec(layer(i, "self_attn.q_proj.weight"), q, h));
            specs.add(new TensorSpec(layer(i, "self_attn.k_proj.weight"), kv, h));
            specs.add(new TensorSpec(layer(i, "self_attn.v_proj.weight"), kv, h));
            specs.add(new TensorSpec(layer(i, "self_attn.o_proj.weight"), h, q));
            if (c.attentionBias()) {
                specs.add(new TensorSpec(layer(i, "self_attn.q_proj.bias"), q));
                specs.add(new TensorSpec(layer(i, "self_attn.k_proj.bias"), kv));
                specs.add(new TensorSpec(layer(i, "self_attn.v_proj.bias"), kv));
            }
            if (c.outputProjBias()) {
                specs.add(new TensorSpec(layer(i, "self_attn.o_proj.bias"), h));
            }
            if (c.qkNorm()) {
                specs.add(new TensorSpec(layer(i, "self_attn.q_norm.weight"), c.headDim()));
                specs.add(new TensorSpec(layer(i, "self_attn.k_norm.weight"), c.headDim()));
            }
            specs.add(new TensorSpec(layer(i, "post_attention_layernorm.weight"), h));
            specs.add(new TensorSpec(layer(i, "mlp.gate_proj.weight"), inter, h));
            specs.add(new TensorSpec(layer(i, "mlp.up_proj.weight"), inter, h));
            specs.add(new TensorSpec(layer(i, "mlp.down_proj.weight"), h, inter));
        }
        specs.add(new TensorSpec(FINAL_NORM, h));
        if (!c.tieWordEmbeddings()) {
            specs.add(new TensorSpec(LM_HEAD, c.vocabSize(), h));
        }
        return specs;
    }

    /** The shape of {@code parts} stacked by rows: the first dimensions summed, the others the first part's. */
    public static long[] concatRows(List<TensorSpec> parts) {
        long[] shape = parts.getFirst().shape().clone();
        shape[0] = parts.stream().mapToLong(p -> p.shape()[0]).sum();
        return shape;
    }

    /** Norm weights (RMSNorm scales), which dummy weights set to 1. */
    public static boolean isNorm(String name) {
        return name.endsWith("norm.weight");
    }
}
