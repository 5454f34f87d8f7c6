package dev.sglj.engine.sampling;

import java.util.Map;
import java.util.TreeMap;

/**
 * The changes a request makes to its logits before sampling, in SGLang's order: the additive penalties
 * (frequency and presence over output tokens, min_new_tokens masking EOS/stop ids with -inf), then the
 * repetition penalty over prompt and output tokens (HF: a positive logit is divided by it, a negative one
 * multiplied), then logit_bias. Merged per token into a {@link LogitChangeSet}.
 */
final class Penalties {
    private Penalties() {
    }

    static LogitChangeSet changes(RequestSampler state, int vocabSize) {
        Map<Integer, Change> byToken = new TreeMap<>();
        SamplingParams params = state.params();
        TokenCounts output = state.outputCounts();
        if (output != null) {
            float frequency = (float) params.frequencyPenalty();
            float presence = (float) params.presencePenalty();
            for (int i = 0; i < output.distinct(); i++) {
                int token = output.tokenAt(i);
                if (token >= 0 && token < vocabSize) {
                    change(byToken, token).subtract = frequency * output.countAt(i) + presence;
                }
            }
        }
        if (state.masksStopTokens()) {
            for (int token : state.minNewTokensStopIds()) {
                if (token >= 0 && token < vocabSize) change(byToken, token).mask = true;
            }
        }
        TokenCounts seen = state.seenTokens();
        if (seen != null) {
            float penalty = (float) params.repetitionPenalty();
            for (int i = 0; i < seen.distinct(); i++) {
                int token = seen.tokenAt(i);
                if (token >= 0 && token < vocabSize) change(byToken, token).repetition = penalty;
            }
        }
        for (Map.Entry<Integer, Float> bias : params.logitBias().entrySet()) {
            change(byToken, bias.getKey()).bias += bias.getValue();
        }
        return merged(byToken);
    }

    private static Change change(Map<Integer, Change> byToken, int token) {
        return byToken.computeIfAbsent(token, t -> new Change());
    }

    private static LogitChangeSet merged(Map<Integer, Change> byToken) {
        int n = byToken.size();
        int[] tokens = new int[n];
        float[] subtract = new float[n];
        boolean[] mask = new boolean[n];
        float[] repetition = new float[n];
        float[] bias = new float[n];
        int i = 0;
        for (Map.Entry<Integer, Change> e : byToken.entrySet()) {
            Change c = e.getValue();
            tokens[i] = e.getKey();
            subtract[i] = c.subtract;
            mask[i] = c.mask;
            repetition[i] = c.repetition;
            bias[i] = c.bias;
            i++;
        }
        return new LogitChangeSet(tokens, subtract, mask, repetition, bias);
    }

    private static final class Change {
        float subtract;
        boolean mask;
        float repetition = 1f;
        float bias;
    }
}
