/**
 * Benchmark and evaluation tools that measure a running server over HTTP, as SGLang's
 * {@code bench_serving} and {@code benchmark/gsm8k} do: {@code sglj bench serving} ({@link
 * dev.sglj.bench.ServingBenchCommand}) and {@code sglj eval gsm8k} ({@link dev.sglj.bench.Gsm8kEvalCommand}).
 *
 * <p>Metric definitions follow SGLang's bench_serving: TTFT is the time from sending a request to the first
 * chunk that carries text; ITL is the gap between consecutive text chunks (for the native API, a chunk that
 * adds k tokens contributes k gaps of a k-th of its delay each); E2E latency ends at the last event received;
 * TPOT = (latency - TTFT) / (output tokens - 1) for requests with more than one output token; concurrency is
 * the sum of E2E latencies over the benchmark duration; percentiles interpolate linearly (numpy's default).
 * Token counts come from the server's reports ({@code meta_info}, {@code usage}) and are recounted with a
 * local {@code tokenizer.json} when one is given. The tools talk HTTP only and never import engine types.
 */
package dev.sglj.bench;
