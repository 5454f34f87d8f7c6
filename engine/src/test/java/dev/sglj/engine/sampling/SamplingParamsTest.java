package dev.sglj.engine.sampling;

import dev.sglj.engine.model.GenerationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplingParamsTest {

    @Test
    void defaultsAreSglangs() {
        SamplingParams p = SamplingParams.defaults();
        assertThat(p.maxNewTokens()).isEqualTo(128);
        assertThat(p.minNewTokens()).isZero();
        assertThat(p.stop()).isEmpty();
        assertThat(p.stopTokenIds()).isEmpty();
        assertThat(p.temperature()).isEqualTo(1.0);
        assertThat(p.topP()).isEqualTo(1.0);
        assertThat(p.topK()).isEqualTo(-1);
        assertThat(p.minP()).isZero();
        assertThat(p.frequencyPenalty()).isZero();
        assertThat(p.presencePenalty()).isZero();
        assertThat(p.repetitionPenalty()).isEqualTo(1.0);
        assertThat(p.ignoreEos()).isFalse();
        assertThat(p.n()).isEqualTo(1);
        assertThat(p.logitBias()).isEmpty();
        assertThat(p.samplingSeed()).isNull();
        assertThat(p.skipSpecialTokens()).isTrue();
        assertThat(p.spacesBetweenSpecialTokens()).isTrue();
        assertThat(p.noStopTrim()).isFalse();
        assertThat(p.returnLogprob()).isFalse();
        assertThat(p.topLogprobsNum()).isZero();
        assertThat(p.logprobStartLen()).isEqualTo(-1);
        assertThat(p.isGreedy()).isFalse();
        p.validate(10);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad(b -> b.temperature(-0.1), "temperature must be a non-negative finite number, got -0.1."),
                bad(b -> b.temperature(Double.POSITIVE_INFINITY), "temperature must be a non-negative finite number"),
                bad(b -> b.topP(0.0), "top_p must be in (0, 1], got 0.0."),
                bad(b -> b.topP(1.01), "top_p must be in (0, 1], got 1.01."),
                bad(b -> b.topP(Double.NaN), "top_p must be in (0, 1], got NaN."),
                bad(b -> b.topK(0), "top_k must be -1 (disable) or at least 1, got 0."),
                bad(b -> b.topK(-2), "top_k must be -1 (disable) or at least 1, got -2."),
                bad(b -> b.minP(-0.01), "min_p must be in [0, 1], got -0.01."),
                bad(b -> b.minP(1.5), "min_p must be in [0, 1], got 1.5."),
                bad(b -> b.frequencyPenalty(2.5), "frequency_penalty must be in [-2, 2], got 2.5."),
                bad(b -> b.frequencyPenalty(-2.01), "frequency_penalty must be in [-2, 2], got -2.01."),
                bad(b -> b.presencePenalty(-3.0), "presence_penalty must be in [-2, 2], got -3.0."),
                bad(b -> b.repetitionPenalty(0.0), "repetition_penalty must be in (0, 2] (1.0 = no penalty), got 0.0."),
                bad(b -> b.repetitionPenalty(2.1), "repetition_penalty must be in (0, 2] (1.0 = no penalty), got 2.1."),
                bad(b -> b.maxNewTokens(-1).minNewTokens(-5), "max_new_tokens must be at least 0, got -1."),
                bad(b -> b.minNewTokens(-1), "min_new_tokens must be in [0, max_new_tokens(128)], got -1."),
                bad(b -> b.maxNewTokens(4).minNewTokens(5), "min_new_tokens must be in [0, max_new_tokens(4)], got 5."),
                bad(b -> b.n(0), "n must be at least 1, got 0."),
                bad(b -> b.topLogprobsNum(-1), "top_logprobs_num must be at least 0, got -1."),
                bad(b -> b.logprobStartLen(-2), "logprob_start_len must be -1 (output only) or at least 0, got -2."),
                bad(b -> b.logitBias(Map.of(100, 1f)), "logit_bias must have keys in [0, 99], got 100."),
                bad(b -> b.logitBias(Map.of(-1, 1f)), "logit_bias must have keys in [0, 99], got -1."),
                bad(b -> b.logitBias(Map.of(3, Float.NaN)), "logit_bias[3] must be a finite number, got NaN."));
    }

    private static Arguments bad(UnaryOperator<SamplingParams.Builder> change, String message) {
        return Arguments.of(change, message);
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void validationNamesParameterAndRange(UnaryOperator<SamplingParams.Builder> change, String message) {
        SamplingParams p = change.apply(SamplingParams.builder()).build();
        assertThatThrownBy(() -> p.validate(100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void boundaryValuesAreAccepted() {
        SamplingParams.builder().temperature(0.0).topP(1.0).topK(1).minP(1.0).frequencyPenalty(-2.0)
                .presencePenalty(2.0).repetitionPenalty(2.0).maxNewTokens(0).minNewTokens(0).topLogprobsNum(0)
                .logprobStartLen(0).logitBias(Map.of(0, -100f, 99, 100f)).build().validate(100);
        SamplingParams.builder().topP(1e-9).topK(-1).minP(0.0).build().validate(100);
    }

    @Test
    void greedyBelowEpsilonOrTopKOne() {
        assertThat(SamplingParams.builder().temperature(0.0).build().isGreedy()).isTrue();
        assertThat(SamplingParams.builder().temperature(9e-7).build().isGreedy()).isTrue();
        assertThat(SamplingParams.builder().temperature(1e-6).build().isGreedy()).isFalse();
        assertThat(SamplingParams.builder().topK(1).build().isGreedy()).isTrue();
        assertThat(SamplingParams.builder().topK(-1).build().effectiveTopK(50)).isEqualTo(50);
        assertThat(SamplingParams.builder().topK(80).build().effectiveTopK(50)).isEqualTo(50);
        assertThat(SamplingParams.builder().topK(20).build().effectiveTopK(50)).isEqualTo(20);
    }

    @Test
    void generationConfigFillsOnlyUnsetFields() {
        var config = new GenerationConfig(0.6, 0.95, 20, 0.05, 1.1, 4096, new int[] {2}, 1);
        SamplingParams fromModel = SamplingParams.builder().withDefaults(config).build();
        assertThat(fromModel.temperature()).isEqualTo(0.6);
        assertThat(fromModel.topP()).isEqualTo(0.95);
        assertThat(fromModel.topK()).isEqualTo(20);
        assertThat(fromModel.minP()).isEqualTo(0.05);
        assertThat(fromModel.repetitionPenalty()).isEqualTo(1.1);
        assertThat(fromModel.maxNewTokens()).as("SGLang takes only the five sampling knobs").isEqualTo(128);

        SamplingParams explicit = SamplingParams.builder()
                .temperature(1.0).topK(-1).repetitionPenalty(1.0).withDefaults(config).build();
        assertThat(explicit.temperature()).as("explicit default value wins").isEqualTo(1.0);
        assertThat(explicit.topK()).isEqualTo(-1);
        assertThat(explicit.repetitionPenalty()).isEqualTo(1.0);
        assertThat(explicit.topP()).isEqualTo(0.95);
        assertThat(explicit.minP()).isEqualTo(0.05);
    }

    @Test
    void absentGenerationConfigValuesLeaveSglangDefaults() {
        var partial = new GenerationConfig(0.7, null, 0, null, null, null, null, null);
        SamplingParams p = SamplingParams.builder().withDefaults(partial).build();
        assertThat(p.temperature()).isEqualTo(0.7);
        assertThat(p.topP()).isEqualTo(1.0);
        assertThat(p.topK()).as("transformers top_k 0 means no cut").isEqualTo(-1);
        assertThat(p.minP()).isZero();
        assertThat(p.repetitionPenalty()).isEqualTo(1.0);
        assertThat(SamplingParams.builder().withDefaults(GenerationConfig.empty()).build())
                .isEqualTo(SamplingParams.defaults());
        assertThat(SamplingParams.builder().withDefaults(null).build()).isEqualTo(SamplingParams.defaults());
    }

    @Test
    void collectionsAreCopiedAndToBuilderRoundTrips() {
        var stop = new java.util.ArrayList<>(List.of("</s>"));
        SamplingParams p = SamplingParams.builder().stop(stop).stopTokenIds(List.of(7, 9))
                .logitBias(Map.of(1, 2f)).samplingSeed(42L).temperature(0.5).build();
        stop.add("x");
        assertThat(p.stop()).containsExactly("</s>");
        assertThat(p.toBuilder().build()).isEqualTo(p);
        assertThat(p.toBuilder().withDefaults(new GenerationConfig(0.1, 0.1, 3, 0.1, 1.5, null, null, null)).build())
                .as("toBuilder marks every field as set").isEqualTo(p);
    }
}
