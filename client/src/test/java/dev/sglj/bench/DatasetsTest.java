package dev.sglj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DatasetsTest {
    @Test
    void randomLengthsStayInTheRatioRange() {
        List<DatasetRow> rows = Datasets.random(100, 40, 0.5, 500, new Random(3), null, null);
        assertThat(rows).hasSize(500);
        assertThat(rows).allMatch(r -> r.promptLen() >= 50 && r.promptLen() <= 100);
        assertThat(rows).allMatch(r -> r.outputLen() >= 20 && r.outputLen() <= 40);
        assertThat(rows).anyMatch(r -> r.promptLen() == 50).anyMatch(r -> r.promptLen() == 100);
        assertThat(rows).allMatch(r -> r.prompt().split(" ").length == r.promptLen());
        List<DatasetRow> full = Datasets.random(8, 4, 1.0, 5, new Random(3), null, null);
        assertThat(full).allMatch(r -> r.promptLen() == 8 && r.outputLen() == 4);
    }

    @Test
    void randomIdsWithATokenizerDecodeToTheNominalLength() {
        try (LocalTokenizer tokenizer = LocalTokenizer.load(TestPaths.resource("/bench/wordlevel"))) {
            List<DatasetRow> rows = Datasets.random(12, 4, 1.0, 6, new Random(5), tokenizer, null);
            for (DatasetRow r : rows) {
                assertThat(r.promptLen()).isEqualTo(12);
                assertThat(tokenizer.count(r.prompt(), false)).isEqualTo(12);
            }
        }
    }

    @Test
    void randomFromShareGptRepeatsAPromptsTokensToTheInputLength() {
        try (LocalTokenizer tokenizer = LocalTokenizer.load(TestPaths.resource("/bench/wordlevel"))) {
            List<DatasetRow> rows = Datasets.random(10, 4, 1.0, 3, new Random(5), tokenizer,
                    TestPaths.resource("/bench/sharegpt_tiny.json"));
            assertThat(rows).hasSize(3);
            for (DatasetRow r : rows) {
                assertThat(tokenizer.count(r.prompt(), false)).isEqualTo(10);
            }
            assertThat(rows).anyMatch(r -> r.prompt().equals("hello world the of hello world the of hello world"));
        }
    }

    @Test
    void shareGptKeepsTwoTurnConversationsAndCountsTokens() {
        try (LocalTokenizer tokenizer = LocalTokenizer.load(TestPaths.resource("/bench/wordlevel"))) {
            List<DatasetRow> rows = Datasets.sharegpt(TestPaths.resource("/bench/sharegpt_tiny.json"), 10,
                    new Random(1), tokenizer, null, null);
            // "in the world" -> "tok9" is pruned: a 1-token reply
            assertThat(rows).extracting(DatasetRow::prompt)
                    .containsExactlyInAnyOrder("hello world the of", "a hello");
            DatasetRow first = rows.stream().filter(r -> r.prompt().startsWith("hello")).findFirst().orElseThrow();
            assertThat(first.promptLen()).isEqualTo(4);
            assertThat(first.outputLen()).isEqualTo(5);
            List<DatasetRow> capped = Datasets.sharegpt(TestPaths.resource("/bench/sharegpt_tiny.json"), 10,
                    new Random(1), tokenizer, null, 6);
            assertThat(capped).extracting(DatasetRow::prompt).containsExactly("a hello");
        }
        assertThatThrownBy(() -> Datasets.sharegpt(TestPaths.resource("/bench/sharegpt_tiny.json"), 10,
                new Random(1), null, null, null)).hasMessageContaining("--sharegpt-output-len");
    }

    @Test
    void generatedSharedPrefixGroupsShareTheirSystemPrompt() {
        List<DatasetRow> rows = Datasets.generatedSharedPrefix(3, 4, 20, 5, 7, new Random(2), null);
        assertThat(rows).hasSize(12);
        assertThat(rows).allMatch(r -> r.outputLen() == 7 && r.promptLen() == 25);
        assertThat(rows.stream().map(r -> r.prompt().substring(0, r.prompt().indexOf("\n\n"))).distinct()).hasSize(3);
        try (LocalTokenizer tokenizer = LocalTokenizer.load(TestPaths.resource("/bench/wordlevel"))) {
            List<DatasetRow> tokenized = Datasets.generatedSharedPrefix(2, 2, 10, 3, 4, new Random(2), tokenizer);
            assertThat(tokenized).allMatch(r -> r.promptLen() == tokenizer.count(r.prompt(), true));
        }
    }

    @Test
    void tokenizerVocabularyIsReadFromTheJson() {
        try (LocalTokenizer tokenizer = LocalTokenizer.load(TestPaths.resource("/bench/wordlevel"))) {
            assertThat(tokenizer.vocabSize()).isEqualTo(50);
            assertThat(tokenizer.allIds()).hasSize(50);
            assertThat(tokenizer.count("tok1 tok2 hello", false)).isEqualTo(3);
            assertThat(tokenizer.decode(new long[] {1, 2})).isEqualTo("tok0 tok1");
        }
        assertThatThrownBy(() -> LocalTokenizer.load(java.nio.file.Path.of("/nonexistent")))
                .hasMessageContaining("--tokenizer");
    }
}
