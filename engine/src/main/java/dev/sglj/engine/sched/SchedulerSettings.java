package dev.sglj.engine.sched;

/**
 * The scheduler's knobs, under SGLang's flag names.
 *
 * @param maxRunningRequests   {@code --max-running-requests}
 * @param maxPrefillTokens     {@code --max-prefill-tokens}: prompt tokens one prefill batch may take
 * @param chunkedPrefillSize   {@code --chunked-prefill-size}; -1 = no chunking
 * @param conservativeness     {@code --schedule-conservativeness}: scales the future-token reservation
 * @param enableMixedChunk     {@code --enable-mixed-chunk}: decode tokens ride with a prefill chunk
 * @param streamInterval       {@code --stream-interval}: publish outputs every this many tokens
 * @param decodeLogInterval    {@code --decode-log-interval}: log a decode line every this many steps
 * @param disableOverlapSchedule {@code --disable-overlap-schedule}: process each step's tokens before
 *                             building the next step, instead of while the device runs it
 */
public record SchedulerSettings(
        int maxRunningRequests,
        int maxPrefillTokens,
        int chunkedPrefillSize,
        SchedulePolicy policy,
        double conservativeness,
        boolean enableMixedChunk,
        int streamInterval,
        int decodeLogInterval,
        long randomSeed,
        boolean disableOverlapSchedule) {

    /** Settings with the overlap schedule on (SGLang's default). */
    public SchedulerSettings(int maxRunningRequests, int maxPrefillTokens, int chunkedPrefillSize,
                             SchedulePolicy policy, double conservativeness, boolean enableMixedChunk,
                             int streamInterval, int decodeLogInterval, long randomSeed) {
        this(maxRunningRequests, maxPrefillTokens, chunkedPrefillSize, policy, conservativeness, enableMixedChunk,
                streamInterval, decodeLogInterval, randomSeed, false);
    }

    /** The same settings with the overlap schedule off ({@code true}) or on. */
    public SchedulerSettings withDisableOverlapSchedule(boolean disable) {
        return new SchedulerSettings(maxRunningRequests, maxPrefillTokens, chunkedPrefillSize, policy,
                conservativeness, enableMixedChunk, streamInterval, decodeLogInterval, randomSeed, disable);
    }

    /** SGLang's cap on the future tokens reserved per request. */
    static final int CLIP_MAX_NEW_TOKENS = 4096;
    static final double INIT_NEW_TOKEN_RATIO = 0.7;
    static final double MIN_NEW_TOKEN_RATIO_FACTOR = 0.14;
    static final int NEW_TOKEN_RATIO_DECAY_STEPS = 600;
    static final int RETRACT_DECODE_STEPS = 20;

    double initNewTokenRatio() {
        return Math.min(INIT_NEW_TOKEN_RATIO * conservativeness, 1.0);
    }

    double minNewTokenRatio() {
        return Math.min(initNewTokenRatio() * MIN_NEW_TOKEN_RATIO_FACTOR, 1.0);
    }

    double newTokenRatioDecay() {
        return (initNewTokenRatio() - minNewTokenRatio()) / NEW_TOKEN_RATIO_DECAY_STEPS;
    }

    int chunkBudget() {
        return chunkedPrefillSize <= 0 ? Integer.MAX_VALUE : chunkedPrefillSize;
    }
}
