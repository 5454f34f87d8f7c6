/**
 * SGL-J's engine. {@link dev.sglj.engine.Engine} is the in-process API a JVM application embeds:
 * start it with {@link dev.sglj.engine.config.ServerArgs}, then generate from token ids with
 * {@link dev.sglj.engine.sampling.SamplingParams}. Subpackages hold one concern each (see
 * docs/architecture.md).
 */
package dev.sglj.engine;
