package dev.sglj.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code stream_options}: {@code include_usage} adds a last chunk with the usage and no choices. */
public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {
    public boolean usage() {
        return Boolean.TRUE.equals(includeUsage);
    }
}
