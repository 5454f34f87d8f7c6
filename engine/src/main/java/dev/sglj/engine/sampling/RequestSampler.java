package dev.sglj.engine.sampling;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * The sampling state of one running request: its parameters, the tokens seen so far (for the penalties),
 * how many tokens it has generated (for min_new_tokens) and its random stream.
 *
 * <p>The random draw of output step {@code i} is a pure function of (seed, i), so a request with a
 * {@code sampling_seed} samples the same tokens from the same logits whatever else is in the batch, and
 * after being retracted and recomputed. Not thread-safe: one scheduler thread owns it.
 */
public final class RequestSampler {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final SamplingParams params;
    private final long seed;
    private final TokenCounts seenTokens;
    private final TokenCounts outputCounts;
    private final int[] minNewTokensStopIds;
    private int outputLength;

    /**
     * @param params      validated parameters
     * @param promptTokens the prompt's token ids (the repetition penalty covers prompt and output)
     * @param eosTokenIds the model's EOS ids, masked together with {@code stop_token_ids} until
     *                    {@code min_new_tokens} tokens were generated
     */
    public RequestSampler(SamplingParams params, int[] promptTokens, int[] eosTokenIds) {
        this(params, promptTokens, eosTokenIds, ThreadLocalRandom.current().nextLong());
    }

    /**
     * As {@link #RequestSampler(SamplingParams, int[], int[])}, with the seed used when the request has no
     * {@code sampling_seed} (e.g. drawn from a generator seeded by {@code --random-seed}).
     */
    public RequestSampler(SamplingParams params, int[] promptTokens, int[] eosTokenIds, long seedIfUnset) {
        this.params = params;
        this.seed = params.samplingSeed() != null ? params.samplingSeed() : seedIfUnset;
        this.seenTokens = params.repetitionPenalty() != 1.0 ? new TokenCounts() : null;
        this.outputCounts = params.frequencyPenalty() != 0 || params.presencePenalty() != 0 ? new TokenCounts() : null;
        this.minNewTokensStopIds = IntStream.concat(
                        params.stopTokenIds().stream().mapToInt(Integer::intValue),
                        Arrays.stream(eosTokenIds == null ? new int[0] : eosTokenIds))
                .distinct().sorted().toArray();
        if (seenTokens != null) {
            for (int token : promptTokens) {
                seenTokens.add(token);
            }
        }
    }

    public SamplingParams params() {
        return params;
    }

    /** The seed of this request's random stream: {@code sampling_seed}, or one drawn at random. */
    public long seed() {
        return seed;
    }

    /** Number of output tokens accepted so far. */
    public int outputLength() {
        return outputLength;
    }

    /**
     * Records a generated token. {@link Sampler} calls this for every token it samples; call it directly
     * only for tokens that did not come from {@link Sampler} (e.g. accepted draft tokens). Equivalent to
     * {@link #advanceDraw()} then {@link #countToken}.
     */
    public void accept(int tokenId) {
        advanceDraw();
        countToken(tokenId);
    }

    /**
     * Moves to the next output step without knowing its token yet: a device sampler launched this step's
     * draw and the token comes back later ({@link #countToken}). The next {@link #uniform()} and the
     * min_new_tokens masking then see one more output token, as after {@link #accept}.
     */
    public void advanceDraw() {
        outputLength++;
    }

    /**
     * Counts a token whose draw {@link #advanceDraw} already recorded, for the penalties. Counts commute,
     * so tokens may arrive late, as long as no draw that {@link #dependsOnTokens depends on them} ran
     * in between.
     */
    public void countToken(int tokenId) {
        if (seenTokens != null) {
            seenTokens.add(tokenId);
        }
        if (outputCounts != null) {
            outputCounts.add(tokenId);
        }
    }

    /**
     * True when this request's logit changes depend on the values of its earlier tokens (frequency,
     * presence or repetition penalty): its next draw needs every earlier token counted. min_new_tokens
     * masking and logit_bias depend only on how many tokens were drawn.
     */
    public boolean dependsOnTokens() {
        return seenTokens != null || outputCounts != null;
    }

    /** True when this request's logits must be changed before sampling (penalties, bias, min tokens). */
    public boolean changesLogits() {
        return seenTokens != null || outputCounts != null || !params.logitBias().isEmpty() || masksStopTokens();
    }

    /** This step's changes to the logits row (empty when {@link #changesLogits} is false). */
    public LogitChangeSet logitChanges(int vocabSize) {
        return Penalties.changes(this, vocabSize);
    }

    boolean masksStopTokens() {
        return outputLength < params.minNewTokens() && minNewTokensStopIds.length > 0;
    }

    int[] minNewTokensStopIds() {
        return minNewTokensStopIds;
    }

    TokenCounts seenTokens() {
        return seenTokens;
    }

    TokenCounts outputCounts() {
        return outputCounts;
    }

    /** The uniform draw in [0, 1) of the current output step (SplitMix64 at index outputLength). */
    public double uniform() {
        long z = seed + (outputLength + 1L) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
