/**
 * SGL-J's HTTP server ({@code sglj serve}): the OpenAI-compatible and SGLang-native routes on Helidon SE
 * (every handler on a virtual thread), SSE streaming, API-key auth, OpenAI error JSON, Prometheus metrics,
 * and the text layer around the engine (tokenize, chat template, incremental detokenize, stop strings).
 *
 * <p>Contract: a request is validated, rendered and tokenized on its own thread before it reaches the
 * engine, so every bad input is a 4xx with {@code {"error": {...}}} and nothing is queued. Once submitted,
 * a request's streams are always drained to their final output: a client that goes away mid-stream has its
 * request aborted, so its KV slots return to the pool. Stop strings are trimmed (unless {@code no_stop_trim})
 * and never reach a stream, even in part.
 */
package dev.sglj.server;
