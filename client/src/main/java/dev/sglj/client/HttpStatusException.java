package dev.sglj.client;

/** The server answered with a status other than 200. */
public final class HttpStatusException extends java.io.IOException {
    private final int status;

    public HttpStatusException(String url, int status, String body) {
        super("HTTP " + status + " from " + url + (body.isBlank() ? "" : ": " + abbreviate(body)));
        this.status = status;
    }

    public int status() {
        return status;
    }

    private static String abbreviate(String body) {
        String oneLine = body.strip().replace('\n', ' ');
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }
}
