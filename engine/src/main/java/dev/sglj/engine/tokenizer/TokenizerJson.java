package dev.sglj.engine.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The parts of tokenizer.json decoding needs, read with a streaming parser that skips the merges (a full
 * tree of a 150k-merge file costs seconds): model type, model vocabulary, added tokens, decoder.
 */
record TokenizerJson(String modelType, Map<String, Integer> vocab, JsonNode addedTokens, JsonNode decoder) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static TokenizerJson parse(byte[] bytes, String name) {
        try (JsonParser p = JSON.createParser(bytes)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, name, "not a JSON object");
            String modelType = null;
            Map<String, Integer> vocab = null;
            JsonNode added = MissingNode.getInstance();
            JsonNode decoder = MissingNode.getInstance();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "added_tokens" -> added = p.readValueAsTree();
                    case "decoder" -> decoder = p.readValueAsTree();
                    case "model" -> {
                        expect(p.currentToken() == JsonToken.START_OBJECT, name, "model is not an object");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String modelField = p.currentName();
                            p.nextToken();
                            switch (modelField) {
                                case "type" -> modelType = p.getText();
                                case "vocab" -> vocab = readVocab(p, name);
                                default -> p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            expect(vocab != null, name, "model.vocab is missing");
            return new TokenizerJson(modelType == null ? "" : modelType, vocab, added, decoder);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** A map token -> id (BPE, WordPiece, WordLevel) or a list of [piece, score] whose index is the id (Unigram). */
    private static Map<String, Integer> readVocab(JsonParser p, String name) throws IOException {
        Map<String, Integer> vocab = new HashMap<>(1 << 18);
        if (p.currentToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String token = p.currentName();
                p.nextToken();
                vocab.put(token, p.getIntValue());
            }
        } else if (p.currentToken() == JsonToken.START_ARRAY) {
            int id = 0;
            while (p.nextToken() == JsonToken.START_ARRAY) {
                p.nextToken();
                vocab.put(p.getText(), id++);
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    p.skipChildren();
                }
            }
        } else {
            throw new IllegalArgumentException(name + ": model.vocab is neither an object nor an array");
        }
        return vocab;
    }

    private static void expect(boolean ok, String name, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": " + problem);
        }
    }
}
