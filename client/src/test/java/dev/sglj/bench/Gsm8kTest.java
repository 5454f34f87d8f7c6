package dev.sglj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Gsm8kTest {
    private static Optional<BigInteger> v(long x) {
        return Optional.of(BigInteger.valueOf(x));
    }

    @Test
    void theLastIntegerIsTheAnswer() {
        assertThat(Gsm8k.answerValue("6 * 12 = 72 rolls, minus 50 is 22.\n#### 22")).isEqualTo(v(22));
        assertThat(Gsm8k.answerValue("The total is 1,250 pencils.")).isEqualTo(v(1250));
        assertThat(Gsm8k.answerValue("It costs $3.50")).as("digits only: 3.50 ends in 50").isEqualTo(v(50));
        assertThat(Gsm8k.answerValue("The change is -7 degrees")).isEqualTo(v(7));
        assertThat(Gsm8k.answerValue("0")).isEqualTo(v(0));
        assertThat(Gsm8k.answerValue("00")).isEqualTo(v(0));
        assertThat(Gsm8k.answerValue("123456789012345678901234"))
                .contains(new BigInteger("123456789012345678901234"));
    }

    @Test
    void textWithoutANumberOrWithALeadingZeroIsInvalid() {
        assertThat(Gsm8k.answerValue("I do not know.")).isEmpty();
        assertThat(Gsm8k.answerValue("")).isEmpty();
        assertThat(Gsm8k.answerValue(",,,")).isEmpty();
        assertThat(Gsm8k.answerValue("room 007")).as("Python's literal_eval rejects 007").isEmpty();
    }

    @Test
    void fewShotPromptFormat() {
        List<Gsm8k.Example> shots = List.of(new Gsm8k.Example("What is 1+1?", "1+1=2\n#### 2"),
                new Gsm8k.Example("What is 2*3?", "2*3=6\n#### 6"));
        assertThat(Gsm8k.fewShot(shots, 2)).isEqualTo(
                "Question: What is 1+1?\nAnswer: 1+1=2\n#### 2\n\nQuestion: What is 2*3?\nAnswer: 2*3=6\n#### 6\n\n");
        assertThat(Gsm8k.example(shots.get(1), false)).isEqualTo("Question: What is 2*3?\nAnswer:");
        assertThat(Gsm8k.fewShot(shots, 0)).isEmpty();
    }

    @Test
    void readsTheSample() {
        List<Gsm8k.Example> data = Gsm8k.read(TestPaths.resource("/gsm8k/sample.jsonl"));
        assertThat(data).hasSize(8);
        assertThat(data).allMatch(e -> e.answer().contains("#### ") && Gsm8k.answerValue(e.answer()).isPresent());
        assertThat(Gsm8k.answerValue(data.get(6).answer())).isEqualTo(v(200));
    }
}
