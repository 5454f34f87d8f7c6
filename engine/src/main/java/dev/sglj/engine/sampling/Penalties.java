package dev.sglj.engine.sampling;

import java.util.Arrays;
import java.util.Map;

/**
 * The changes a request makes to its logits before sampling, in SGLang's order: the additive penalties
 * (frequency and presence over output tokens, min_new_tokens masking EOS/stop ids with -inf), then the
 * repetition penalty over prompt and output tokens (HF: a positive logit is divided by it, a negative one
 * multiplied), then logit_bias. Merged per token into a {@link LogitChangeSet}, built with primitive arrays
 * and the counts' hash lookups: this runs every step for every penalised request.
 */
final class Penalties {
    private Penalties() {
    }

    static LogitChangeSet changes(RequestSampler state, int vocabSize) {
        SamplingParams params = state.params();
        TokenCounts output = state.outputCounts();
        TokenCounts seen = state.seenTokens();
        int[] stops = state.masksStopTokens() ? state.minNewTokensStopIds() : new int[0];
        Map<Integer, Float> logitBias = params.logitBias();
        int[] tokens = touchedTokens(output, seen, stops, logitBias, vocabSize);
        int n = tokens.length;
        float[] subtract = new float[n];
        boolean[] mask = new boolean[n];
        float[] repetition = new float[n];
        float[] bias = new float[n];
        float frequency = (float) params.frequencyPenalty();
        float presence = (float) params.presencePenalty();
        float penalty = (float) params.repetitionPenalty();
        for (int i = 0; i < n; i++) {
            int token = tokens[i];
            int count = output == null ? 0 : output.count(token);
            subtract[i] = count > 0 ? frequency * count + presence : 0f;
            mask[i] = Arrays.binarySearch(stops, token) >= 0;
            repetition[i] = seen != null && seen.count(token) > 0 ? penalty : 1f;
            Float b = logitBias.get(token);
            bias[i] = b == null ? 0f : b;
        }
        return new LogitChangeSet(tokens, subtract, mask, repetition, bias);
    }

    /** Every in-vocabulary token some change applies to, ascending, each once (logit_bias ids as given). */
    private static int[] touchedTokens(TokenCounts output, TokenCounts seen, int[] stops, Map<Integer, Float> logitBias,
                                       int vocabSize) {
        int[] all = new int[(output == null ? 0 : output.distinct()) + (seen == null ? 0 : seen.distinct())
                + stops.length + logitBias.size()];
        int n = 0;
        n = addInVocab(all, n, output, vocabSize);
        n = addInVocab(all, n, seen, vocabSize);
        for (int token : stops) {
            if (token >= 0 && token < vocabSize) all[n++] = token;
        }
        for (int token : logitBias.keySet()) all[n++] = token;
        Arrays.sort(all, 0, n);
        int unique = 0;
        for (int i = 0; i < n; i++) {
            if (unique == 0 || all[unique - 1] != all[i]) all[unique++] = all[i];
        }
        return Arrays.copyOf(all, unique);
    }

    private static int addInVocab(int[] into, int n, TokenCounts counts, int vocabSize) {
        if (counts == null) return n;
        for (int i = 0; i < counts.distinct(); i++) {
            int token = counts.tokenAt(i);
            if (token >= 0 && token < vocabSize) into[n++] = token;
        }
        return n;
    }
}
