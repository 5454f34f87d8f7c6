package dev.sglj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * bench_serving's datasets. With a tokenizer, prompts are built and counted as SGLang builds them; without
 * one, prompts are synthetic words of the nominal length and the server's counts are used instead.
 */
public final class Datasets {
    private Datasets() {
    }

    /** A (prompt, completion) pair: the first two turns of a ShareGPT conversation. */
    record Pair(String prompt, String completion) {
    }

    /**
     * {@code random}: input lengths uniform in [max(in * ratio, 1), in], output lengths in [out * ratio, out].
     * With a tokenizer and a ShareGPT file, a shuffled ShareGPT prompt's tokens repeated or cut to the input
     * length (SGLang's {@code random}); with a tokenizer only, consecutive token ids from a random offset
     * (SGLang's {@code random-ids}); with neither, synthetic words.
     */
    public static List<DatasetRow> random(int inputLen, int outputLen, double rangeRatio, int numPrompts, Random rng,
                                          LocalTokenizer tokenizer, Path sharegptPath) {
        if (inputLen < 1 || outputLen < 0) {
            throw new IllegalArgumentException("--random-input-len must be >= 1 and --random-output-len >= 0, got "
                    + inputLen + " and " + outputLen);
        }
        if (rangeRatio < 0 || rangeRatio > 1) {
            throw new IllegalArgumentException("--random-range-ratio must be in [0, 1], got " + rangeRatio);
        }
        int[] inputLens = uniform(rng, Math.max((int) (inputLen * rangeRatio), 1), inputLen, numPrompts);
        int[] outputLens = uniform(rng, (int) (outputLen * rangeRatio), outputLen, numPrompts);
        List<DatasetRow> rows = new ArrayList<>();
        if (tokenizer != null && sharegptPath != null) {
            List<Pair> pairs = new ArrayList<>(sharegptPairs(sharegptPath));
            Collections.shuffle(pairs, rng);
            for (Pair pair : pairs) {
                int i = rows.size();
                if (i == numPrompts) {
                    break;
                }
                long[] ids = tokenizer.encode(pair.prompt(), true);
                if (ids.length == 0) {
                    continue;
                }
                long[] input = new long[inputLens[i]];
                for (int j = 0; j < input.length; j++) {
                    input[j] = ids[j % ids.length];
                }
                rows.add(new DatasetRow(tokenizer.decode(input), inputLens[i], outputLens[i]));
            }
        } else {
            for (int i = 0; i < numPrompts; i++) {
                String prompt;
                if (tokenizer != null) {
                    int offset = rng.nextInt(tokenizer.vocabSize());
                    long[] ids = new long[inputLens[i]];
                    for (int j = 0; j < ids.length; j++) {
                        ids[j] = (offset + i + j) % tokenizer.vocabSize();
                    }
                    prompt = tokenizer.decode(ids);
                } else {
                    prompt = SyntheticText.words(rng, inputLens[i]);
                }
                rows.add(new DatasetRow(prompt, inputLens[i], outputLens[i]));
            }
        }
        return rows;
    }

    /**
     * {@code generated-shared-prefix}: {@code numGroups} random system prompts, each followed (after a blank
     * line) by {@code promptsPerGroup} random questions, shuffled.
     */
    public static List<DatasetRow> generatedSharedPrefix(int numGroups, int promptsPerGroup, int systemPromptLen,
                                                         int questionLen, int outputLen, Random rng,
                                                         LocalTokenizer tokenizer) {
        if (numGroups < 1 || promptsPerGroup < 1 || systemPromptLen < 0 || questionLen < 0 || outputLen < 0) {
            throw new IllegalArgumentException("--gsp-num-groups and --gsp-prompts-per-group must be >= 1 and the "
                    + "--gsp-*-len options >= 0");
        }
        int[] vocab = tokenizer == null ? null : tokenizer.allIds();
        List<String> systemPrompts = new ArrayList<>();
        for (int g = 0; g < numGroups; g++) {
            systemPrompts.add(randomText(rng, tokenizer, vocab, systemPromptLen));
        }
        List<String> questions = new ArrayList<>();
        for (int q = 0; q < numGroups * promptsPerGroup; q++) {
            questions.add(randomText(rng, tokenizer, vocab, questionLen));
        }
        List<DatasetRow> rows = new ArrayList<>();
        for (int g = 0; g < numGroups; g++) {
            for (int p = 0; p < promptsPerGroup; p++) {
                String prompt = systemPrompts.get(g) + "\n\n" + questions.get(g * promptsPerGroup + p);
                int promptLen = tokenizer != null ? tokenizer.count(prompt, true) : systemPromptLen + questionLen;
                rows.add(new DatasetRow(prompt, promptLen, outputLen));
            }
        }
        Collections.shuffle(rows, rng);
        return rows;
    }

