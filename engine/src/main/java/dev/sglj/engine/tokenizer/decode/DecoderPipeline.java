package dev.sglj.engine.tokenizer.decode;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Ids to text as Hugging Face does: each id to its token string (added tokens first), special tokens dropped
 * when asked, the decoder chain (tokens joined by a space when the tokenizer has no decoder), then
 * transformers' clean-up of tokenization spaces when enabled. Unknown ids are skipped, as tokenizers does.
 */
public final class DecoderPipeline {

    private final String[] idToToken;
    private final BitSet special;
    private final TokenDecoder decoder;
    private final boolean cleanUpSpaces;

    /**
     * @param idToToken token string of every id (null where the vocabulary has a gap)
     * @param special ids of added tokens marked special
     * @param decoder the decoder chain, or null when tokenizer.json has none
     * @param cleanUpSpaces whether to apply {@link CleanUpSpaces#cleanUp}
     */
    public DecoderPipeline(String[] idToToken, BitSet special, TokenDecoder decoder, boolean cleanUpSpaces) {
        this.idToToken = idToToken;
        this.special = special;
        this.decoder = decoder;
        this.cleanUpSpaces = cleanUpSpaces;
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String token = token(id, skipSpecialTokens);
            if (token != null) {
                tokens.add(token);
            }
        }
        String text = decoder == null ? String.join(" ", tokens) : String.join("", decoder.decodeChain(tokens));
        return cleanUpSpaces ? CleanUpSpaces.cleanUp(text) : text;
    }

    public IncrementalDetokenizer newDetokenizer(boolean skipSpecialTokens) {
        return new IncrementalDetokenizer(this, skipSpecialTokens);
    }

    /** The token string to decode for an id, or null when it is unknown or a skipped special token. */
    String token(int id, boolean skipSpecialTokens) {
        if (id < 0 || id >= idToToken.length || (skipSpecialTokens && special.get(id))) {
            return null;
        }
        return idToToken[id];
    }

    TokenSink head(TokenSink collector) {
        return decoder == null ? new SpaceJoiner(collector) : decoder.stream(collector);
    }

    boolean cleanUpSpaces() {
        return cleanUpSpaces;
    }

    /** No decoder: tokens joined by single spaces. */
    private record SpaceJoiner(TokenSink next, int[] count) implements TokenSink {
        SpaceJoiner(TokenSink next) {
            this(next, new int[1]);
        }

        @Override
        public void begin() {
            if (count[0]++ > 0) {
                next.text(" ");
            }
        }

        @Override
        public void text(CharSequence piece) {
            next.text(piece);
        }

        @Override
        public void end() {
        }

        @Override
        public void finish() {
            next.finish();
        }
    }
}
