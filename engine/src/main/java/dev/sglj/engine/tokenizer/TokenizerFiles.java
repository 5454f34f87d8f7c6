package dev.sglj.engine.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The raw bytes of a tokenizer's files: tokenizer.json (required), tokenizer_config.json,
 * generation_config.json and chat_template.jinja (each null when absent). Each may also be stored gzip-compressed
 * with a {@code .gz} suffix.
 */
public record TokenizerFiles(String source, byte[] tokenizerJson, byte[] tokenizerConfigJson,
                             byte[] generationConfigJson, byte[] chatTemplateJinja) {

    public static TokenizerFiles fromDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("tokenizer directory " + dir + " does not exist");
        }
        byte[] tokenizer = read(dir, "tokenizer.json");
        if (tokenizer == null) {
            throw new IllegalArgumentException("no tokenizer.json (or tokenizer.json.gz) in " + dir);
        }
        return new TokenizerFiles(dir.toString(), tokenizer, read(dir, "tokenizer_config.json"),
                read(dir, "generation_config.json"), read(dir, "chat_template.jinja"));
    }

    /** Loads from class-path resources under {@code prefix} (e.g. "/dev/sglj/.../qwen3/"). */
    public static TokenizerFiles fromResources(String prefix) {
        byte[] tokenizer = resource(prefix, "tokenizer.json");
        if (tokenizer == null) {
            throw new IllegalStateException("class-path resource " + prefix + "tokenizer.json(.gz) is missing");
        }
        return new TokenizerFiles("classpath:" + prefix, tokenizer, resource(prefix, "tokenizer_config.json"),
                resource(prefix, "generation_config.json"), resource(prefix, "chat_template.jinja"));
    }

    private static byte[] read(Path dir, String name) {
        try {
            Path plain = dir.resolve(name);
            if (Files.isRegularFile(plain)) {
                return Files.readAllBytes(plain);
            }
            Path gz = dir.resolve(name + ".gz");
            if (Files.isRegularFile(gz)) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                    return in.readAllBytes();
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    private static byte[] resource(String prefix, String name) {
        try {
            try (InputStream in = TokenizerFiles.class.getResourceAsStream(prefix + name)) {
                if (in != null) {
                    return in.readAllBytes();
                }
            }
            try (InputStream in = TokenizerFiles.class.getResourceAsStream(prefix + name + ".gz")) {
                if (in != null) {
                    try (InputStream gz = new GZIPInputStream(in)) {
                        return gz.readAllBytes();
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + prefix + name + ": " + e.getMessage(), e);
        }
    }
}
