package dev.sglj.api;

/** OpenAI's {@code finish_reason} ("stop", "length", "abort") with SGLang's {@code matched_stop} (a token id or a string). */
public record FinishInfo(String reason, Object matchedStop) {}
