package dev.sglj.bench;

/**
 * What one streamed event or one whole reply says: its text (cumulative for the native API's stream,
 * a delta for the OpenAI APIs) and the token counts the server reported, -1 where it reported none.
 */
public record Chunk(String text, int completionTokens, int promptTokens) {
}
