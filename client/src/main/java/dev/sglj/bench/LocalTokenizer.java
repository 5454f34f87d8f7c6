package dev.sglj.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Hugging Face {@code tokenizer.json} loaded from a local directory (or the file itself) through DJL, for
 * counting tokens and turning token ids into prompt text. Never downloads anything.
 */
public final class LocalTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final int vocabSize;
    private final int[] allIds;

    private LocalTokenizer(HuggingFaceTokenizer tokenizer, int vocabSize, int[] allIds) {
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.allIds = allIds;
    }

    public static LocalTokenizer load(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--tokenizer: no tokenizer.json at " + file);
        }
        try {
            JsonNode json = new ObjectMapper().readTree(file.toFile());
            JsonNode vocab = json.path("model").path("vocab");
            TreeSet<Integer> ids = new TreeSet<>();
            int size;
            if (vocab.isObject()) {
                size = vocab.size();
                vocab.properties().forEach(e -> ids.add(e.getValue().asInt()));
            } else if (vocab.isArray()) {
                size = vocab.size();
                for (int i = 0; i < size; i++) {
                    ids.add(i);
                }
            } else {
                throw new IllegalArgumentException("--tokenizer: " + file + " has no model.vocab");
            }
            json.path("added_tokens").forEach(t -> ids.add(t.path("id").asInt()));
            Map<String, String> options = Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true");
            HuggingFaceTokenizer tokenizer;
            try (var in = Files.newInputStream(file)) {
                tokenizer = HuggingFaceTokenizer.newInstance(in, options);
            }
            return new LocalTokenizer(tokenizer, size, ids.stream().mapToInt(Integer::intValue).toArray());
        } catch (IOException e) {
            throw new IllegalArgumentException("--tokenizer: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Token count of {@code text}, with the tokenizer's special tokens (BOS...) when {@code addSpecial}. */
    public int count(String text, boolean addSpecial) {
        return encode(text, addSpecial).length;
    }

    public long[] encode(String text, boolean addSpecial) {
        return tokenizer.encode(text, addSpecial, false).getIds();
    }

    public String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    /** The base vocabulary's size, without added tokens (Hugging Face's {@code vocab_size}). */
    public int vocabSize() {
        return vocabSize;
    }

    /** Every id of the vocabulary, added tokens included (the values of Hugging Face's {@code get_vocab()}). */
    public int[] allIds() {
        return allIds.clone();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
