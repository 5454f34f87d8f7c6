/**
 * A small HTTP client for LLM servers (SGL-J, SGLang, vLLM, OpenAI-compatible), over
 * {@code java.net.http}: JSON requests and replies, and Server-Sent Event streams read event by event
 * so that callers can time each event's arrival. It knows nothing of the engine: it speaks HTTP only.
 */
package dev.sglj.client;
