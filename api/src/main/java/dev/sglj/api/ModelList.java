package dev.sglj.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /v1/models}. */
public record ModelList(String object, List<ModelCard> data) {

    public record ModelCard(String id, String object, long created,
                            @JsonProperty("owned_by") String ownedBy, String root,
                            @JsonProperty("max_model_len") int maxModelLen) {}

    public static ModelList of(ModelCard card) {
        return new ModelList("list", List.of(card));
    }
}
