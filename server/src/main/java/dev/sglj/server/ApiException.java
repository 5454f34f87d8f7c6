package dev.sglj.server;

import dev.sglj.api.ErrorResponse;

/** A request failure with its HTTP status and OpenAI error fields; the message is one line for the client. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "invalid_request_error", null, null, message);
    }

    public static ApiException badParam(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found_error", null, null, message);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large", message);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, "service_unavailable", null, null, message);
    }

    public int status() {
        return status;
    }

    public ErrorResponse body() {
        return ErrorResponse.of(getMessage(), type, param, code != null ? code : status);
    }
}