    /**
     * {@code sharegpt}: shuffled first turns of a local ShareGPT JSON file, output length from the reply's
     * token count (or {@code fixedOutputLen}); pairs shorter than 2 tokens or longer than {@code contextLen}
     * together are skipped. Without a tokenizer the prompt length is left 0 for the server to report, and
     * {@code fixedOutputLen} is required.
     */
    public static List<DatasetRow> sharegpt(Path path, int numPrompts, Random rng, LocalTokenizer tokenizer,
                                            Integer fixedOutputLen, Integer contextLen) {
        if (fixedOutputLen != null && fixedOutputLen < 4) {
            throw new IllegalArgumentException("--sharegpt-output-len must be >= 4, got " + fixedOutputLen);
        }
        if (tokenizer == null && fixedOutputLen == null) {
            throw new IllegalArgumentException("--dataset-name sharegpt needs --tokenizer (to count reply tokens) "
                    + "or --sharegpt-output-len");
        }
        List<Pair> pairs = new ArrayList<>(sharegptPairs(path));
        Collections.shuffle(pairs, rng);
        List<DatasetRow> rows = new ArrayList<>();
        for (Pair pair : pairs) {
            if (rows.size() == numPrompts) {
                break;
            }
            if (tokenizer == null) {
                rows.add(new DatasetRow(pair.prompt(), 0, fixedOutputLen));
                continue;
            }
            int promptLen = tokenizer.count(pair.prompt(), true);
            int outputLen = fixedOutputLen != null ? fixedOutputLen : tokenizer.count(pair.completion(), true);
            if (promptLen < 2 || outputLen < 2) {
                continue;
            }
            if (contextLen != null && promptLen + outputLen > contextLen) {
                continue;
            }
            rows.add(new DatasetRow(pair.prompt(), promptLen, outputLen));
        }
        return rows;
    }

    static List<Pair> sharegptPairs(Path path) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(path.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("--dataset-path: cannot read ShareGPT JSON " + path + ": "
                    + e.getMessage(), e);
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("--dataset-path: " + path + " is not a JSON array of conversations");
        }
        List<Pair> pairs = new ArrayList<>();
        for (JsonNode item : root) {
            JsonNode turns = item.has("conversations") ? item.path("conversations") : item.path("conversation");
            if (turns.isArray() && turns.size() >= 2) {
                pairs.add(new Pair(turns.get(0).path("value").asText(), turns.get(1).path("value").asText()));
            }
        }
        return pairs;
    }

    /** SGLang's gen_prompt: ids drawn with replacement from the whole vocabulary, decoded. */
    private static String randomText(Random rng, LocalTokenizer tokenizer, int[] vocab, int tokens) {
        if (tokenizer == null) {
            return SyntheticText.words(rng, tokens);
        }
        long[] ids = new long[tokens];
        for (int i = 0; i < tokens; i++) {
            ids[i] = vocab[rng.nextInt(vocab.length)];
        }
        return tokenizer.decode(ids);
    }

    private static int[] uniform(Random rng, int lo, int hi, int n) {
        int[] values = new int[n];
        Arrays.setAll(values, i -> lo + rng.nextInt(hi - lo + 1));
        return values;
    }
}
