package dev.sglj.engine.sampling;

import java.util.Map;

/**
 * Changes one row of logits before sampling, in SGLang's order: the additive penalties (frequency and
 * presence over output tokens, min_new_tokens masking EOS/stop ids with -inf), then the repetition
 * penalty over prompt and output tokens (HF: a positive logit is divided by it, a negative one
 * multiplied), then logit_bias.
 */
final class Penalties {
    private Penalties() {
    }

    static void apply(RequestSampler state, float[] logits, int offset, int vocabSize) {
        SamplingParams params = state.params();
        TokenCounts output = state.outputCounts();
        if (output != null) {
            float frequency = (float) params.frequencyPenalty();
            float presence = (float) params.presencePenalty();
            for (int i = 0; i < output.distinct(); i++) {
                int token = output.tokenAt(i);
                if (token >= 0 && token < vocabSize) {
                    logits[offset + token] -= frequency * output.countAt(i) + presence;
                }
            }
        }
        if (state.masksStopTokens()) {
            for (int token : state.minNewTokensStopIds()) {
                if (token >= 0 && token < vocabSize) {
                    logits[offset + token] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        TokenCounts seen = state.seenTokens();
        if (seen != null) {
            float penalty = (float) params.repetitionPenalty();
            for (int i = 0; i < seen.distinct(); i++) {
                int token = seen.tokenAt(i);
                if (token >= 0 && token < vocabSize) {
                    float logit = logits[offset + token];
                    logits[offset + token] = logit < 0 ? logit * penalty : logit / penalty;
                }
            }
        }
        for (Map.Entry<Integer, Float> bias : params.logitBias().entrySet()) {
            logits[offset + bias.getKey()] += bias.getValue();
        }
    }
}
