package dev.sglj.engine.compute.cuda;

/**
 * Sparse changes to the logits before sampling (penalties, min_new_tokens masking, logit_bias). Entry
 * {@code j} changes token {@code tokens[j]} of sampled row {@code entries[j]} (an index into the
 * {@link SamplingBatch} arrays): {@code x = mask[j] ? -inf : x - subtract[j]}; then, when
 * {@code repetition[j] != 1}, {@code x = x < 0 ? x * repetition[j] : x / repetition[j]}; then
 * {@code x += bias[j]}. That is {@code Penalties.apply} for one token: subtract = frequency * count +
 * presence (in float), mask while min_new_tokens holds stop ids back, the repetition penalty of a seen
 * token, its logit_bias. At most one entry per (row, token).
 */
public record LogitChanges(int[] entries, int[] tokens, float[] subtract, boolean[] mask, float[] repetition,
                           float[] bias) {
    public static final LogitChanges NONE =
            new LogitChanges(new int[0], new int[0], new float[0], new boolean[0], new float[0], new float[0]);

    public LogitChanges {
        int n = entries.length;
        if (tokens.length != n || subtract.length != n || mask.length != n || repetition.length != n
                || bias.length != n) {
            throw new IllegalArgumentException("logit changes: entries, tokens, subtract, mask, repetition and bias"
                    + " must have equal lengths, got " + n + ", " + tokens.length + ", " + subtract.length + ", "
                    + mask.length + ", " + repetition.length + ", " + bias.length);
        }
    }

    public int size() {
        return entries.length;
    }
}
