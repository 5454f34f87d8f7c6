package dev.sglj.engine.sampling;

import dev.sglj.engine.model.GenerationConfig;

import java.util.List;
import java.util.Map;

/**
 * Resolved sampling parameters of one request, with SGLang's names, defaults and validation.
 *
 * <p>Build from a request with {@link #builder()}: fields left unset on the builder take the
 * model's {@code generation_config.json} values ({@link Builder#withDefaults}) and then SGLang's
 * defaults ({@link Builder#build}). {@code topK == -1} means the whole vocabulary;
 * {@code temperature < 1e-6} means greedy; {@code samplingSeed == null} means a random seed;
 * {@code logprobStartLen == -1} means logprobs of output tokens only.
 */
public record SamplingParams(
        int maxNewTokens,
        int minNewTokens,
        List<String> stop,
        List<Integer> stopTokenIds,
        double temperature,
        double topP,
        int topK,
        double minP,
        double frequencyPenalty,
        double presencePenalty,
        double repetitionPenalty,
        boolean ignoreEos,
        int n,
        Map<Integer, Float> logitBias,
        Long samplingSeed,
        boolean skipSpecialTokens,
        boolean spacesBetweenSpecialTokens,
        boolean noStopTrim,
        boolean returnLogprob,
        int topLogprobsNum,
        int logprobStartLen) {

    /** Below this temperature sampling is greedy (SGLang's {@code _SAMPLING_EPS}). */
    public static final double GREEDY_TEMPERATURE = 1e-6;
    /** {@code top_k} value meaning "no top-k cut". */
    public static final int TOP_K_ALL = -1;

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
        stopTokenIds = stopTokenIds == null ? List.of() : List.copyOf(stopTokenIds);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
    }

    /** SGLang's defaults, with no model defaults applied. */
    public static SamplingParams defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder with every field of this record set explicitly. */
    public Builder toBuilder() {
        return new Builder()
                .maxNewTokens(maxNewTokens).minNewTokens(minNewTokens).stop(stop).stopTokenIds(stopTokenIds)
                .temperature(temperature).topP(topP).topK(topK).minP(minP)
                .frequencyPenalty(frequencyPenalty).presencePenalty(presencePenalty)
                .repetitionPenalty(repetitionPenalty).ignoreEos(ignoreEos).n(n).logitBias(logitBias)
                .samplingSeed(samplingSeed).skipSpecialTokens(skipSpecialTokens)
                .spacesBetweenSpecialTokens(spacesBetweenSpecialTokens).noStopTrim(noStopTrim)
                .returnLogprob(returnLogprob).topLogprobsNum(topLogprobsNum).logprobStartLen(logprobStartLen);
    }

    /** True when the next token is the argmax: temperature below {@link #GREEDY_TEMPERATURE} or top_k 1. */
    public boolean isGreedy() {
        return temperature < GREEDY_TEMPERATURE || topK == 1;
    }

    /** The number of candidates top-k keeps out of {@code vocabSize}. */
    public int effectiveTopK(int vocabSize) {
        return topK == TOP_K_ALL ? vocabSize : Math.min(topK, vocabSize);
    }

    /**
     * Checks every range SGLang checks; the message names the parameter, its allowed range and the value.
     *
     * @throws IllegalArgumentException on the first parameter out of range
     */
    public SamplingParams validate(int vocabSize) {
        if (!(Double.isFinite(temperature) && temperature >= 0)) {
            throw invalid("temperature must be a non-negative finite number", temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw invalid("top_p must be in (0, 1]", topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw invalid("min_p must be in [0, 1]", minP);
        }
        if (topK != TOP_K_ALL && topK < 1) {
            throw invalid("top_k must be -1 (disable) or at least 1", topK);
        }
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
            throw invalid("frequency_penalty must be in [-2, 2]", frequencyPenalty);
        }
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) {
            throw invalid("presence_penalty must be in [-2, 2]", presencePenalty);
        }
        if (!(repetitionPenalty > 0 && repetitionPenalty <= 2)) {
            throw invalid("repetition_penalty must be in (0, 2] (1.0 = no penalty)", repetitionPenalty);
        }
        if (maxNewTokens < 0) {
            throw invalid("max_new_tokens must be at least 0", maxNewTokens);
        }
        if (minNewTokens < 0 || minNewTokens > maxNewTokens) {
            throw invalid("min_new_tokens must be in [0, max_new_tokens(" + maxNewTokens + ")]", minNewTokens);
        }
        if (n < 1) {
            throw invalid("n must be at least 1", n);
        }
        if (topLogprobsNum < 0) {
            throw invalid("top_logprobs_num must be at least 0", topLogprobsNum);
        }
        if (logprobStartLen < -1) {
            throw invalid("logprob_start_len must be -1 (output only) or at least 0", logprobStartLen);
        }
        for (var bias : logitBias.entrySet()) {
            int token = bias.getKey();
            if (token < 0 || token >= vocabSize) {
                throw invalid("logit_bias must have keys in [0, " + (vocabSize - 1) + "]", token);
            }
            if (!Float.isFinite(bias.getValue())) {
                throw invalid("logit_bias[" + token + "] must be a finite number", bias.getValue());
            }
        }
        return this;
    }

    private static IllegalArgumentException invalid(String rule, Object value) {
        return new IllegalArgumentException(rule + ", got " + value + ".");
    }

    /**
     * A request's sampling parameters as sent: a null field was not set. {@link #withDefaults} fills
     * unset fields from the model's generation config; {@link #build} fills the rest with SGLang's defaults.
     */
    public static final class Builder {
        private Integer maxNewTokens;
        private Integer minNewTokens;
        private List<String> stop;
        private List<Integer> stopTokenIds;
        private Double temperature;
        private Double topP;
        private Integer topK;
        private Double minP;
        private Double frequencyPenalty;
        private Double presencePenalty;
        private Double repetitionPenalty;
        private Boolean ignoreEos;
        private Integer n;
        private Map<Integer, Float> logitBias;
        private Long samplingSeed;
        private Boolean skipSpecialTokens;
        private Boolean spacesBetweenSpecialTokens;
        private Boolean noStopTrim;
        private Boolean returnLogprob;
        private Integer topLogprobsNum;
        private Integer logprobStartLen;

        private Builder() {
        }

        public Builder maxNewTokens(Integer v) { maxNewTokens = v; return this; }
        public Builder minNewTokens(Integer v) { minNewTokens = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder stopTokenIds(List<Integer> v) { stopTokenIds = v; return this; }
        public Builder temperature(Double v) { temperature = v; return this; }
        public Builder topP(Double v) { topP = v; return this; }
        public Builder topK(Integer v) { topK = v; return this; }
        public Builder minP(Double v) { minP = v; return this; }
        public Builder frequencyPenalty(Double v) { frequencyPenalty = v; return this; }
        public Builder presencePenalty(Double v) { presencePenalty = v; return this; }
        public Builder repetitionPenalty(Double v) { repetitionPenalty = v; return this; }
        public Builder ignoreEos(Boolean v) { ignoreEos = v; return this; }
        public Builder n(Integer v) { n = v; return this; }
        public Builder logitBias(Map<Integer, Float> v) { logitBias = v; return this; }
        public Builder samplingSeed(Long v) { samplingSeed = v; return this; }
        public Builder skipSpecialTokens(Boolean v) { skipSpecialTokens = v; return this; }
        public Builder spacesBetweenSpecialTokens(Boolean v) { spacesBetweenSpecialTokens = v; return this; }
        public Builder noStopTrim(Boolean v) { noStopTrim = v; return this; }
        public Builder returnLogprob(Boolean v) { returnLogprob = v; return this; }
        public Builder topLogprobsNum(Integer v) { topLogprobsNum = v; return this; }
        public Builder logprobStartLen(Integer v) { logprobStartLen = v; return this; }

        /**
         * Fills the fields this request left unset from the model's generation config. Like SGLang's
         * {@code --sampling-defaults model}, only temperature, top_p, top_k, min_p and repetition_penalty
         * are taken from it. A generation-config {@code top_k} of 0 (transformers: no top-k) becomes -1.
         */
        public Builder withDefaults(GenerationConfig config) {
            if (config == null) {
                return this;
            }
            if (temperature == null) temperature = config.temperature();
            if (topP == null) topP = config.topP();
            if (topK == null && config.topK() != null) topK = config.topK() == 0 ? TOP_K_ALL : config.topK();
            if (minP == null) minP = config.minP();
            if (repetitionPenalty == null) repetitionPenalty = config.repetitionPenalty();
            return this;
        }

        /** Resolves unset fields to SGLang's defaults; call {@link SamplingParams#validate} afterwards. */
        public SamplingParams build() {
            return new SamplingParams(
                    or(maxNewTokens, 128), or(minNewTokens, 0), stop, stopTokenIds,
                    or(temperature, 1.0), or(topP, 1.0), or(topK, TOP_K_ALL), or(minP, 0.0),
                    or(frequencyPenalty, 0.0), or(presencePenalty, 0.0), or(repetitionPenalty, 1.0),
                    or(ignoreEos, false), or(n, 1), logitBias, samplingSeed,
                    or(skipSpecialTokens, true), or(spacesBetweenSpecialTokens, true), or(noStopTrim, false),
                    or(returnLogprob, false), or(topLogprobsNum, 0), or(logprobStartLen, -1));
        }

        private static <T> T or(T value, T fallback) {
            return value != null ? value : fallback;
        }
    }
}
