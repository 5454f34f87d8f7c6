package dev.sglj.engine.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;
import dev.sglj.engine.sampling.SamplingParams;
import org.junit.jupiter.api.Test;

/**
 * The runner's half of the overlap schedule on the CPU: a decode step that names the previous step's
 * draw by future id ({@code -(i + 1)}) computes what it computes with the token written out.
 */
class FutureIdsTest {
    @Test
    void aFutureIdIsTheTokenThePreviousStepDrew() {
        ModelFixture f = ModelFixtures.load("llama");
        ModelFixture.Case c = f.cases().get(1);
        int[] prompt = c.prompt();
        int n = prompt.length;
        try (LoadedModel model = ModelLoader.load(f.dir(), LoadFormat.AUTO);
             CpuBackend cpu = new CpuBackend();
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), cpu, 256, 4, 128)) {
            int[] rows = {runner.reqToToken().allocRow(), runner.reqToToken().allocRow()};
            for (int row : rows) {
                int[] slots = runner.slots().alloc(n + 1);
                runner.reqToToken().write(row, 0, slots);
            }
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) positions[i] = i;
            // Two requests with the same prompt: prefill both, draw greedily (the "previous step").
            int[] ids = new int[2 * n];
            int[] pos = new int[2 * n];
            int[] loc = new int[2 * n];
            for (int r = 0; r < 2; r++) {
                System.arraycopy(prompt, 0, ids, r * n, n);
                System.arraycopy(positions, 0, pos, r * n, n);
                System.arraycopy(runner.reqToToken().read(rows[r], 0, n), 0, loc, r * n, n);
            }
            ForwardBatch prefill = new ForwardBatch(ForwardMode.EXTEND, ids, pos, rows, new int[] {n, n},
                    new int[] {0, 0}, new int[] {n, n}, loc, new int[] {n - 1, 2 * n - 1}, new int[] {n, n});
            SamplingParams greedy = SamplingParams.builder().temperature(0.0).maxNewTokens(4).build();
            RequestSampler[] states = {new RequestSampler(greedy, prompt, new int[0], 1),
                    new RequestSampler(greedy, prompt, new int[0], 2)};
            StepTokens drawn;
            try (StepLogits logits = runner.run(prefill)) {
                drawn = logits.sampleAsync(new int[] {0, 1}, states);
            }
            assertThat(drawn.isDone()).as("host logits are drawn at once").isTrue();
            int token = drawn.await()[1].tokenId();
            assertThat(token).isEqualTo(c.output()[0]);

            // Decode: request 0 with the token written out, request 1 naming draw row 1 by future id.
            int slot0 = runner.reqToToken().read(rows[0], n, n + 1)[0];
            int slot1 = runner.reqToToken().read(rows[1], n, n + 1)[0];
            ForwardBatch decode = new ForwardBatch(ForwardMode.DECODE, new int[] {token, -2}, new int[] {n, n}, rows,
                    new int[] {n + 1, n + 1}, new int[] {n, n}, new int[] {1, 1}, new int[] {slot0, slot1},
                    new int[] {0, 1}, new int[] {n + 1, n + 1});
            assertThatThrownBy(() -> runner.run(decode)).as("future ids need the draw they name")
                    .isInstanceOf(IllegalArgumentException.class);
            float[] logits = runner.run(decode, drawn).toHost();
            int vocab = model.config().vocabSize();
            // The same token at the same position over the same prompt: the same logits (up to the CPU's
            // rounding, which may differ in the last bit between rows).
            for (int i = 0; i < vocab; i++) {
                assertThat(logits[vocab + i]).as("logit " + i).isCloseTo(logits[i], within(1e-4f));
            }
            SampledToken[] again = drawn.await();
            assertThat(again[1].tokenId()).isEqualTo(token);
        }
    }
}
