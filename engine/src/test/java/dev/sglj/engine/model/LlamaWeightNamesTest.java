package dev.sglj.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LlamaWeightNamesTest {
    private static Map<String, long[]> specs(String config) {
        return LlamaWeightNames.required(ModelConfigs.parse(ModelConfigsTest.resource(config))).stream()
                .collect(Collectors.toMap(LlamaWeightNames.TensorSpec::name, LlamaWeightNames.TensorSpec::shape));
    }

    /** Parameter counts as published for each checkpoint. */
    @ParameterizedTest
    @CsvSource({
        "llama-2-7b.json, 6738415616",
        "llama-3.1-8b-instruct.json, 8030261248",
        "llama-3.2-1b.json, 1235814400",
        "mistral-7b-instruct-v0.3.json, 7248023552",
        "qwen2.5-7b-instruct.json, 7615616512",
        "qwen3-8b.json, 8190735360",
    })
    void parameterCountsMatchThePublishedModels(String config, long params) {
        long total = specs(config).values().stream()
                .mapToLong(s -> Arrays.stream(s).reduce(1, Math::multiplyExact)).sum();
        assertThat(total).isEqualTo(params);
    }

    @Test
    void llama31Shapes() {
        Map<String, long[]> s = specs("llama-3.1-8b-instruct.json");
        assertThat(s).hasSize(1 + 32 * 9 + 2);
        assertThat(s.get("model.embed_tokens.weight")).containsExactly(128256, 4096);
        assertThat(s.get("model.layers.31.self_attn.q_proj.weight")).containsExactly(4096, 4096);
        assertThat(s.get("model.layers.0.self_attn.k_proj.weight")).containsExactly(1024, 4096);
        assertThat(s.get("model.layers.0.self_attn.v_proj.weight")).containsExactly(1024, 4096);
        assertThat(s.get("model.layers.0.self_attn.o_proj.weight")).containsExactly(4096, 4096);
        assertThat(s.get("model.layers.0.mlp.gate_proj.weight")).containsExactly(14336, 4096);
        assertThat(s.get("model.layers.0.mlp.up_proj.weight")).containsExactly(14336, 4096);
        assertThat(s.get("model.layers.0.mlp.down_proj.weight")).containsExactly(4096, 14336);
        assertThat(s.get("model.layers.0.input_layernorm.weight")).containsExactly(4096);
        assertThat(s.get("model.layers.0.post_attention_layernorm.weight")).containsExactly(4096);
        assertThat(s.get("model.norm.weight")).containsExactly(4096);
        assertThat(s.get("lm_head.weight")).containsExactly(128256, 4096);
        assertThat(s).doesNotContainKey("model.layers.0.self_attn.q_proj.bias");
    }

    @Test
    void tiedModelHasNoLmHead() {
        assertThat(specs("llama-3.2-1b.json")).doesNotContainKey("lm_head.weight").containsKey("model.embed_tokens.weight");
    }

    @Test
    void qwen2HasQkvBiasesButNoOutputBias() {
        Map<String, long[]> s = specs("qwen2.5-7b-instruct.json");
        assertThat(s.get("model.layers.27.self_attn.q_proj.bias")).containsExactly(3584);
        assertThat(s.get("model.layers.27.self_attn.k_proj.bias")).containsExactly(512);
        assertThat(s.get("model.layers.27.self_attn.v_proj.bias")).containsExactly(512);
        assertThat(s).doesNotContainKey("model.layers.0.self_attn.o_proj.bias");
    }

    @Test
    void qwen3HasPerHeadNormsAndWideQ() {
        Map<String, long[]> s = specs("qwen3-8b.json");
        assertThat(s.get("model.layers.0.self_attn.q_norm.weight")).containsExactly(128);
        assertThat(s.get("model.layers.35.self_attn.k_norm.weight")).containsExactly(128);
        assertThat(s.get("model.layers.0.self_attn.q_proj.weight")).containsExactly(4096, 4096);
        assertThat(s.get("model.layers.0.self_attn.o_proj.weight")).containsExactly(4096, 4096);
    }

    @Test
    void namesKeepCheckpointOrder() {
        List<String> names = LlamaWeightNames.required(ModelConfigs.parse(ModelConfigsTest.resource("llama-2-7b.json")))
                .stream().map(LlamaWeightNames.TensorSpec::name).toList();
        assertThat(names.getFirst()).isEqualTo(LlamaWeightNames.EMBED_TOKENS);
        assertThat(names.get(1)).isEqualTo(LlamaWeightNames.layer(0, "input_layernorm.weight"));
        assertThat(names.getLast()).isEqualTo(LlamaWeightNames.LM_HEAD);
        assertThat(LlamaWeightNames.isNorm("model.layers.3.self_attn.q_norm.weight")).isTrue();
        assertThat(LlamaWeightNames.isNorm("model.layers.3.self_attn.q_proj.weight")).isFalse();
    }
}
