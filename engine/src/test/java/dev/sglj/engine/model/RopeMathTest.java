package dev.sglj.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RopeMath against scripts/rope/rope_reference.py (transformers' formulas in float64 numpy). */
class RopeMathTest {
    private static final double REL_TOL = 1e-12;

    static Stream<Arguments> referenceCases() throws IOException {
        try (InputStream in = RopeMathTest.class.getResourceAsStream("/rope/rope_reference.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Arguments> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                String seq = c.get("seq_len").isNull() ? "init" : c.get("seq_len").asText();
                out.add(Arguments.of(c.get("config").asText() + " seq_len=" + seq, c));
            }
            return out.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("referenceCases")
    void matchesTransformersFormulas(String label, JsonNode c) {
        ModelConfig config = ModelConfigs.parse(ModelConfigsTest.resource(c.get("config").asText()));
        assertThat(config.headDim()).isEqualTo(c.get("head_dim").asInt());
        assertThat(typeName(config.rope())).isEqualTo(c.get("rope_type").asText());
        long seqLen = c.get("seq_len").isNull() ? config.maxPositionEmbeddings() : c.get("seq_len").asLong();

        double[] actual = config.rope().invFreq(config.headDim(), seqLen);
        JsonNode expected = c.get("inv_freq");
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < actual.length; i++) {
            double e = expected.get(i).asDouble();
            assertThat(Math.abs(actual[i] - e)).as("%s inv_freq[%d]: %s vs %s", label, i, actual[i], e)
                    .isLessThanOrEqualTo(REL_TOL * Math.abs(e));
        }
        double af = c.get("attention_factor").asDouble();
        assertThat(Math.abs(config.rope().attentionFactor() - af)).as(label + " attention_factor")
                .isLessThanOrEqualTo(REL_TOL * af);
    }

    private static String typeName(RopeScaling r) {
        return switch (r) {
            case RopeScaling.Default d -> "default";
            case RopeScaling.Linear l -> "linear";
            case RopeScaling.Dynamic d -> "dynamic";
            case RopeScaling.Llama3 l -> "llama3";
            case RopeScaling.Yarn y -> "yarn";
        };
    }

    @Test
    void dynamicOnlyGrowsPastMaxPositions() {
        RopeScaling.Dynamic d = new RopeScaling.Dynamic(10000, 2, 100);
        assertThat(d.invFreq(64, 50)).containsExactly(RopeMath.baseInvFreq(10000, 64));
        assertThat(d.invFreq(64, 100)).containsExactly(RopeMath.baseInvFreq(10000, 64));
        assertThat(d.invFreq(64, 200)[1]).isLessThan(RopeMath.baseInvFreq(10000, 64)[1]);
    }

    @Test
    void yarnAttentionFactorRules() {
        RopeScaling.Yarn plain = new RopeScaling.Yarn(1e4, 4, 4096, 32, 1, 0, 0, null, true);
        assertThat(plain.attentionFactor()).isEqualTo(0.1 * Math.log(4) + 1);
        RopeScaling.Yarn noScale = new RopeScaling.Yarn(1e4, 1, 4096, 32, 1, 0, 0, null, true);
        assertThat(noScale.attentionFactor()).isEqualTo(1.0);
        RopeScaling.Yarn explicit = new RopeScaling.Yarn(1e4, 4, 4096, 32, 1, 1, 1, 0.5, true);
        assertThat(explicit.attentionFactor()).isEqualTo(0.5);
        RopeScaling.Yarn equalMscales = new RopeScaling.Yarn(1e4, 40, 4096, 32, 1, 1, 1, null, true);
        assertThat(equalMscales.attentionFactor()).isEqualTo(1.0);
    }

    @Test
    void oddDimensionIsRejected() {
        assertThatThrownBy(() -> RopeMath.baseInvFreq(10000, 63)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("63");
    }
}
