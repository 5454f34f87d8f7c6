package dev.sglj.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;

/** JSON in and out of Helidon requests, with the server's error mapping. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final System.Logger LOG = System.getLogger(Http.class.getName());

    private Http() {
    }

    /** A route body that may throw; {@link #route} maps its failures to OpenAI error JSON. */
    @FunctionalInterface
    interface Body {
        void handle(ServerRequest req, ServerResponse res) throws Exception;
    }

    static io.helidon.webserver.http.Handler route(Body body) {
        return (req, res) -> {
            try {
                body.handle(req, res);
            } catch (ApiException e) {
                error(res, e);
            } catch (IllegalArgumentException e) {
                error(res, ApiException.badRequest(e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error(res, ApiException.unavailable("interrupted"));
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "request " + req.path().path() + " failed", e);
                error(res, new ApiException(500, "internal_server_error", null, null,
                        e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        };
    }

    static void error(ServerResponse res, ApiException e) {
        if (res.isSent()) return;
        if (e.status() == 503) res.header(HeaderNames.RETRY_AFTER, String.valueOf(EngineGateway.RETRY_AFTER_SECONDS));
        send(res, e.status(), e.body());
    }

    static void send(ServerResponse res, int status, Object body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(bytes(body));
    }

    static byte[] bytes(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String string(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The request body, at most {@code limit} bytes.
     *
     * @throws ApiException 413 over the limit
     */
    static byte[] body(ServerRequest req, long limit) {
        var declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > limit) {
            throw ApiException.tooLarge("request body of " + declared.getAsLong() + " bytes is over the limit of "
                    + limit + " bytes");
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (data.length > limit) {
                throw ApiException.tooLarge("request body is over the limit of " + limit + " bytes");
            }
            return data;
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    /** Parses a JSON body into {@code type}; malformed JSON and wrong field types are 400s naming the field. */
    static <T> T parse(byte[] body, Class<T> type) {
        if (body.length == 0) throw ApiException.badRequest("the request body is empty; expected a JSON object");
        try {
            JsonNode tree = JSON.readTree(body);
            if (tree == null || !tree.isObject()) throw ApiException.badRequest("the request body must be a JSON object");
            return JSON.treeToValue(tree, type);
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw ApiException.badParam(field.isEmpty() ? null : field, "invalid type for '" + field + "': "
                    + firstLine(e.getOriginalMessage()));
        } catch (JsonMappingException e) {
            String field = path(e);
            throw ApiException.badParam(field.isEmpty() ? null : field, "invalid value for '" + field + "': "
                    + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    static <T> T convert(JsonNode node, Class<T> type, String field) {
        try {
            return JSON.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            String inner = e instanceof JsonMappingException m ? path(m) : "";
            String name = inner.isEmpty() ? field : field + "." + inner;
            throw ApiException.badParam(name, "invalid value for '" + name + "': " + firstLine(e.getOriginalMessage()));
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
