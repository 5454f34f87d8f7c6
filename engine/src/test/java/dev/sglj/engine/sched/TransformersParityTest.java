package dev.sglj.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.sampling.TopLogprob;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture case, run alone: greedy tokens identical to transformers (float32, eager), the
 * chosen token's logprob, the top-5 and the prompt logprobs within 1e-4 absolute.
 */
class TransformersParityTest {
    private static final float TOLERANCE = 1e-4f;

    static Stream<ModelFixture> fixtures() {
        return ModelFixtures.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesTransformers(ModelFixture fixture) {
        try (FixtureRunner fr = new FixtureRunner(fixture)) {
            for (ModelFixture.Case c : fixture.cases()) {
                SamplingParams params = FixtureRunner.greedy(c.maxNewTokens()).toBuilder()
                        .returnLogprob(true).topLogprobsNum(5).logprobStartLen(0).build();
                GenerateResult r = fr.generate(-1, List.of(new GenerateRequest(c.prompt(), params))).getFirst();
                String what = fixture.name() + " prompt of " + c.prompt().length;
                assertThat(r.outputIds()).as(what + " tokens").containsExactly(c.output());
                assertOutputLogprobs(what, r.outputLogprobs(), c);
                assertPromptLogprobs(what, r.inputLogprobs(), c);
            }
        }
    }

    private static void assertOutputLogprobs(String what, List<TokenLogprob> got, ModelFixture.Case c) {
        assertThat(got).hasSize(c.output().length);
        for (int step = 0; step < got.size(); step++) {
            TokenLogprob t = got.get(step);
            assertThat(t.logprob()).as(what + " logprob at step " + step).isCloseTo(c.outputLogprobs()[step], within(TOLERANCE));
            List<ModelFixture.TopToken> expectedTop = c.outputTop5().get(step);
            assertThat(t.top()).hasSize(expectedTop.size());
            for (int i = 0; i < expectedTop.size(); i++) {
                TopLogprob top = t.top().get(i);
                assertThat(top.logprob()).as(what + " top-" + i + " logprob at step " + step)
                        .isCloseTo(expectedTop.get(i).logprob(), within(TOLERANCE));
                if (top.tokenId() != expectedTop.get(i).id()) {
                    assertThat(nearTie(expectedTop, i)).as(what + " top-" + i + " id at step " + step
                            + ": got " + top.tokenId() + ", expected " + expectedTop.get(i).id()).isTrue();
                }
            }
        }
    }

    /** Ranks whose reference logprobs differ by less than the tolerance may legitimately swap. */
    private static boolean nearTie(List<ModelFixture.TopToken> top, int rank) {
        float v = top.get(rank).logprob();
        boolean below = rank + 1 < top.size() && Math.abs(top.get(rank + 1).logprob() - v) < TOLERANCE;
        boolean above = rank > 0 && Math.abs(top.get(rank - 1).logprob() - v) < TOLERANCE;
        return below || above || rank == top.size() - 1;
    }

    private static void assertPromptLogprobs(String what, List<TokenLogprob> got, ModelFixture.Case c) {
        assertThat(got).hasSize(c.prompt().length);
        assertThat(got.getFirst().logprob()).isNull();
        for (int i = 1; i < got.size(); i++) {
            assertThat(got.get(i).tokenId()).isEqualTo(c.prompt()[i]);
            assertThat(got.get(i).logprob()).as(what + " prompt logprob at " + i)
                    .isCloseTo(c.promptLogprobs()[i], within(TOLERANCE));
        }
    }
}
