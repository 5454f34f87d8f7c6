package dev.sglj.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.api.NativeSamplingParams;
import dev.sglj.api.SglangSamplingFields;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Maps the sampling fields of the native and OpenAI requests onto the engine's {@link SamplingParams.Builder}. */
final class SamplingMapper {
    private SamplingMapper() {
    }

    static SamplingParams.Builder fromNative(NativeSamplingParams p) {
        SamplingParams.Builder b = SamplingParams.builder();
        if (p == null) return b;
        rejectConstraints(p.regex(), p.jsonSchema(), p.ebnf());
        return b.maxNewTokens(p.maxNewTokens()).minNewTokens(p.minNewTokens()).stop(stopList(p.stop()))
                .stopTokenIds(p.stopTokenIds()).temperature(p.temperature()).topP(p.topP()).topK(p.topK())
                .minP(p.minP()).frequencyPenalty(p.frequencyPenalty()).presencePenalty(p.presencePenalty())
                .repetitionPenalty(p.repetitionPenalty()).ignoreEos(p.ignoreEos()).n(p.n())
                .logitBias(logitBias(p.logitBias())).samplingSeed(p.samplingSeed())
                .skipSpecialTokens(p.skipSpecialTokens()).spacesBetweenSpecialTokens(p.spacesBetweenSpecialTokens())
                .noStopTrim(p.noStopTrim());
    }

    /** OpenAI's names plus SGLang's extra fields; {@code max_tokens} is resolved by the caller. */
    static SamplingParams.Builder fromOpenAi(SglangSamplingFields f) {
        rejectConstraints(f.regex(), f.jsonSchema() == null || f.jsonSchema().isNull() ? null : f.jsonSchema().toString(),
                f.ebnf());
        return SamplingParams.builder().temperature(f.temperature()).topP(f.topP()).topK(f.topK()).minP(f.minP())
                .frequencyPenalty(f.frequencyPenalty()).presencePenalty(f.presencePenalty())
                .repetitionPenalty(f.repetitionPenalty()).minNewTokens(f.minTokens()).stop(stopList(f.stop()))
                .stopTokenIds(f.stopTokenIds()).ignoreEos(f.ignoreEos()).skipSpecialTokens(f.skipSpecialTokens())
                .noStopTrim(f.noStopTrim()).samplingSeed(f.seed()).n(f.n()).logitBias(logitBias(f.logitBias()));
    }

    private static void rejectConstraints(String regex, String jsonSchema, String ebnf) {
        String field = regex != null ? "regex" : jsonSchema != null ? "json_schema" : ebnf != null ? "ebnf" : null;
        if (field != null) {
            throw ApiException.badParam(field, field + " (constrained decoding) is not supported by this server yet");
        }
    }

    static List<String> stopList(JsonNode stop) {
        if (stop == null || stop.isNull()) return null;
        if (stop.isTextual()) return List.of(stop.asText());
        if (stop.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode s : stop) {
                if (!s.isTextual()) throw ApiException.badParam("stop", "stop must be a string or a list of strings");
                out.add(s.asText());
            }
            return out;
        }
        throw ApiException.badParam("stop", "stop must be a string or a list of strings");
    }

    private static Map<Integer, Float> logitBias(Map<String, Float> bias) {
        if (bias == null) return null;
        Map<Integer, Float> out = new HashMap<>();
        for (var e : bias.entrySet()) {
            try {
                out.put(Integer.parseInt(e.getKey().trim()), e.getValue());
            } catch (NumberFormatException ex) {
                throw ApiException.badParam("logit_bias", "logit_bias keys must be token ids, got '" + e.getKey() + "'");
            }
        }
        return out;
    }
}
