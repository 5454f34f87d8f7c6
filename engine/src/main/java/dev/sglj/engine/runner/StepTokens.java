package dev.sglj.engine.runner;

import dev.sglj.engine.compute.cuda.TokenBuffer;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;
import java.util.List;

/**
 * The tokens one step drew ({@link StepLogits#sampleAsync}), one per sampled row in order: already on the
 * host, or still being computed on the device. A later step may name them as its input ids before they
 * are known ({@link ModelRunner#run(dev.sglj.engine.model.ForwardBatch, StepTokens)}): on the host they
 * are substituted there, on the device by a kernel reading the buffer the sampler wrote. Owned by the
 * scheduler thread; {@link #await} at most once per launch that is still on the device.
 */
public final class StepTokens {
    private static final StepTokens NONE = new StepTokens(new SampledToken[0], null, null);

    private SampledToken[] done;
    private final TokenBuffer device;
    private final RequestSampler[] states;

    private StepTokens(SampledToken[] done, TokenBuffer device, RequestSampler[] states) {
        this.done = done;
        this.device = device;
        this.states = states;
    }

    /** Tokens drawn and recorded in their states already. */
    static StepTokens done(SampledToken[] tokens) {
        return tokens.length == 0 ? NONE : new StepTokens(tokens, null, null);
    }

    /** Tokens a device launch is writing to {@code buffer}; each state already advanced its draw. */
    static StepTokens pending(TokenBuffer buffer, RequestSampler[] states) {
        return new StepTokens(null, buffer, states);
    }

    /** Nothing drawn. */
    public static StepTokens none() {
        return NONE;
    }

    /** Whether the tokens are on the host (so {@link #await} does not wait). */
    public boolean isDone() {
        return done != null;
    }

    /**
     * The tokens, waiting for the device if need be (only for this step's launch, not for work queued
     * after it), each counted in its request's sampler state when it arrives.
     */
    public SampledToken[] await() {
        if (done == null) {
            int[] ids = device.await();
            SampledToken[] out = new SampledToken[ids.length];
            for (int i = 0; i < ids.length; i++) {
                states[i].countToken(ids[i]);
                out[i] = new SampledToken(ids[i], Float.NaN, List.of());
            }
            done = out;
        }
        return done;
    }

    /** The ids on the host, or null while they are still on the device. */
    int[] hostIds() {
        if (done == null) return null;
        int[] ids = new int[done.length];
        for (int i = 0; i < ids.length; i++) ids[i] = done[i].tokenId();
        return ids;
    }

    /** The device buffer the ids are written to, or null when they were drawn on the host. */
    TokenBuffer deviceBuffer() {
        return device;
    }
}
