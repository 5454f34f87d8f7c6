package dev.sglj.api;

/** OpenAI's error body: {@code {"error": {"message", "type", "param", "code"}}}. */
public record ErrorResponse(Error error) {
    public record Error(String message, String type, String param, Object code) {}

    public static ErrorResponse of(String message, String type, String param, Object code) {
        return new ErrorResponse(new Error(message, type, param, code));
    }
}
