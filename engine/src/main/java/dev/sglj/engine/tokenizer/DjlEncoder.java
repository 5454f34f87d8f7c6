package dev.sglj.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Encoding through DJL's binding of Hugging Face tokenizers (the Rust library, bundled in the jar for common
 * platforms and unpacked to {@code $DJL_CACHE_DIR}, default ~/.djl.ai; no network needed). Truncation and
 * padding are off (DJL's defaults would truncate at 512 tokens); special tokens are chosen per call.
 */
final class DjlEncoder implements AutoCloseable {

    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final HuggingFaceTokenizer tokenizer;

    DjlEncoder(byte[] tokenizerJson, String source) {
        // DJL reports usage over the network when run on EC2 unless this is set.
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        TokenizersNativeLibrary.useBundledCpuBuild();
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), OPTIONS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer.json of " + source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("tokenizer.json of " + source + " rejected by HF tokenizers: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Calls the binding's encode and reads back only the ids: {@code HuggingFaceTokenizer.encode} also copies
     * the token strings, offsets and masks of every token to Java, which costs more than the encoding itself.
     */
    int[] encode(String text, boolean addSpecialTokens) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, addSpecialTokens);
        long[] ids;
        try {
            ids = TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
