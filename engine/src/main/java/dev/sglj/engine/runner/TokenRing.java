package dev.sglj.engine.runner;

import dev.sglj.engine.compute.cuda.CudaBackend;
import dev.sglj.engine.compute.cuda.TokenBuffer;

/**
 * The two {@link TokenBuffer}s asynchronous draws alternate between: step N's ids stay in one while
 * step N+1 (which may read them as future input ids) draws into the other; step N+2 reuses N's buffer,
 * which the scheduler has awaited by then.
 */
final class TokenRing implements AutoCloseable {
    private final TokenBuffer[] buffers;
    private int next;
    private long launches;

    TokenRing(CudaBackend gpu, int capacity) {
        TokenBuffer first = gpu.tokenBuffer(capacity);
        try {
            buffers = new TokenBuffer[] {first, gpu.tokenBuffer(capacity)};
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
    }

    TokenBuffer next() {
        launches++;
        TokenBuffer b = buffers[next];
        next ^= 1;
        return b;
    }

    /** Buffers handed out so far: the draws that ran without waiting. */
    long launches() {
        return launches;
    }

    @Override
    public void close() {
        for (TokenBuffer b : buffers) b.close();
    }
}
