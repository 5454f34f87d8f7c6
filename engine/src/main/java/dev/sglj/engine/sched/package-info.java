/**
 * The scheduler (SGLang's runtime): requests ({@link dev.sglj.engine.sched.Req}) wait in a queue
 * ordered by a {@link dev.sglj.engine.sched.SchedulePolicy}, are admitted into prefill batches by
 * token budgets ({@link dev.sglj.engine.sched.PrefillAdder}) on top of their cached prefix, decode
 * together, are retracted when the KV pool runs out, and publish outputs to their
 * {@link dev.sglj.engine.RequestStream}. One thread owns all of it; other threads only enqueue
 * commands. KV contract: see {@link dev.sglj.engine.cache}; the scheduler checks
 * free + owned + cached == pool size on demand ({@code checkKvAccounting}).
 */
package dev.sglj.engine.sched;
