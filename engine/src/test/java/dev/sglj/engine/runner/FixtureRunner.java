package dev.sglj.engine.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.List;

/** A fixture model on the CPU backend with a small KV pool, checking slot accounting after each call. */
final class FixtureRunner implements AutoCloseable {
    static final int POOL = 1024;
    static final int MAX_REQUESTS = 8;
    static final int CONTEXT = 256;

    final LoadedModel model;
    final CpuBackend backend = new CpuBackend();
    final ModelRunner runner;

    FixtureRunner(ModelFixture fixture) {
        this(fixture, POOL);
    }

    FixtureRunner(ModelFixture fixture, int poolSize) {
        this.model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
        this.runner = new ModelRunner(model.config(), model.weights(), backend, poolSize, MAX_REQUESTS, CONTEXT);
    }

    static SamplingParams greedy(int maxNewTokens) {
        return SamplingParams.builder().temperature(0).maxNewTokens(maxNewTokens).ignoreEos(true).build();
    }

    List<GenerateResult> generate(int chunkedPrefillSize, List<GenerateRequest> requests) {
        List<GenerateResult> results = new BatchGenerator(runner, chunkedPrefillSize, new int[0]).generate(requests);
        assertPoolWhole();
        return results;
    }

    void assertPoolWhole() {
        assertThat(runner.slots().available()).as("free KV slots").isEqualTo(runner.slots().size());
        assertThat(runner.reqToToken().availableRows()).as("free table rows").isEqualTo(MAX_REQUESTS);
    }

    @Override
    public void close() {
        runner.close();
        backend.close();
        model.close();
    }
}
