package dev.sglj.engine.sampling;

/**
 * The changes one request makes to its row of logits before sampling, merged per token (token ids
 * ascending, each once): {@code x = mask ? -inf : x - subtract; if (repetition != 1) x = x < 0 ? x *
 * repetition : x / repetition; x += bias}. This is SGLang's order (frequency and presence penalties,
 * min_new_tokens masking, repetition penalty, logit_bias) applied token by token, so a backend can apply
 * it to any token independently of the others.
 */
public record LogitChangeSet(int[] tokens, float[] subtract, boolean[] mask, float[] repetition, float[] bias) {

    public int size() {
        return tokens.length;
    }

    /** Entry {@code i} applied to a logit. */
    public float apply(int i, float x) {
        float changed = mask[i] ? Float.NEGATIVE_INFINITY : x - subtract[i];
        float penalty = repetition[i];
        if (penalty != 1f) changed = changed < 0 ? changed * penalty : changed / penalty;
        return changed + bias[i];
    }

    /** Applies every entry to {@code logits[offset + token]}. */
    public void applyTo(float[] logits, int offset) {
        for (int i = 0; i < tokens.length; i++) {
            logits[offset + tokens[i]] = apply(i, logits[offset + tokens[i]]);
        }
    }
}
