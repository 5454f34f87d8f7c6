package dev.sglj.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.compute.cpu.CpuTensor;
import dev.sglj.engine.compute.UniformFill;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DummyWeightsTest {
    /** A config whose embeddings (1.28 M elements) span two fill chunks; q width 256 differs from hidden 128. */
    static ModelConfig config(String arch, DType dtype, boolean tied) {
        return new ModelConfig(arch, "test", 10000, 128, 384, 2, 8, 2, 32, 1e-6f, tied,
                arch.equals("Qwen2ForCausalLM"), arch.equals("Qwen3ForCausalLM"), 512,
                new RopeScaling.Default(10000), dtype, new int[] {2}, 1);
    }

    static float value(HostTensor t, long i) {
        return switch (t.dtype()) {
            case F32 -> t.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            case F16 -> Float.float16ToFloat(t.data().getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
            case BF16 -> Float.intBitsToFloat(t.data().getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) << 16);
            case I32 -> throw new IllegalArgumentException();
        };
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void shapedPerConfigWithSmallValuesAndUnitNorms(DType dtype) {
        ModelConfig c = config("Qwen2ForCausalLM", dtype, false);
        try (DummyWeights w = DummyWeights.create(c, 7)) {
            assertThat(w.names()).hasSize(LlamaWeightNames.required(c).size());
            for (LlamaWeightNames.TensorSpec spec : LlamaWeightNames.required(c)) {
                HostTensor t = w.get(spec.name(), spec.shape());
                assertThat(t.dtype()).isEqualTo(dtype);
                assertThat(t.shape()).containsExactly(spec.shape());
                boolean norm = LlamaWeightNames.isNorm(spec.name());
                double sum = 0;
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                for (long i = 0; i < t.numel(); i++) {
                    float v = value(t, i);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    sum += v;
                }
                if (norm) {
                    assertThat(new float[] {min, max}).as(spec.name()).containsOnly(1.0f);
                } else {
                    assertThat(-min).as(spec.name()).isLessThanOrEqualTo(DummyWeights.RANGE * 1.01f).isGreaterThan(DummyWeights.RANGE * 0.5f);
                    assertThat(max).as(spec.name()).isLessThanOrEqualTo(DummyWeights.RANGE * 1.01f).isGreaterThan(DummyWeights.RANGE * 0.5f);
                }
                if (!norm && t.numel() >= 4096) {
                    assertThat(Math.abs(sum / t.numel())).as("mean of " + spec.name()).isLessThan(DummyWeights.RANGE * 0.1);
                }
            }
            assertThat(w.has("model.layers.1.self_attn.q_proj.bias")).isTrue();
            assertThat(w.has("lm_head.weight")).isTrue();
        }
    }

    @Test
    void deterministicPerSeed() {
        ModelConfig c = config("Qwen3ForCausalLM", DType.BF16, true);
        try (DummyWeights a = DummyWeights.create(c, 42); DummyWeights b = DummyWeights.create(c, 42);
                DummyWeights other = DummyWeights.create(c, 43)) {
            assertThat(a.names()).containsExactlyElementsOf(b.names()).contains("model.layers.0.self_attn.q_norm.weight")
                    .doesNotContain("lm_head.weight");
            for (String name : a.names()) {
                byte[] x = a.get(name).data().toArray(ValueLayout.JAVA_BYTE);
                assertThat(x).as(name).isEqualTo(b.get(name).data().toArray(ValueLayout.JAVA_BYTE));
                if (!LlamaWeightNames.isNorm(name)) {
                    assertThat(Arrays.equals(x, other.get(name).data().toArray(ValueLayout.JAVA_BYTE))).as(name).isFalse();
                }
            }
            byte[] embed = a.get(LlamaWeightNames.EMBED_TOKENS).data().toArray(ValueLayout.JAVA_BYTE);
            byte[] gate = a.get(LlamaWeightNames.layer(0, "mlp.gate_proj.weight")).data().toArray(ValueLayout.JAVA_BYTE);
            assertThat(Arrays.copyOf(embed, 256)).isNotEqualTo(Arrays.copyOf(gate, 256));
        }
    }

    @Test
    void wrongShapeOrNameIsNamed() {
        try (DummyWeights w = DummyWeights.create(config("LlamaForCausalLM", DType.F32, false), 0)) {
            assertThatThrownBy(() -> w.get("model.norm.weight", 255)).isInstanceOf(ModelLoadException.class)
                    .hasMessage("tensor model.norm.weight in dummy weights: shape [128] but config expects [255]");
            assertThatThrownBy(() -> w.get("model.layers.0.self_attn.q_norm.weight")).isInstanceOf(ModelLoadException.class)
                    .hasMessageStartingWith("missing tensor model.layers.0.self_attn.q_norm.weight");
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertThat(UniformFill.toBf16(1.0f)).isEqualTo((short) 0x3f80);
        assertThat(UniformFill.toBf16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80);
        assertThat(UniformFill.toBf16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82);
        assertThat(UniformFill.toBf16(Float.intBitsToFloat(0x3f808001))).isEqualTo((short) 0x3f81);
        assertThat(UniformFill.toBf16(-2.0f)).isEqualTo((short) 0xc000);
    }

    @Test
    void creatingMakesNoHostMemoryUntilATensorIsRead() {
        ModelConfig huge = new ModelConfig("LlamaForCausalLM", "llama", 128256, 16384, 53248, 126, 128, 8, 128, 1e-5f,
                false, false, false, 131072, new RopeScaling.Default(500000), DType.BF16, new int[] {2}, 1);
        try (DummyWeights w = DummyWeights.create(huge, 0)) {
            assertThat(w.names()).hasSize(LlamaWeightNames.required(huge).size());
            assertThat(w.get(LlamaWeightNames.FINAL_NORM).numel()).isEqualTo(16384);
        }
    }

    @Test
    void backendFillEqualsTheHostTensorAndFusedRowsAreOneTensor() {
        ModelConfig c = config("Qwen2ForCausalLM", DType.BF16, false);
        try (DummyWeights w = DummyWeights.create(c, 11); CpuBackend cpu = new CpuBackend(2)) {
            for (LlamaWeightNames.TensorSpec spec : LlamaWeightNames.required(c)) {
                CpuTensor t = (CpuTensor) w.load(cpu, spec);
                assertThat(t.data().mismatch(w.get(spec.name()).data())).as(spec.name()).isEqualTo(-1);
            }
            List<LlamaWeightNames.TensorSpec> parts = LlamaWeightNames.required(c).stream()
                    .filter(s -> s.name().matches("model\\.layers\\.0\\.self_attn\\.[qkv]_proj\\.weight")).toList();
            Tensor qkv = w.loadRows(cpu, "model.layers.0.self_attn.qkv_proj.weight", parts);
            assertThat(qkv.shape()).containsExactly(c.qSize() + 2 * c.kvSize(), c.hiddenSize());
            assertThat(((CpuTensor) qkv).data().byteSize()).isEqualTo(qkv.numel() * 2);
            float[] norm = cpu.toHost(w.loadRows(cpu, "model.norm.weight", List.of(new LlamaWeightNames.TensorSpec(LlamaWeightNames.FINAL_NORM, c.hiddenSize()))));
            assertThat(norm).containsOnly(1f);
            assertThatThrownBy(() -> w.loadRows(cpu, "x", List.of(new LlamaWeightNames.TensorSpec("model.norm.weight", 3))))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining("config expects [3]");
        }
    }
}
