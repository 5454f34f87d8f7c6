package dev.sglj.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Sampling fields an OpenAI request may carry, OpenAI's and SGLang's extra ones alike, so the server
 * maps both endpoints the same way. Null means not sent.
 */
public interface SglangSamplingFields {
    Double temperature();
    Double topP();
    Integer topK();
    Double minP();
    Double frequencyPenalty();
    Double presencePenalty();
    Double repetitionPenalty();
    Integer minTokens();
    JsonNode stop();
    List<Integer> stopTokenIds();
    Boolean ignoreEos();
    Boolean skipSpecialTokens();
    Boolean noStopTrim();
    Long seed();
    Integer n();
    Map<String, Float> logitBias();
    String regex();
    JsonNode jsonSchema();
    String ebnf();
}
