package dev.sglj.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {
    @TempDir
    Path dir;

    private List<Path> written;

    /** Writes a tiny checkpoint (config, generation config, weights from dummy seed 5); returns its config. */
    private ModelConfig writeCheckpoint(String arch, long maxShardBytes) throws IOException {
        Files.writeString(dir.resolve("config.json"), ModelConfigsTest.tiny(arch, "\"eos_token_id\": [5, 6]"));
        Files.writeString(dir.resolve("generation_config.json"), "{\"temperature\": 0.6, \"top_p\": 0.9}");
        ModelConfig config = ModelConfigs.parse(dir.resolve("config.json"));
        try (DummyWeights w = DummyWeights.create(config, 5)) {
            List<HostTensor> tensors = new ArrayList<>();
            for (LlamaWeightNames.TensorSpec s : LlamaWeightNames.required(config)) {
                tensors.add(w.get(s.name(), s.shape()));
            }
            tensors.add(SafetensorsTest.random("model.layers.0.self_attn.rotary_emb.inv_freq", DType.F32, 9, 4));
            written = SafetensorsWriter.writeSharded(dir, tensors, maxShardBytes);
        }
        return config;
    }

    @Test
    void loadsShardedCheckpointAndIgnoresExtraTensors() throws IOException {
        ModelConfig config = writeCheckpoint("Qwen2ForCausalLM", 8192);
        assertThat(Files.exists(dir.resolve(SafetensorsWeights.INDEX_FILE))).isTrue();
        try (LoadedModel m = ModelLoader.load(dir, LoadFormat.AUTO); DummyWeights expected = DummyWeights.create(config, 5)) {
            assertThat(m.dir()).isEqualTo(dir);
            assertThat(m.config().architecture()).isEqualTo("Qwen2ForCausalLM");
            assertThat(m.config().eosTokenIds()).containsExactly(5, 6);
            assertThat(m.generation().temperature()).isEqualTo(0.6);
            assertThat(m.generation().topP()).isEqualTo(0.9);
            for (LlamaWeightNames.TensorSpec s : LlamaWeightNames.required(config)) {
                SafetensorsTest.assertSameTensor(m.weights().get(s.name(), s.shape()), expected.get(s.name()));
            }
        }
    }

    @Test
    void loadsSingleFileWithoutGenerationConfig() throws IOException {
        writeCheckpoint("Qwen3ForCausalLM", Long.MAX_VALUE);
        Files.delete(dir.resolve("generation_config.json"));
        try (LoadedModel m = ModelLoader.load(dir, LoadFormat.SAFETENSORS)) {
            assertThat(m.weights()).isInstanceOf(SafetensorsWeights.class);
            assertThat(((SafetensorsWeights) m.weights()).files()).containsExactly(dir.resolve("model.safetensors"));
            assertThat(m.generation()).usingRecursiveComparison().isEqualTo(GenerationConfig.empty());
            assertThat(m.weights().has("model.layers.1.self_attn.k_norm.weight")).isTrue();
        }
    }

    @Test
    void dummyFormatNeedsOnlyConfig() throws IOException {
        Files.writeString(dir.resolve("config.json"), ModelConfigsTest.tiny("MistralForCausalLM", ""));
        try (LoadedModel m = ModelLoader.load(dir, LoadFormat.DUMMY);
                LoadedModel again = ModelLoader.dummy(m.config(), 0)) {
            assertThat(m.weights()).isInstanceOf(DummyWeights.class);
            assertThat(m.weights().names()).hasSize(LlamaWeightNames.required(m.config()).size());
            HostTensor a = m.weights().get(LlamaWeightNames.EMBED_TOKENS, 64, 32);
            SafetensorsTest.assertSameTensor(again.weights().get(LlamaWeightNames.EMBED_TOKENS), a);
            assertThat(again.dir()).isNull();
        }
    }

    @Test
    void missingConfigJson() {
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadFormat.AUTO)).isInstanceOf(ModelLoadException.class)
                .hasMessage("no config.json in " + dir + " (a Hugging Face model directory needs one)");
        Path nowhere = dir.resolve("nowhere");
        assertThatThrownBy(() -> ModelLoader.load(nowhere, LoadFormat.DUMMY)).isInstanceOf(ModelLoadException.class)
                .hasMessage("model path " + nowhere + " is not a directory");
    }

    @Test
    void unsupportedArchitecture() throws IOException {
        Files.writeString(dir.resolve("config.json"), ModelConfigsTest.tiny("MixtralForCausalLM", ""));
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadFormat.DUMMY)).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("unsupported architecture MixtralForCausalLM in " + dir.resolve("config.json"));
    }

    @Test
    void missingTensorFailsAtLoad() throws IOException {
        ModelConfig config = writeCheckpoint("LlamaForCausalLM", Long.MAX_VALUE);
        Files.writeString(dir.resolve("config.json"), ModelConfigsTest.tiny("Qwen3ForCausalLM", "\"head_dim\": 8"));
        assertThat(config.qkNorm()).isFalse();
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadFormat.AUTO)).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("missing tensor model.layers.0.self_attn.q_norm.weight (and 3 more: "
                        + "missing tensor model.layers.0.self_attn.k_norm.weight; missing tensor "
                        + "model.layers.1.self_attn.q_norm.weight; missing tensor model.layers.1.self_attn.k_norm.weight)")
                .hasMessageEndingWith("[Qwen3ForCausalLM checkpoint, 1 safetensors file in " + dir + "]");
    }

    @Test
    void shapeMismatchFailsAtLoad() throws IOException {
        writeCheckpoint("LlamaForCausalLM", 16384);
        String gate = LlamaWeightNames.layer(0, "mlp.gate_proj.weight");
        Path shard;
        try (SafetensorsWeights w = SafetensorsWeights.open(dir)) {
            shard = w.fileOf(gate);
        }
        Files.writeString(dir.resolve("config.json"),
                ModelConfigsTest.tiny("LlamaForCausalLM", "").replace("\"intermediate_size\": 48", "\"intermediate_size\": 40"));
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadFormat.AUTO)).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("tensor " + gate + " in " + shard + ": shape [48, 32] but config expects [40, 32]"
                        + " (and 5 more: tensor model.layers.0.mlp.up_proj.weight in ")
                .hasMessageEndingWith("; ...) [LlamaForCausalLM checkpoint, " + (written.size() - 1)
                        + " safetensors files in " + dir + "]");
    }

    @Test
    void indexNamingAMissingShardFailsAtLoad() throws IOException {
        writeCheckpoint("LlamaForCausalLM", 16384);
        assertThat(written.size()).isGreaterThan(3);
        Path missing = written.get(2);
        Files.delete(missing);
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadFormat.AUTO)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("names shard " + missing.getFileName())
                .hasMessageEndingWith("but " + missing + " does not exist");
    }

    @Test
    void nonFloatWeightFailsAtLoad() throws IOException {
        Files.writeString(dir.resolve("config.json"), ModelConfigsTest.tiny("LlamaForCausalLM", ""));
        ModelConfig config = ModelConfigs.parse(dir.resolve("config.json"));
        List<HostTensor> tensors = new ArrayList<>();
        for (LlamaWeightNames.TensorSpec s : LlamaWeightNames.required(config)) {
            DType dtype = s.name().equals(LlamaWeightNames.FINAL_NORM) ? DType.I32 : DType.F32;
            tensors.add(SafetensorsTest.random(s.name(), dtype, 1, s.shape()));
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors);
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadFormat.AUTO)).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("tensor model.norm.weight in " + dir.resolve("model.safetensors")
                        + ": dtype I32 is not supported (F32, F16, BF16) [LlamaForCausalLM checkpoint");
    }

    @Test
    void savedDummyModelLoadsBack() throws IOException {
        Path config = dir.resolve("source-config.json");
        Files.writeString(config, ModelConfigsTest.tiny("Qwen3ForCausalLM", "\"head_dim\": 16, \"tie_word_embeddings\": true"));
        Path out = dir.resolve("saved");
        try (DummyWeights w = DummyWeights.create(ModelConfigs.parse(config), 3)) {
            List<Path> files = SafetensorsWriter.writeModel(out, config, w, Long.MAX_VALUE);
            assertThat(files).containsExactly(out.resolve("model.safetensors"), out.resolve("config.json"));
            try (LoadedModel m = ModelLoader.load(out, LoadFormat.AUTO)) {
                assertThat(m.weights().names()).containsExactlyInAnyOrderElementsOf(w.names()).doesNotContain("lm_head.weight");
                for (String name : w.names()) {
                    SafetensorsTest.assertSameTensor(m.weights().get(name), w.get(name));
                }
            }
        }
    }

    @Test
    void pytorchBinOnlyIsExplained() throws IOException {
        Files.writeString(dir.resolve("config.json"), ModelConfigsTest.tiny("LlamaForCausalLM", ""));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[16]);
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadFormat.AUTO)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("holds only PyTorch .bin weights");
    }
}
