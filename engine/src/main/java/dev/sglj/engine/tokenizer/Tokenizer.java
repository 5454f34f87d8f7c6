package dev.sglj.engine.tokenizer;

import dev.sglj.engine.tokenizer.decode.IncrementalDetokenizer;

import java.util.Set;

/** A model's tokenizer. Implementations are thread-safe; detokenizers are per request. */
public interface Tokenizer extends AutoCloseable {

    int[] encode(String text, boolean addSpecialTokens);

    String decode(int[] ids, DecodeOptions options);

    IncrementalDetokenizer newDetokenizer(DecodeOptions options);

    /** One more than the largest token id, added tokens included. */
    int vocabSize();

    /** Ids of the added tokens marked special (those {@code skipSpecialTokens} drops). */
    Set<Integer> specialIds();

    /** Ids that end generation: generation_config.json's eos_token_id, then tokenizer_config.json's eos_token. */
    int[] eosTokenIds();

    /** The BOS token string, or null. */
    String bosToken();

    /** The EOS token string, or null. */
    String eosToken();

    /** The id of a token string (added tokens first), or -1. */
    int tokenId(String token);

    /** The default chat template (tokenizer_config.json's chat_template or chat_template.jinja), or null. */
    String chatTemplate();

    @Override
    void close();
}
