package dev.sglj.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /abort_request}: abort the request named {@code rid}, or every request with {@code abort_all}. */
public record AbortRequest(String rid, @JsonProperty("abort_all") Boolean abortAll) {}
