package dev.sglj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.client.LlmHttpClient;
import java.io.IOException;

/** The model name to send when {@code --model} is not given: the first one the server's /v1/models lists. */
final class ServerModel {
    private ServerModel() {
    }

    /** Required for the OpenAI APIs; for the native API, which needs none, null when the server lists none. */
    static String resolve(LlmHttpClient client, Backend backend) {
        boolean optional = backend.shape() instanceof ApiShape.Native;
        try {
            JsonNode models = client.getJson("/v1/models");
            String id = models.path("data").path(0).path("id").asText(null);
            if (id != null || optional) {
                return id;
            }
            throw new IllegalArgumentException(client.baseUrl() + "/v1/models lists no model; give --model");
        } catch (IOException e) {
            if (optional) {
                return null;
            }
            throw new IllegalArgumentException("cannot read the model from " + client.baseUrl()
                    + "/v1/models (give --model, or check --host/--port/--base-url): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading /v1/models", e);
        }
    }
}
