package dev.sglj.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * JSON over HTTP/1.1 to one server. Thread-safe; meant to be shared by many (virtual) threads.
 * An API key, when given, is sent as {@code Authorization: Bearer <key>}.
 */
public final class LlmHttpClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofHours(6);

    private final URI baseUrl;
    private final String apiKey;
    private final HttpClient http;

    public LlmHttpClient(URI baseUrl, String apiKey) {
        String text = baseUrl.toString();
        this.baseUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpRequest request = builder(path).GET().build();
        return JSON.readTree(bodyOf(request));
    }

    public JsonNode postJson(String path, JsonNode body) throws IOException, InterruptedException {
        return JSON.readTree(bodyOf(post(path, body)));
    }

    /** Posts with no body (control endpoints such as {@code /flush_cache}); fails on a status other than 200. */
    public void postEmpty(String path) throws IOException, InterruptedException {
        bodyOf(builder(path).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** Posts a JSON body and returns the reply's event stream; the caller closes it. */
    public SseEventReader postForEvents(String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest request = post(path, body);
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String text;
            try (InputStream in = response.body()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            throw new HttpStatusException(request.uri().toString(), response.statusCode(), text);
        }
        return new SseEventReader(response.body());
    }

    private String bodyOf(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new HttpStatusException(request.uri().toString(), response.statusCode(), response.body());
        }
        return response.body();
    }

    private HttpRequest post(String path, JsonNode body) throws IOException {
        return builder(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT);
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }
}
