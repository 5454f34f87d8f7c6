package dev.sglj.engine.tokenizer;

import dev.sglj.engine.tokenizer.decode.IncrementalDetokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Encode and decode throughput on a few MB of mixed English, code and CJK text (a program, not a test).
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.sglj.engine.tokenizer.TokenizerBenchmark \
 *     [MB] [englishDir] [codeDir] [cjkDir]
 * </pre>
 * Defaults: 3 MB; /usr/share/common-licenses; engine/src/main/java; Python's test/cjkencodings (*-utf8.txt).
 * The text is cut into 4 KB documents (prompt-sized); each is encoded with special tokens, then its ids are
 * streamed through an incremental detokenizer one token at a time, and decoded whole.
 */
public final class TokenizerBenchmark {

    private static final int DOCUMENT_CHARS = 4096;

    private TokenizerBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        double megabytes = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Path english = Path.of(args.length > 1 ? args[1] : "/usr/share/common-licenses");
        Path code = Path.of(args.length > 2 ? args[2] : "engine/src/main/java");
        Path cjk = args.length > 3 ? Path.of(args[3]) : pythonCjkDir();
        List<String> documents = documents(megabytes, List.of(english, code, cjk));
        long bytes = documents.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum();
        System.out.printf("corpus: %d documents, %.2f MB UTF-8 (english %s, code %s, cjk %s), %d cores%n",
                documents.size(), bytes / 1e6, english, code, cjk, Runtime.getRuntime().availableProcessors());
        for (String name : List.of("qwen3", "llama3_1", "llama2")) {
            long t0 = System.nanoTime();
            Tokenizer tokenizer = FixtureTokenizers.tokenizer(name);
            System.out.printf("%-9s load %.2f s%n", name, (System.nanoTime() - t0) / 1e9);
            for (int round = 0; round < 3; round++) {
                run(name, tokenizer, documents, bytes, round == 2);
            }
        }
    }

    private static void run(String name, Tokenizer tokenizer, List<String> documents, long bytes, boolean print) {
        var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        List<int[]> encoded = new ArrayList<>(documents.size());
        long tokens = 0;
        for (String document : documents) {
            int[] ids = tokenizer.encode(document, true);
            encoded.add(ids);
            tokens += ids.length;
        }
        long t1 = System.nanoTime();
        long c1 = cpu.getCurrentThreadCpuTime();
        long streamedChars = 0;
        for (int[] ids : encoded) {
            IncrementalDetokenizer detokenizer = tokenizer.newDetokenizer(DecodeOptions.DEFAULT);
            for (int id : ids) {
                streamedChars += detokenizer.push(id).length();
            }
            streamedChars += detokenizer.finish().length();
        }
        long t2 = System.nanoTime();
        long c2 = cpu.getCurrentThreadCpuTime();
        long decodedChars = 0;
        for (int[] ids : encoded) {
            decodedChars += tokenizer.decode(ids, DecodeOptions.DEFAULT).length();
        }
        long t3 = System.nanoTime();
        long c3 = cpu.getCurrentThreadCpuTime();
        if (streamedChars != decodedChars) {
            throw new IllegalStateException(name + ": streamed " + streamedChars + " chars, decoded " + decodedChars);
        }
        if (print) {
            System.out.printf("%-9s %,d tokens (%.2f bytes/token), one thread, per wall second [per CPU second]:%n"
                            + "    encode %,.0f [%,.0f] tokens/s = %.2f [%.2f] MB/s; incremental decode %,.0f [%,.0f] tokens/s;"
                            + " full decode %,.0f [%,.0f] tokens/s%n",
                    name, tokens, (double) bytes / tokens,
                    tokens / seconds(t0, t1), tokens / seconds(c0, c1),
                    bytes / 1e6 / seconds(t0, t1), bytes / 1e6 / seconds(c0, c1),
                    tokens / seconds(t1, t2), tokens / seconds(c1, c2), tokens / seconds(t2, t3), tokens / seconds(c2, c3));
        }
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }

    /** Round-robin over the sources' files, cut into documents, until the size is reached. */
    private static List<String> documents(double megabytes, List<Path> dirs) throws IOException {
        List<List<String>> sources = new ArrayList<>();
        for (Path dir : dirs) {
            List<String> texts = new ArrayList<>();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (!dir.endsWith("cjkencodings") || name.endsWith("-utf8.txt")) {
                        texts.add(Files.readString(file, StandardCharsets.UTF_8));
                    }
                }
            } catch (java.nio.charset.MalformedInputException e) {
                throw new IOException("a file under " + dir + " is not UTF-8", e);
            }
            if (texts.isEmpty()) {
                throw new IllegalArgumentException("no text files under " + dir);
            }
            sources.add(texts);
        }
        List<String> documents = new ArrayList<>();
        long target = (long) (megabytes * 1e6);
        long size = 0;
        for (int i = 0; size < target; i++) {
            for (List<String> texts : sources) {
                String text = texts.get(i % texts.size());
                for (int at = 0; at < text.length() && size < target; at += DOCUMENT_CHARS) {
                    String document = text.substring(at, Math.min(text.length(), at + DOCUMENT_CHARS));
                    documents.add(document);
                    size += document.getBytes(StandardCharsets.UTF_8).length;
                }
            }
        }
        return documents;
    }

    private static Path pythonCjkDir() throws IOException {
        try (Stream<Path> dirs = Files.walk(Path.of("/root/.pyenv/versions"), 5)) {
            return dirs.filter(p -> p.endsWith("test/cjkencodings")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no Python test/cjkencodings found; pass a CJK text dir"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("no /root/.pyenv; pass a CJK text dir as the fourth argument", e);
        }
    }
}
