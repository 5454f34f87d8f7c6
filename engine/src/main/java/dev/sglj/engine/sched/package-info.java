/**
 * The scheduler (SGLang's runtime): requests ({@link dev.sglj.engine.sched.Req}) wait in a queue
 * ordered by a {@link dev.sglj.engine.sched.SchedulePolicy}, are admitted into prefill batches by
 * token budgets ({@link dev.sglj.engine.sched.PrefillAdder}) on top of their cached prefix, decode
 * together, are retracted when the KV pool runs out, and publish outputs to their
 * {@link dev.sglj.engine.RequestStream}. One thread owns all of it; other threads only enqueue
 * commands. KV contract: see {@link dev.sglj.engine.cache}; the scheduler checks
 * free + owned + cached == pool size on demand ({@code checkKvAccounting}), also while a step is in flight.
 *
 * <p>The overlap schedule (SGLang's, on unless {@code --disable-overlap-schedule}): step N+1 is built and
 * launched before step N's tokens are processed, and they are processed while the device runs N+1. Contract:
 * at most one step is in flight ({@link dev.sglj.engine.sched.InFlightStep} keeps its books); a request with a token of that step {@code pending} enters N+1 by future id
 * ({@code -(i + 1)}, row {@code i} of N's draw, resolved by the runner), unless the token surely ends it; a
 * request found finished (or aborted) when N is processed has its N+1 token dropped and the slot N+1 took
 * freed at once; a request retracted with a token in flight gets it appended in the queue; a waiting request
 * never has a token in flight when it is admitted. Which draws run ahead is the runner's call
 * ({@code StepLogits.sampleAsync}); the scheduler's logic is the same on every backend.
 */
package dev.sglj.engine.sched;
