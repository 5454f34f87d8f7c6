package dev.sglj.bench;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Prompt text of about a given number of tokens when no tokenizer is at hand: common English words, each a
 * single token (with its leading space) in the BPE vocabularies of Llama, Qwen and Mistral models. The
 * benchmark then takes the prompt's true length from the server's report.
 */
final class SyntheticText {
    private static final List<String> WORDS = List.of(
            "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on",
            "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
            "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more",
            "when", "will", "would", "who", "so", "no", "time", "people", "water", "world", "house", "school",
            "book", "city", "river", "light", "music", "paper", "story", "morning", "garden", "window", "table",
            "road", "friend", "family", "money", "market", "science", "history", "language", "number", "system",
            "small", "large", "old", "new", "good", "long", "great", "little", "own", "other", "right", "high",
            "make", "know", "take", "see", "come", "think", "look", "want", "give", "use", "find", "tell", "work");

    private SyntheticText() {
    }

    static String words(RandomGenerator rng, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(WORDS.get(rng.nextInt(WORDS.size())));
        }
        return text.toString();
    }
}
