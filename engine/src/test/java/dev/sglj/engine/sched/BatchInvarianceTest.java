package dev.sglj.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import dev.sglj.engine.runner.ModelRunner;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same greedy tokens (transformers' own) whether a prompt runs alone, batched with prompts of
 * other lengths, prefilled in chunks of 1, 7 and 64 tokens, admitted one at a time by a small pool,
 * or extended on top of an already-cached prefix; and the KV pool whole again after every call.
 */
class BatchInvarianceTest {
    static Stream<ModelFixture> fixtures() {
        return ModelFixtures.all().stream();
    }

    private static List<GenerateRequest> requests(ModelFixture f) {
        return f.cases().stream()
                .map(c -> new GenerateRequest(c.prompt(), FixtureRunner.greedy(c.maxNewTokens())))
                .toList();
    }

    private static void assertOutputs(ModelFixture f, List<GenerateResult> results, String how) {
        assertThat(results).hasSize(f.cases().size());
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).outputIds()).as(f.name() + " case " + i + " " + how)
                    .containsExactly(f.cases().get(i).output());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void batchedAndChunked(ModelFixture f) {
        try (FixtureRunner fr = new FixtureRunner(f)) {
            assertOutputs(f, fr.generate(-1, requests(f)), "batched");
            for (int chunk : new int[] {1, 7, 64}) {
                assertOutputs(f, fr.generate(chunk, requests(f)), "batched, chunks of " + chunk);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void poolTooSmallForAllAtOnceRunsThemInTurn(ModelFixture f) {
        int largest = f.cases().stream().mapToInt(c -> c.prompt().length + c.maxNewTokens()).max().orElseThrow();
        try (FixtureRunner fr = new FixtureRunner(f, largest)) {
            assertOutputs(f, fr.generate(7, requests(f)), "one at a time");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void extendOnTopOfCachedPrefix(ModelFixture f) {
        ModelFixture.Case c = f.cases().stream().max((a, b) -> a.prompt().length - b.prompt().length).orElseThrow();
        int[] prompt = c.prompt();
        int prefix = prompt.length / 2;
        try (FixtureRunner fr = new FixtureRunner(f)) {
            ModelRunner runner = fr.runner;
            int owner = runner.reqToToken().allocRow();
            int[] prefixSlots = runner.slots().alloc(prefix);
            runner.reqToToken().write(owner, 0, prefixSlots);
            runner.forward(extend(owner, Arrays.copyOf(prompt, prefix), 0, prefixSlots, prompt.length));

            int reader = runner.reqToToken().allocRow();
            runner.reqToToken().write(reader, 0, prefixSlots);
            int[] ownSlots = runner.slots().alloc(prompt.length - prefix + c.maxNewTokens());
            int[] rest = Arrays.copyOfRange(prompt, prefix, prompt.length);
            runner.reqToToken().write(reader, prefix, Arrays.copyOf(ownSlots, rest.length));
            float[] logits = runner.forward(extend(reader, rest, prefix, Arrays.copyOf(ownSlots, rest.length), prompt.length));

            int vocab = runner.config().vocabSize();
            int[] out = new int[c.maxNewTokens()];
            for (int step = 0; step < out.length; step++) {
                out[step] = argmax(logits, vocab);
                if (step + 1 == out.length) break;
                int pos = prompt.length + step;
                int slot = ownSlots[pos - prefix];
                runner.reqToToken().write(reader, pos, new int[] {slot});
                logits = runner.forward(new ForwardBatch(ForwardMode.DECODE, new int[] {out[step]}, new int[] {pos},
                        new int[] {reader}, new int[] {pos + 1}, new int[] {pos}, new int[] {1}, new int[] {slot},
                        new int[] {0}, new int[] {pos + 1}));
            }
            assertThat(out).as(f.name() + " over a cached prefix of " + prefix).containsExactly(c.output());
            runner.slots().free(prefixSlots);
            runner.slots().free(ownSlots);
            runner.reqToToken().freeRow(owner);
            runner.reqToToken().freeRow(reader);
            fr.assertPoolWhole();
        }
    }

    private static ForwardBatch extend(int row, int[] tokens, int prefix, int[] slots, int promptLen) {
        int[] positions = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) positions[i] = prefix + i;
        return new ForwardBatch(ForwardMode.EXTEND, tokens, positions, new int[] {row},
                new int[] {prefix + tokens.length}, new int[] {prefix}, new int[] {tokens.length}, slots,
                new int[] {tokens.length - 1}, new int[] {promptLen});
    }

    private static int argmax(float[] logits, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
