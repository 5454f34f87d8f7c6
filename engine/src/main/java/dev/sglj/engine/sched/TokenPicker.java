package dev.sglj.engine.sched;

import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.sampling.Logprobs;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;
import dev.sglj.engine.sampling.Sampler;

/** Samples next tokens and reads prompt logprobs out of a step's host logits. */
final class TokenPicker {
    private final Sampler sampler;
    private final int vocab;

    TokenPicker(int vocab) {
        this.sampler = new Sampler(vocab);
        this.vocab = vocab;
    }

    TokenLogprob pick(float[] logits, int row, RequestSampler state) {
        return asLogprob(sampler.sampleRow(logits, row, state));
    }

    TokenLogprob logprobOf(float[] logits, int row, int token, int topN) {
        return asLogprob(Logprobs.of(logits, row * vocab, vocab, token, topN));
    }

    private static TokenLogprob asLogprob(SampledToken t) {
        return new TokenLogprob(t.tokenId(), t.hasLogprob() ? t.logprob() : null, t.top());
    }
}
