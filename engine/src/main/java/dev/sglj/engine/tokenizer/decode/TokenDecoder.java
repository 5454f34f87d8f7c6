package dev.sglj.engine.tokenizer.decode;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One decoder of a {@code tokenizer.json} "decoder" section. {@link #decodeChain} mirrors the Rust
 * {@code Decoder::decode_chain}; {@link #stream} returns the equivalent streaming stage feeding {@code next}.
 */
public sealed interface TokenDecoder {

    List<String> decodeChain(List<String> tokens);

    TokenSink stream(TokenSink next);

    /** Parses a decoder JSON object; unsupported types fail with a one-line error. */
    static TokenDecoder parse(JsonNode node) {
        String type = node.path("type").asText("");
        return switch (type) {
            case "ByteLevel" -> new ByteLevel();
            case "ByteFallback" -> new ByteFallback();
            case "Fuse" -> new Fuse();
            case "Replace" -> {
                JsonNode pattern = node.path("pattern");
                if (!pattern.has("String") || pattern.get("String").asText().isEmpty()) {
                    throw new IllegalArgumentException(
                            "tokenizer.json decoder Replace: only non-empty String patterns are supported, got " + pattern);
                }
                yield new Replace(pattern.get("String").asText(), node.path("content").asText());
            }
            case "Strip" -> new Strip(node.path("content").asText(" ").codePointAt(0),
                    node.path("start").asInt(0), node.path("stop").asInt(0));
            case "Metaspace" -> new Metaspace(node.path("replacement").asText("\u2581").codePointAt(0),
                    prependsFirst(node));
            case "Sequence" -> {
                List<TokenDecoder> decoders = new ArrayList<>();
                for (JsonNode child : node.path("decoders")) {
                    decoders.add(parse(child));
                }
                yield new Sequence(List.copyOf(decoders));
            }
            default -> throw new IllegalArgumentException("tokenizer.json decoder type '" + type
                    + "' is not supported (supported: ByteLevel, ByteFallback, Fuse, Replace, Strip, Metaspace, Sequence)");
        };
    }

    private static boolean prependsFirst(JsonNode node) {
        if (node.has("prepend_scheme")) {
            return !"never".equals(node.get("prepend_scheme").asText());
        }
        return node.path("add_prefix_space").asBoolean(true);
    }

    /** Byte-level BPE: all tokens' bytes joined and decoded as lossy UTF-8 into one token. */
    record ByteLevel() implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            var bytes = new java.io.ByteArrayOutputStream();
            for (String token : tokens) {
                bytes.writeBytes(ByteLevelAlphabet.tokenBytes(token));
            }
            byte[] all = bytes.toByteArray();
            return List.of(Utf8Lossy.decode(all, 0, all.length));
        }

        @Override
        public TokenSink stream(TokenSink next) {
            return new DecoderStages.ByteLevelStage(next);
        }
    }

    /** SentencePiece byte fallback: runs of {@code <0xNN>} tokens become their UTF-8 text, else one U+FFFD a byte. */
    record ByteFallback() implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            var run = new java.io.ByteArrayOutputStream();
            for (String token : tokens) {
                int b = byteValue(token);
                if (b >= 0) {
                    run.write(b);
                } else {
                    flushRun(run, out);
                    out.add(token);
                }
            }
            flushRun(run, out);
            return out;
        }

        @Override
        public TokenSink stream(TokenSink next) {
            return new DecoderStages.ByteFallbackStage(next);
        }

        /** The byte of a {@code <0xNN>} token (six UTF-8 bytes, hexadecimal NN), else -1. */
        static int byteValue(CharSequence token) {
            if (token.length() != 6 || token.charAt(0) != '<' || token.charAt(1) != '0' || token.charAt(2) != 'x'
                    || token.charAt(5) != '>') {
                return -1;
            }
            int hi = Character.digit(token.charAt(3), 16);
            int lo = Character.digit(token.charAt(4), 16);
            boolean ascii = token.charAt(3) < 128 && token.charAt(4) < 128;
            return hi < 0 || lo < 0 || !ascii ? -1 : hi * 16 + lo;
        }

        static void flushRun(java.io.ByteArrayOutputStream run, List<String> out) {
            if (run.size() == 0) {
                return;
            }
            byte[] bytes = run.toByteArray();
            if (Utf8Lossy.isValid(bytes, 0, bytes.length)) {
                out.add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            } else {
                for (int i = 0; i < bytes.length; i++) {
                    out.add(String.valueOf(Utf8Lossy.REPLACEMENT));
                }
            }
            run.reset();
        }
    }

    /** Joins all tokens into one. */
    record Fuse() implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }

        @Override
        public TokenSink stream(TokenSink next) {
            return new DecoderStages.FuseStage(next);
        }
    }

    /** Replaces every occurrence of a string in each token. */
    record Replace(String pattern, String content) implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String token : tokens) {
                out.add(token.replace(pattern, content));
            }
            return out;
        }

        @Override
        public TokenSink stream(TokenSink next) {
            return new DecoderStages.ReplaceStage(this, next);
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing {@code content} characters of each token. */
    record Strip(int content, int start, int stop) implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String token : tokens) {
                int[] chars = token.codePoints().toArray();
                int startCut = 0;
                for (int i = 0; i < Math.min(start, chars.length) && chars[i] == content; i++) {
                    startCut = i + 1;
                }
                int stopCut = chars.length;
                for (int i = 0; i < stop && chars.length - i - 1 >= 0 && chars[chars.length - i - 1] == content; i++) {
                    stopCut = chars.length - i - 1;
                }
                out.add(new String(chars, startCut, Math.max(0, stopCut - startCut)));
            }
            return out;
        }

        @Override
        public TokenSink stream(TokenSink next) {
            return new DecoderStages.StripStage(this, next);
        }
    }

    /**
     * SentencePiece's metaspace: the replacement character becomes a space, except in the first token, where
     * it is dropped unless the prepend scheme is "never".
     */
    record Metaspace(int replacement, boolean prependsFirst) implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                var sb = new StringBuilder();
                appendMapped(tokens.get(i), i == 0, sb);
                out.add(sb.toString());
            }
            return out;
        }

        void appendMapped(CharSequence token, boolean first, StringBuilder out) {
            token.codePoints().forEach(c -> {
                if (c != replacement) {
                    out.appendCodePoint(c);
                } else if (!(first && prependsFirst)) {
                    out.append(' ');
                }
            });
        }

        @Override
        public TokenSink stream(TokenSink next) {
            return new DecoderStages.MetaspaceStage(this, next);
        }
    }

    /** Decoders applied in order. */
    record Sequence(List<TokenDecoder> decoders) implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> current = tokens;
            for (TokenDecoder decoder : decoders) {
                current = decoder.decodeChain(current);
            }
            return current;
        }

        @Override
        public TokenSink stream(TokenSink next) {
            TokenSink sink = next;
            for (int i = decoders.size() - 1; i >= 0; i--) {
                sink = decoders.get(i).stream(sink);
            }
            return sink;
        }
    }
}
