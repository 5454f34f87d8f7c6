package dev.sglj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GSM8K as SGLang's benchmark/gsm8k builds and scores it: "Question: ...\nAnswer:" prompts after k solved
 * examples separated by blank lines, and the last integer of a text (commas removed) as its answer.
 */
public final class Gsm8k {
    /** Generation stops where the model would start the next question (or at common end-of-turn markers). */
    public static final List<String> STOP = List.of("Question", "</s>", "<|im_end|>");

    private static final Pattern INTEGER = Pattern.compile("\\d+");
    private static final Pattern LEADING_ZERO = Pattern.compile("0+[1-9]\\d*");

    private Gsm8k() {
    }

    /** One line of the GSM8K JSONL: a question and its worked answer ending in {@code #### N}. */
    public record Example(String question, String answer) {
    }

    public static List<Example> read(Path jsonl) {
        if (!Files.isRegularFile(jsonl)) {
            throw new IllegalArgumentException("no GSM8K JSONL file at " + jsonl);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(jsonl, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read GSM8K file " + jsonl + ": " + e.getMessage(), e);
        }
        ObjectMapper json = new ObjectMapper();
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                JsonNode node = json.readTree(lines.get(i));
                if (!node.path("question").isTextual() || !node.path("answer").isTextual()) {
                    throw new IllegalArgumentException(jsonl + " line " + (i + 1)
                            + ": expected string fields \"question\" and \"answer\"");
                }
                examples.add(new Example(node.get("question").asText(), node.get("answer").asText()));
            } catch (IOException e) {
                throw new IllegalArgumentException(jsonl + " line " + (i + 1) + " is not JSON: " + e.getMessage(), e);
            }
        }
        return examples;
    }

    /** {@code "Question: q\nAnswer:"}, followed by {@code " " + answer} when the answer is included. */
    public static String example(Example e, boolean includeAnswer) {
        String text = "Question: " + e.question() + "\nAnswer:";
        return includeAnswer ? text + " " + e.answer() : text;
    }

    /** The first {@code k} examples with their answers, each followed by a blank line. */
    public static String fewShot(List<Example> shots, int k) {
        if (k > shots.size()) {
            throw new IllegalArgumentException("--num-shots " + k + " needs " + k + " examples, the shots file has "
                    + shots.size());
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < k; i++) {
            prefix.append(example(shots.get(i), true)).append("\n\n");
        }
        return prefix.toString();
    }

    /**
     * The last run of digits in {@code text} once commas are removed, read as Python's {@code
     * ast.literal_eval} would (so "007" is invalid); empty when there is none.
     */
    public static Optional<BigInteger> answerValue(String text) {
        Matcher m = INTEGER.matcher(text.replace(",", ""));
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        if (last == null || LEADING_ZERO.matcher(last).matches()) {
            return Optional.empty();
        }
        return Optional.of(new BigInteger(last));
    }
}
