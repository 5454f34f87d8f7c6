package dev.sglj.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigsTest {
    @TempDir
    Path tmp;

    static Path resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(ModelConfigsTest.class.getResource("/configs/" + name), name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path write(String json) throws IOException {
        Path p = tmp.resolve("config.json");
        Files.writeString(p, json);
        return p;
    }

    /** A small valid config with {@code extra} spliced in as further top-level keys. */
    static String tiny(String architecture, String extra) {
        return """
                {"architectures": ["%s"], "vocab_size": 64, "hidden_size": 32, "intermediate_size": 48,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "torch_dtype": "float32"%s}
                """.formatted(architecture, extra.isEmpty() ? "" : ", " + extra);
    }

    @Test
    void llama31Instruct() {
        ModelConfig c = ModelConfigs.parse(resource("llama-3.1-8b-instruct.json"));
        assertThat(c.architecture()).isEqualTo("LlamaForCausalLM");
        assertThat(c.modelType()).isEqualTo("llama");
        assertThat(new int[] {c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(),
                c.numKvHeads(), c.headDim(), c.maxPositionEmbeddings()})
                .containsExactly(128256, 4096, 14336, 32, 32, 8, 128, 131072);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5f);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.qkNorm()).isFalse();
        assertThat(c.torchDtype()).isEqualTo(DType.BF16);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(c.bosTokenId()).isEqualTo(128000);
        assertThat(c.rope()).isEqualTo(new RopeScaling.Llama3(500000.0, 8.0, 1.0, 4.0, 8192));
    }

    @Test
    void llama2DefaultsRopeTheta() {
        ModelConfig c = ModelConfigs.parse(resource("llama-2-7b.json"));
        assertThat(c.numKvHeads()).isEqualTo(32);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.torchDtype()).isEqualTo(DType.F16);
        assertThat(c.rope()).isEqualTo(new RopeScaling.Default(10000.0));
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.bosTokenId()).isEqualTo(1);
    }

    @Test
    void llama32TiedWithExplicitHeadDim() {
        ModelConfig c = ModelConfigs.parse(resource("llama-3.2-1b.json"));
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.rope()).isEqualTo(new RopeScaling.Llama3(500000.0, 32.0, 1.0, 4.0, 8192));
    }

    @Test
    void mistral() {
        ModelConfig c = ModelConfigs.parse(resource("mistral-7b-instruct-v0.3.json"));
        assertThat(c.architecture()).isEqualTo("MistralForCausalLM");
        assertThat(c.vocabSize()).isEqualTo(32768);
        assertThat(c.numKvHeads()).isEqualTo(8);
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.rope()).isEqualTo(new RopeScaling.Default(1e6));
        assertThat(c.bosTokenId()).isEqualTo(1);
    }

    @Test
    void qwen2HasQkvBiasOnly() {
        ModelConfig c = ModelConfigs.parse(resource("qwen2.5-7b-instruct.json"));
        assertThat(c.attentionBias()).isTrue();
        assertThat(c.outputProjBias()).isFalse();
        assertThat(c.qkNorm()).isFalse();
        assertThat(new int[] {c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.headDim(), c.vocabSize()})
                .containsExactly(3584, 28, 4, 128, 152064);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6f);
        assertThat(c.eosTokenIds()).containsExactly(151645);
    }

    @Test
    void qwen25Yarn() {
        ModelConfig c = ModelConfigs.parse(resource("qwen2.5-7b-instruct-yarn.json"));
        assertThat(c.rope()).isEqualTo(new RopeScaling.Yarn(1e6, 4.0, 32768, 32, 1, 0, 0, null, true));
        assertThat(c.rope().attentionFactor()).isCloseTo(0.1 * Math.log(4) + 1, org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void qwen3HasQkNormAndExplicitHeadDim() {
        ModelConfig c = ModelConfigs.parse(resource("qwen3-8b.json"));
        assertThat(c.architecture()).isEqualTo("Qwen3ForCausalLM");
        assertThat(c.qkNorm()).isTrue();
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.numLayers()).isEqualTo(36);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(40960);
        assertThat(c.rope()).isEqualTo(new RopeScaling.Default(1e6));
    }

    @Test
    void headDimMayDifferFromHiddenOverHeads() throws IOException {
        ModelConfig c = ModelConfigs.parse(write(tiny("Qwen3ForCausalLM", "\"head_dim\": 16")));
        assertThat(c.headDim()).isEqualTo(16).isNotEqualTo(c.hiddenSize() / c.numHeads());
        assertThat(c.qSize()).isEqualTo(64);
        assertThat(c.kvSize()).isEqualTo(32);
    }

    @Test
    void nullHeadDimFallsBackToHiddenOverHeads() throws IOException {
        assertThat(ModelConfigs.parse(write(tiny("LlamaForCausalLM", "\"head_dim\": null"))).headDim()).isEqualTo(8);
    }

    @Test
    void qwen3WithoutHeadDimUsesTransformersDefault128() throws IOException {
        assertThat(ModelConfigs.parse(write(tiny("Qwen3ForCausalLM", ""))).headDim()).isEqualTo(128);
    }

    @Test
    void kvHeadsDefaultToHeadsForLlama() throws IOException {
        String json = tiny("LlamaForCausalLM", "").replace("\"num_key_value_heads\": 2,", "");
        assertThat(ModelConfigs.parse(write(json)).numKvHeads()).isEqualTo(4);
    }

    @Test
    void llamaAttentionBiasCoversOutputProjection() throws IOException {
        ModelConfig c = ModelConfigs.parse(write(tiny("LlamaForCausalLM", "\"attention_bias\": true")));
        assertThat(c.attentionBias()).isTrue();
        assertThat(c.outputProjBias()).isTrue();
    }

    @Test
    void newerDtypeKeyAndDefaults() throws IOException {
        String json = tiny("LlamaForCausalLM", "\"dtype\": \"float16\"").replace("\"torch_dtype\": \"float32\"", "\"use_cache\": true");
        ModelConfig c = ModelConfigs.parse(write(json));
        assertThat(c.torchDtype()).isEqualTo(DType.F16);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.eosTokenIds()).isNull();
        String noDtype = tiny("LlamaForCausalLM", "").replace("\"torch_dtype\": \"float32\"", "\"use_cache\": true");
        assertThat(ModelConfigs.parse(write(noDtype)).torchDtype()).isEqualTo(DType.BF16);
    }

    @Test
    void unsupportedArchitectureIsNamed() throws IOException {
        Path p = write(tiny("GPT2LMHeadModel", ""));
        assertThatThrownBy(() -> ModelConfigs.parse(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("unsupported architecture GPT2LMHeadModel in " + p
                        + "; supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM");
    }

    @Test
    void modelTypeStandsInForMissingArchitectures() throws IOException {
        String json = tiny("LlamaForCausalLM", "\"model_type\": \"qwen2\"").replace("\"architectures\": [\"LlamaForCausalLM\"], ", "");
        assertThat(ModelConfigs.parse(write(json)).architecture()).isEqualTo("Qwen2ForCausalLM");
        Path gpt2 = write(json.replace("qwen2", "gpt2"));
        assertThatThrownBy(() -> ModelConfigs.parse(gpt2)).hasMessageStartingWith("unsupported architecture model_type gpt2 in ");
    }

    @Test
    void missingKeyIsNamed() throws IOException {
        Path p = write(tiny("LlamaForCausalLM", "").replace("\"hidden_size\": 32,", ""));
        assertThatThrownBy(() -> ModelConfigs.parse(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(p + ": missing required key 'hidden_size'");
    }

    @Test
    void badValuesAreNamed() throws IOException {
        Path heads = write(tiny("LlamaForCausalLM", "").replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3"));
        assertThatThrownBy(() -> ModelConfigs.parse(heads)).hasMessageContaining("num_key_value_heads 3");
        Path dtype = write(tiny("LlamaForCausalLM", "").replace("float32", "float64"));
        assertThatThrownBy(() -> ModelConfigs.parse(dtype)).hasMessageContaining("torch_dtype 'float64'");
        Path rope = write(tiny("LlamaForCausalLM", "\"rope_scaling\": {\"type\": \"longrope\", \"factor\": 2}"));
        assertThatThrownBy(() -> ModelConfigs.parse(rope)).hasMessageContaining("rope type 'longrope'");
        Path llama3 = write(tiny("LlamaForCausalLM", "\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8}"));
        assertThatThrownBy(() -> ModelConfigs.parse(llama3)).hasMessageContaining("'low_freq_factor'");
        Path json = write("{\"architectures\": [");
        assertThatThrownBy(() -> ModelConfigs.parse(json)).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("invalid JSON in " + json);
    }
}
