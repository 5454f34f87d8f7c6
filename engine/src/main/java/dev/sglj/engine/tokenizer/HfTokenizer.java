package dev.sglj.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sglj.engine.tokenizer.decode.DecoderPipeline;
import dev.sglj.engine.tokenizer.decode.IncrementalDetokenizer;
import dev.sglj.engine.tokenizer.decode.TokenDecoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** A Hugging Face tokenizer: DJL (Rust tokenizers) encodes, {@link DecoderPipeline} decodes. */
public final class HfTokenizer implements Tokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DjlEncoder encoder;
    private final DecoderPipeline decoder;
    private final Map<String, Integer> addedTokenIds;
    private final Map<String, Integer> modelTokenIds;
    private final int vocabSize;
    private final Set<Integer> specialIds;
    private final int[] eosTokenIds;
    private final String bosToken;
    private final String eosToken;
    private final String chatTemplate;

    private HfTokenizer(TokenizerFiles files) {
        String source = files.source();
        // The Rust library parses tokenizer.json on another thread while Java reads what decoding needs.
        var nativeEncoder = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> new DjlEncoder(files.tokenizerJson(), source));
        try {
            TokenizerJson tokenizer = TokenizerJson.parse(files.tokenizerJson(), source + "/tokenizer.json");
            JsonNode config = files.tokenizerConfigJson() == null
                    ? JSON.createObjectNode() : readJson(files.tokenizerConfigJson(), source + "/tokenizer_config.json");
            JsonNode generation = files.generationConfigJson() == null
                    ? JSON.createObjectNode() : readJson(files.generationConfigJson(), source + "/generation_config.json");

            modelTokenIds = tokenizer.vocab();
            addedTokenIds = new HashMap<>();
            BitSet special = new BitSet();
            int maxId = modelTokenIds.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
            for (JsonNode added : tokenizer.addedTokens()) {
                int id = added.path("id").asInt(-1);
                if (id < 0) {
                    throw new IllegalArgumentException(source + "/tokenizer.json: added token without an id: " + added);
                }
                addedTokenIds.put(added.path("content").asText(), id);
                if (added.path("special").asBoolean(false)) {
                    special.set(id);
                }
                maxId = Math.max(maxId, id);
            }
            vocabSize = maxId + 1;
            String[] idToToken = new String[vocabSize];
            modelTokenIds.forEach((token, id) -> idToToken[id] = token);
            addedTokenIds.forEach((token, id) -> idToToken[id] = token);
            specialIds = Set.copyOf(special.stream().boxed().toList());

            JsonNode decoderNode = tokenizer.decoder();
            TokenDecoder chain;
            try {
                chain = decoderNode.isObject() ? TokenDecoder.parse(decoderNode) : null;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
            }
            // transformers 5 ignores clean_up_tokenization_spaces for BPE models (it would strip spaces before punctuation).
            boolean cleanUp = config.path("clean_up_tokenization_spaces").asBoolean(false)
                    && !"BPE".equals(tokenizer.modelType());
            decoder = new DecoderPipeline(idToToken, special, chain, cleanUp);

            bosToken = tokenString(config.get("bos_token"));
            eosToken = tokenString(config.get("eos_token"));
            eosTokenIds = eosIds(generation.get("eos_token_id"), eosToken);
            chatTemplate = files.chatTemplateJinja() != null
                    ? new String(files.chatTemplateJinja(), StandardCharsets.UTF_8) : defaultTemplate(config.get("chat_template"));
        } catch (RuntimeException e) {
            nativeEncoder.thenAccept(DjlEncoder::close);
            throw e;
        }
        encoder = joinEncoder(nativeEncoder);
    }

    /** Loads tokenizer.json etc. (plain or .gz) from a model directory. */
    public static HfTokenizer load(Path modelDir) {
        return new HfTokenizer(TokenizerFiles.fromDirectory(modelDir));
    }

    public static HfTokenizer load(TokenizerFiles files) {
        return new HfTokenizer(files);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        return encoder.encode(text, addSpecialTokens);
    }

    @Override
    public String decode(int[] ids, DecodeOptions options) {
        return decoder.decode(ids, options.skipSpecialTokens());
    }

    @Override
    public IncrementalDetokenizer newDetokenizer(DecodeOptions options) {
        return decoder.newDetokenizer(options.skipSpecialTokens());
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public Set<Integer> specialIds() {
        return specialIds;
    }

    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    @Override
    public String bosToken() {
        return bosToken;
    }

    @Override
    public String eosToken() {
        return eosToken;
    }

    @Override
    public int tokenId(String token) {
        Integer id = addedTokenIds.get(token);
        if (id == null) {
            id = modelTokenIds.get(token);
        }
        return id == null ? -1 : id;
    }

    @Override
    public String chatTemplate() {
        return chatTemplate;
    }

    @Override
    public void close() {
        encoder.close();
    }

    private static DjlEncoder joinEncoder(java.util.concurrent.CompletableFuture<DjlEncoder> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private int[] eosIds(JsonNode generationEos, String eos) {
        Set<Integer> ids = new LinkedHashSet<>();
        if (generationEos != null && generationEos.isArray()) {
            generationEos.forEach(n -> ids.add(n.asInt()));
        } else if (generationEos != null && generationEos.isIntegralNumber()) {
            ids.add(generationEos.asInt());
        }
        if (eos != null && tokenId(eos) >= 0) {
            ids.add(tokenId(eos));
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A special-token entry of tokenizer_config.json: a string, an AddedToken object, or null. */
    private static String tokenString(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isObject() ? node.path("content").asText(null) : node.asText();
    }

    private static String defaultTemplate(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        for (JsonNode named : node) {
            if ("default".equals(named.path("name").asText())) {
                return named.path("template").asText();
            }
        }
        return null;
    }

    private static JsonNode readJson(byte[] bytes, String name) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
