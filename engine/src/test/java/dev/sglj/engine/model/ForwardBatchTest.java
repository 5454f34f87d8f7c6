package dev.sglj.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ForwardBatchTest {
    /** Two requests extending by {@code lens} tokens each (no cached prefix), logits of {@code logitRows}. */
    private static ForwardBatch batch(int[] lens, int[] logitRows) {
        int n = lens[0] + lens[1];
        return new ForwardBatch(lens[0] == 1 && lens[1] == 1 ? ForwardMode.DECODE : ForwardMode.EXTEND, new int[n],
                new int[n], new int[] {0, 1}, lens.clone(), new int[2], lens.clone(), new int[n], logitRows,
                lens.clone());
    }

    @Test
    void logitsOfEveryRowOnlyWhenTheRowsAreAllInOrder() {
        assertThat(batch(new int[] {1, 1}, new int[] {0, 1}).logitsOfEveryRow()).as("decode").isTrue();
        assertThat(batch(new int[] {1, 1}, new int[] {1, 0}).logitsOfEveryRow()).as("out of order").isFalse();
        assertThat(batch(new int[] {2, 1}, ForwardBatch.lastRows(new int[] {2, 1})).logitsOfEveryRow())
                .as("the last row of each request").isFalse();
        assertThat(batch(new int[] {2, 1}, new int[] {0, 1, 2}).logitsOfEveryRow()).as("prompt logprobs").isTrue();
    }
}
