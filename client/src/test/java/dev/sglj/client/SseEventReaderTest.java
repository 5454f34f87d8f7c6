package dev.sglj.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseEventReaderTest {
    @Test
    void joinsDataLinesAndSkipsCommentsAndOtherFields() throws Exception {
        String stream = "data: a\n\n: keep-alive\n\nevent: message\nid: 3\ndata: {\"b\":1}\ndata:more\n\r\n"
                + "retry: 10\r\ndata: [DONE]\r\n\r\ndata: tail";
        try (SseEventReader reader = new SseEventReader(
                new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)))) {
            assertThat(reader.next()).isEqualTo("a");
            assertThat(reader.next()).isEqualTo("{\"b\":1}\nmore");
            assertThat(reader.next()).isEqualTo("[DONE]");
            assertThat(reader.next()).isEqualTo("tail");
            assertThat(reader.next()).isNull();
        }
    }
}
