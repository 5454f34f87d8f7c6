package dev.sglj.engine;

/** A request's output as text (stop string trimmed unless no_stop_trim) with the token-level result. */
public record TextResult(String text, GenerateResult result) {}
