/**
 * KV cache memory: the per-layer {@link dev.sglj.engine.kv.KvPool} of token slots, the
 * {@link dev.sglj.engine.kv.SlotAllocator} free list, and the request-to-token table. Every slot is at
 * any time free, owned by a running request, or held by the prefix cache; this package only hands
 * slots out and takes them back, it does not decide who owns them.
 */
package dev.sglj.engine.kv;
