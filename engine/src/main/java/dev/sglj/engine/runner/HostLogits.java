package dev.sglj.engine.runner;

import dev.sglj.engine.sampling.Logprobs;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;
import dev.sglj.engine.sampling.Sampler;

/** Logits in host memory (the CPU backend's), sampled by {@link Sampler}. */
record HostLogits(float[] logits, Sampler sampler) implements StepLogits {

    @Override
    public SampledToken[] sample(int[] rows, RequestSampler[] states) {
        SampledToken[] out = new SampledToken[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = sampler.sampleRow(logits, rows[i], states[i]);
        return out;
    }

    /** Host logits are sampled at once: the tokens are done. */
    @Override
    public StepTokens sampleAsync(int[] rows, RequestSampler[] states) {
        return StepTokens.done(sample(rows, states));
    }

    @Override
    public SampledToken[] logprobs(int[] rows, int[] tokens, int topN) {
        int vocab = sampler.vocabSize();
        SampledToken[] out = new SampledToken[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = Logprobs.of(logits, rows[i] * vocab, vocab, tokens[i], topN);
        return out;
    }

    @Override
    public float[] toHost() {
        return logits;
    }

    @Override
    public void close() {
    }
}
