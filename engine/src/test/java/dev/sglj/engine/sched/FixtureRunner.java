package dev.sglj.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.RequestStream;
import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.runner.ModelRunner;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;

/**
 * A fixture model on the CPU backend driven by a scheduler stepped on the test thread, checking the
 * KV accounting after every step and that the pool is whole again once the cache is flushed.
 */
final class FixtureRunner implements AutoCloseable {
    static final int POOL = 1024;
    static final int MAX_REQUESTS = 8;
    static final int CONTEXT = 256;

    final LoadedModel model;
    final CpuBackend backend = new CpuBackend();
    final ModelRunner runner;
    int steps;

    FixtureRunner(ModelFixture fixture) {
        this(fixture, POOL);
    }

    FixtureRunner(ModelFixture fixture, int poolSize) {
        this.model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
        this.runner = new ModelRunner(model.config(), model.weights(), backend, poolSize, MAX_REQUESTS, CONTEXT);
    }

    static SamplingParams greedy(int maxNewTokens) {
        return SamplingParams.builder().temperature(0.0).maxNewTokens(maxNewTokens).ignoreEos(true).build();
    }

    static SchedulerSettings settings(int chunkedPrefillSize) {
        return new SchedulerSettings(MAX_REQUESTS, 16384, chunkedPrefillSize, SchedulePolicy.FCFS, 1.0, false, 1, 40, 0);
    }

    List<GenerateResult> generate(int chunkedPrefillSize, List<GenerateRequest> requests) {
        return run(settings(chunkedPrefillSize), false, requests);
    }

    /** Runs the requests to completion through a fresh scheduler and cache. */
    List<GenerateResult> run(SchedulerSettings settings, boolean disableRadixCache, List<GenerateRequest> requests) {
        PrefixCache cache = PrefixCache.create(runner.slots(), disableRadixCache);
        Scheduler scheduler = new Scheduler(runner, cache, settings, new int[0]);
        List<RequestStream> streams = new ArrayList<>();
        for (GenerateRequest r : requests) {
            RequestStream s = new RequestStream("r" + streams.size(), rid -> { });
            streams.add(s);
            scheduler.submit(new Req(s.rid(), r, s, new int[0], 7, null));
        }
        drain(scheduler);
        List<GenerateResult> results = new ArrayList<>();
        for (RequestStream s : streams) {
            try {
                results.add(s.await());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        flushAndAssertPoolWhole(scheduler);
        return results;
    }

    /** Steps until nothing is left, checking the KV accounting after every step. */
    void drain(Scheduler scheduler) {
        while (scheduler.step()) {
            scheduler.checkKvAccounting();
            steps++;
            assertThat(steps).as("steps").isLessThan(100_000);
        }
        scheduler.checkKvAccounting();
        assertThat(scheduler.idle()).isTrue();
    }

    void flushAndAssertPoolWhole(Scheduler scheduler) {
        var flushed = scheduler.flushCache();
        scheduler.step();
        assertThat(flushed.getNow(false)).as("flush accepted when idle").isTrue();
        assertPoolWhole();
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
