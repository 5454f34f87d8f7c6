package dev.sglj.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.model.ModelConfigs;
import org.junit.jupiter.api.Test;

/** The GPU KV pool is sized after the weights as the device stores them: BF16, or F32 with --dtype float32. */
class EngineSizingTest {
    @Test
    void weightBytesFollowTheDeviceDtype() {
        ModelConfig llama = ModelConfigs.parse(ModelFixtures.load("llama").configJson());
        // 256 x 64 tied embedding, 2 layers of (2 norms of 64, q 64x64, k and v 32x64, o 64x64, gate, up, down
        // 128x64), final norm 64: 90432 parameters.
        assertThat(Engine.deviceWeightBytes(llama, DType.BF16)).isEqualTo(90_432L * 2);
        assertThat(Engine.deviceWeightBytes(llama, DType.F32)).isEqualTo(90_432L * 4);
    }
}
