package dev.sglj.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelConfigs;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.runner.ModelRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OneBatchBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void batchedRequestsDecodeAsTheyWouldAloneAndGiveBackEveryRowAndSlot() throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), BenchOneBatchCommandTest.TINY_CONFIG);
        try (LoadedModel model = ModelLoader.dummy(ModelConfigs.parse(config), 7);
             CpuBackend backend = new CpuBackend(2);
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), backend, 64, 3, 32)) {
            OneBatchBenchmark bench = new OneBatchBenchmark(runner, new PrintWriter(new StringWriter()), 0, 1000);
            int[][] prompts = bench.syntheticPrompts(3, 6, 11);
            assertThat(Arrays.stream(prompts).flatMapToInt(Arrays::stream).boxed().toList())
                    .hasSize(18).allMatch(id -> id >= 0 && id < 320);

            OneBatchResult batched = bench.run("t", prompts, 5);
            assertFullyFree(runner);
            for (int r = 0; r < prompts.length; r++) {
                OneBatchResult alone = bench.run("t", new int[][] {prompts[r]}, 5);
                assertThat(alone.outputIds()[0]).as("request %d", r).containsExactly(batched.outputIds()[r]);
            }
            assertFullyFree(runner);
            assertThat(bench.maxBatchSize(6, 5)).isEqualTo(3);
            assertThat(bench.maxBatchSize(30, 2)).isEqualTo(2);

            assertThatThrownBy(() -> bench.run("t", bench.syntheticPrompts(1, 30, 1), 4))
                    .hasMessageContaining("exceeds the runner's context length 32");
            assertThatThrownBy(() -> bench.run("t", bench.syntheticPrompts(3, 22, 1), 2))
                    .hasMessageContaining("KV pool has");
            assertFullyFree(runner);
        }
    }

    @Test
    void aPrefillSplitByTheTokenBudgetGivesTheTokensOfOneForward() throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), BenchOneBatchCommandTest.TINY_CONFIG);
        try (LoadedModel model = ModelLoader.dummy(ModelConfigs.parse(config), 7);
             CpuBackend backend = new CpuBackend(2);
             ModelRunner runner = new ModelRunner(model.config(), model.weights(), backend, 64, 5, 32)) {
            OneBatchBenchmark whole = new OneBatchBenchmark(runner, new PrintWriter(new StringWriter()), 0, 1000);
            OneBatchBenchmark split = new OneBatchBenchmark(runner, new PrintWriter(new StringWriter()), 0, 13);
            int[][] prompts = whole.syntheticPrompts(5, 6, 3);
            OneBatchResult once = whole.run("t", prompts, 4);
            OneBatchResult twoAPass = split.run("t", prompts, 4);
            for (int r = 0; r < prompts.length; r++) {
                assertThat(twoAPass.outputIds()[r]).as("request %d", r).containsExactly(once.outputIds()[r]);
            }
            assertFullyFree(runner);
        }
    }

    @Test
    void medianIsNumpys() {
        assertThat(OneBatchBenchmark.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(OneBatchBenchmark.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }

    private static void assertFullyFree(ModelRunner runner) {
        assertThat(runner.slots().available()).isEqualTo(runner.slots().size());
        assertThat(runner.reqToToken().availableRows()).isEqualTo(runner.reqToToken().maxRequests());
    }
}
