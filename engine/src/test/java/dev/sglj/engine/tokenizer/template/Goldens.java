package dev.sglj.engine.tokenizer.template;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Reads the goldens that scripts/chat-templates/make_goldens.py wrote with Python Jinja2. */
final class Goldens {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Goldens() {
    }

    static String text(String resource) {
        try (InputStream in = Goldens.class.getResourceAsStream("/chat-templates/" + resource)) {
            if (in == null) throw new IllegalStateException("missing test resource chat-templates/" + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T json(String resource, TypeReference<T> type) {
        try {
            return JSON.readValue(text(resource), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Map<String, Object>> list(String resource) {
        return json(resource, new TypeReference<>() { });
    }

    static Map<String, Object> map(String resource) {
        return json(resource, new TypeReference<>() { });
    }

    /** The instant strftime_now reads in the goldens, as a clock in UTC. */
    static Clock fixedClock() {
        LocalDateTime now = LocalDateTime.parse((String) map("conversations.json").get("now"));
        return Clock.fixed(now.toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    }
}
