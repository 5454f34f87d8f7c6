package dev.sglj.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One text generation to send, independent of the API shape.
 *
 * @param ignoreEos null to leave the field out of the request
 * @param model null to leave it out (the native API needs none)
 * @param extraBody fields merged into the top level of the request body, overriding ours
 */
public record GenerationRequest(String prompt, int maxTokens, boolean stream, Boolean ignoreEos,
                                List<String> stop, String model, ObjectNode extraBody) {
    public GenerationRequest {
        stop = List.copyOf(stop);
    }
}
