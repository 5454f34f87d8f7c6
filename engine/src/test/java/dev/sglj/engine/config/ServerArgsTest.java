package dev.sglj.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerArgsTest {
    private static final long GIB = 1L << 30;

    @Test
    void chunkedPrefillDefaultFollowsSglangsGpuMemoryTiers() {
        assertThat(ServerArgs.defaultChunkedPrefillSize(24 * GIB)).isEqualTo(2048);
        assertThat(ServerArgs.defaultChunkedPrefillSize(48 * GIB)).isEqualTo(4096);
        assertThat(ServerArgs.defaultChunkedPrefillSize(80 * GIB)).isEqualTo(8192);
        assertThat(ServerArgs.defaultChunkedPrefillSize(141 * GIB)).isEqualTo(8192);
        assertThat(ServerArgs.defaultChunkedPrefillSize(192 * GIB)).isEqualTo(16384);
    }

    @Test
    void float32IsAcceptedOnCudaAndFloat16Refused() {
        assertThat(ServerArgs.builder().device("cuda").dtype("float32").build().validate().dtype()).isEqualTo("float32");
        assertThat(ServerArgs.builder().device("cuda").dtype("bfloat16").build().validate().dtype()).isEqualTo("bfloat16");
        assertThatThrownBy(() -> ServerArgs.builder().device("cuda").dtype("float16").build().validate())
                .hasMessageContaining("--dtype float16 is not available on --device cuda");
        assertThatThrownBy(() -> ServerArgs.builder().device("cpu").dtype("bfloat16").build().validate())
                .hasMessageContaining("--dtype bfloat16 is not available on --device cpu");
    }

    @Test
    void chunkedPrefillSizeIsUnsetByDefaultAndValidatedWhenGiven() {
        assertThat(ServerArgs.defaults().chunkedPrefillSize()).isNull();
        assertThat(ServerArgs.builder().chunkedPrefillSize(-1).build().validate().chunkedPrefillSize()).isEqualTo(-1);
        assertThatThrownBy(() -> ServerArgs.builder().chunkedPrefillSize(0).build().validate())
                .hasMessageContaining("--chunked-prefill-size");
    }
}
