/**
 * The prefix cache (RadixAttention): KV slots of token sequences that earlier requests computed, kept
 * after they finish and shared by later requests that start the same way. {@link
 * dev.sglj.engine.cache.RadixCache} is the radix tree; {@link dev.sglj.engine.cache.NoPrefixCache}
 * keeps nothing ({@code --disable-radix-cache}). Both free slots only into the
 * {@link dev.sglj.engine.kv.SlotAllocator} they were built over.
 *
 * <h2>Ownership contract</h2>
 * Every slot of the pool is, at any time, exactly one of: free in the allocator, owned by one running
 * request, or held by the cache. With {@code n} the number of KV slots a request has and {@code h}
 * the handle it holds locked, the request owns {@code slots[h.length(), n)} and the cache holds
 * {@code slots[0, h.length())}, so
 * <pre>
 *   allocator.available() + sum over requests (n - h.length()) + cache.totalSize() == pool size
 * </pre>
 * after every call below, as long as the scheduler follows these steps:
 * <ol>
 *   <li>Admit: {@code m = matchPrefix(tokens, len)} with {@code len} what may be reused (the scheduler
 *       asks for all but the last prompt token, so at least one is computed), then {@code lock(m.handle())}
 *       before anything can allocate or evict. The request's first {@code m.length()} slots are
 *       {@code m.slots()} and it owns none of them.</li>
 *   <li>Grow: {@code allocate(k)} (evicting unlocked cached tokens if the allocator is short) for new
 *       tokens; the request owns what it gets.</li>
 *   <li>After a prefill chunk: {@code r = cacheUnfinishedRequest(tokens, slots, h)} with the tokens whose
 *       KV is computed and their slots; duplicates of tokens already cached are freed, the request's
 *       first slots become {@code r.slots()} and its handle {@code r.handle()} (already locked).</li>
 *   <li>Finish: {@code cacheFinishedRequest(tokens, slots, h)} with the tokens whose KV is computed (not
 *       the last sampled token); the cache takes what it did not have, the rest is freed, {@code h} is
 *       unlocked. Abort or retraction: {@code releaseRequest(slots, h)} frees what the request owned
 *       and unlocks {@code h}. Slots beyond the computed tokens are the caller's to free.</li>
 * </ol>
 * Locked paths are never evicted or flushed. A handle from a match that was not locked may be evicted
 * by the next allocation; locking it then throws. {@link dev.sglj.engine.cache.RadixCache#verify()}
 * checks the tree's own bookkeeping as a debug assertion.
 */
package dev.sglj.engine.cache;
