/**
 * Wire types of SGL-J's HTTP APIs as Jackson-annotated records: the OpenAI-compatible API
 * ({@code /v1/completions}, {@code /v1/chat/completions}, {@code /v1/models}) and SGLang's native API
 * ({@code /generate}, {@code /abort_request}). Field names are the snake_case names clients send.
 * Fields that accept several JSON shapes (a prompt that is a string, a list of strings or token ids;
 * {@code stop} as a string or a list) are kept as {@link com.fasterxml.jackson.databind.JsonNode}
 * and interpreted by the server. No engine types appear here.
 */
package dev.sglj.api;
