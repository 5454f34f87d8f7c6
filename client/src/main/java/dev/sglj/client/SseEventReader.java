package dev.sglj.client;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a Server-Sent Events stream one event at a time. An event's data is its {@code data:} lines joined
 * by newlines, dispatched at the blank line that ends it (or at the end of the stream); comments
 * ({@code :...}) and the {@code event}, {@code id} and {@code retry} fields are skipped.
 */
public final class SseEventReader implements Closeable {
    private final BufferedReader reader;

    public SseEventReader(InputStream in) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The next event's data, or null at the end of the stream. */
    public String next() throws IOException {
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    return data.toString();
                }
                continue;
            }
            if (!line.startsWith("data:")) {
                continue;
            }
            String value = line.substring(5);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (data == null) {
                data = new StringBuilder(value);
            } else {
                data.append('\n').append(value);
            }
        }
        return data == null ? null : data.toString();
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
