package dev.sglj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** TTFT/ITL/latency from chunks at exact (fake) arrival times, through each API shape's parser. */
class StreamMeterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MS = 1_000_000L;
    private static final long T0 = 5_000 * MS;

    private static void chunk(StreamMeter meter, ApiShape shape, String json, long atMs) throws Exception {
        meter.onChunk(shape.parseEvent(JSON.readTree(json)), T0 + atMs * MS);
    }

    @Test
    void nativeCumulativeTextSplitsAChunkGapOverItsNewTokens() throws Exception {
        ApiShape shape = new ApiShape.Native();
        StreamMeter meter = new StreamMeter(shape, T0, 16);
        chunk(meter, shape, "{\"text\":\"a\",\"meta_info\":{\"completion_tokens\":1,\"prompt_tokens\":9}}", 100);
        chunk(meter, shape, "{\"text\":\"abc\",\"meta_info\":{\"completion_tokens\":3}}", 130);
        chunk(meter, shape, "{\"text\":\"abc\",\"meta_info\":{\"completion_tokens\":3}}", 140);
        chunk(meter, shape, "{\"text\":\"abcd\",\"meta_info\":{\"completion_tokens\":4}}", 150);
        meter.onEvent(T0 + 160 * MS);
        RequestOutcome o = meter.outcome(5, 0);
        assertThat(o.ttft()).isCloseTo(0.100, within(1e-9));
        assertThat(o.itl()).hasSize(3);
        assertThat(o.itl().get(0)).isCloseTo(0.015, within(1e-9));
        assertThat(o.itl().get(1)).isCloseTo(0.015, within(1e-9));
        assertThat(o.itl().get(2)).isCloseTo(0.020, within(1e-9));
        assertThat(o.latency()).isCloseTo(0.160, within(1e-9));
        assertThat(o.generatedText()).isEqualTo("abcd");
        assertThat(o.outputLen()).isEqualTo(4);
        assertThat(o.serverPromptTokens()).isEqualTo(9);
    }

    @Test
    void completionsStreamWithFinalUsageChunk() throws Exception {
        ApiShape shape = new ApiShape.Completions();
        StreamMeter meter = new StreamMeter(shape, T0, 16);
        chunk(meter, shape, "{\"choices\":[{\"index\":0,\"text\":\"Hel\"}]}", 100);
        chunk(meter, shape, "{\"choices\":[{\"index\":0,\"text\":\"\"}]}", 105);
        chunk(meter, shape, "{\"choices\":[{\"index\":0,\"text\":\"lo\"}]}", 110);
        chunk(meter, shape, "{\"choices\":[{\"index\":0,\"text\":\"!\"}]}", 125);
        chunk(meter, shape, "{\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}", 126);
        meter.onEvent(T0 + 127 * MS);
        RequestOutcome o = meter.outcome(1, 0);
        assertThat(o.ttft()).isCloseTo(0.100, within(1e-9));
        assertThat(o.itl()).containsExactly(0.010, 0.015);
        assertThat(o.latency()).isCloseTo(0.127, within(1e-9));
        assertThat(o.generatedText()).isEqualTo("Hello!");
        assertThat(o.outputLen()).isEqualTo(3);
        assertThat(o.serverPromptTokens()).isEqualTo(7);
    }

    @Test
    void chatStreamReadsDeltaContentAndKeepsRequestedLengthWithoutUsage() throws Exception {
        ApiShape shape = new ApiShape.Chat();
        StreamMeter meter = new StreamMeter(shape, T0, 16);
        chunk(meter, shape, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}", 40);
        chunk(meter, shape, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}", 50);
        chunk(meter, shape, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"}}]}", 80);
        RequestOutcome o = meter.outcome(1, 0);
        assertThat(o.ttft()).isCloseTo(0.050, within(1e-9));
        assertThat(o.itl()).hasSize(1);
        assertThat(o.itl().getFirst()).isCloseTo(0.030, within(1e-9));
        assertThat(o.generatedText()).isEqualTo("Hi there");
        assertThat(o.outputLen()).isEqualTo(16);
    }

    @Test
    void nonStreamedReplyIsItsOwnFirstToken() throws Exception {
        for (ApiShape shape : new ApiShape[] {new ApiShape.Native(), new ApiShape.Completions(), new ApiShape.Chat()}) {
            String body = switch (shape) {
                case ApiShape.Native n -> "{\"text\":\"x y\",\"meta_info\":{\"completion_tokens\":2}}";
                case ApiShape.Completions c -> "{\"choices\":[{\"text\":\"x y\"}],\"usage\":{\"completion_tokens\":2}}";
                case ApiShape.Chat c -> "{\"choices\":[{\"message\":{\"content\":\"x y\"}}],"
                        + "\"usage\":{\"completion_tokens\":2}}";
            };
            StreamMeter meter = new StreamMeter(shape, T0, 16);
            meter.onReply(shape.parseReply(JSON.readTree(body)), T0 + 300 * MS);
            RequestOutcome o = meter.outcome(1, 0);
            assertThat(o.ttft()).as(shape.toString()).isCloseTo(0.3, within(1e-9));
            assertThat(o.latency()).isCloseTo(0.3, within(1e-9));
            assertThat(o.itl()).isEmpty();
            assertThat(o.generatedText()).isEqualTo("x y");
            assertThat(o.outputLen()).isEqualTo(2);
        }
    }
}
