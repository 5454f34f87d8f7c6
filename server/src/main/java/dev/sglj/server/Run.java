package dev.sglj.server;

import dev.sglj.engine.RequestOutput;
import dev.sglj.engine.RequestStream;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The samples of one HTTP call in flight: each engine stream with its {@link ChoiceDecoder}. Outputs are
 * read in arrival order across samples ({@link #next}) or sample by sample ({@link #awaitAll}). Closing a
 * run aborts every sample that has not finished, so a handler that fails or loses its client never leaves
 * work in the engine.
 */
final class Run implements AutoCloseable {
    /** One engine output of sample {@code index}, decoded. */
    record Event(int index, ChoiceDecoder.Delta delta) {}

    private final EngineGateway gateway;
    private final List<RequestStream> streams;
    private final List<ChoiceDecoder> decoders = new ArrayList<>();
    private final List<SamplingParams> params;
    private final boolean[] done;
    private final long startNanos;
    private final long[] lastTokenNanos;
    private LinkedBlockingQueue<Object[]> merged;
    private int remaining;

    Run(EngineGateway gateway, TextLayer text, List<RequestStream> streams, List<SamplingParams> params,
        long startNanos) {
        this.gateway = gateway;
        this.streams = streams;
        this.params = params;
        for (SamplingParams p : params) decoders.add(new ChoiceDecoder(text, p));
        this.done = new boolean[streams.size()];
        this.lastTokenNanos = new long[streams.size()];
        this.startNanos = startNanos;
        this.remaining = streams.size();
    }

    int size() {
        return streams.size();
    }

    ChoiceDecoder decoder(int i) {
        return decoders.get(i);
    }

    SamplingParams params(int i) {
        return params.get(i);
    }

    /** Reads every sample to its end, or gives up at {@code deadlineNanos} (false). */
    boolean awaitAll(long deadlineNanos) throws InterruptedException {
        for (int i = 0; i < streams.size(); i++) {
            while (!done[i]) {
                RequestOutput out = streams.get(i).poll(Math.max(1, deadlineNanos - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                if (out == null) return false;
                handle(i, out);
            }
        }
        return true;
    }

    /** Reads every sample to its end. */
    void awaitAll() throws InterruptedException {
        for (int i = 0; i < streams.size(); i++) {
            while (!done[i]) handle(i, streams.get(i).take());
        }
    }

    /** The next output of any sample, or null when all have finished. */
    Event next() throws InterruptedException {
        if (remaining == 0) return null;
        if (merged == null) startPumps();
        Object[] item = merged.take();
        int i = (Integer) item[0];
        return new Event(i, handle(i, (RequestOutput) item[1]));
    }

    private void startPumps() {
        merged = new LinkedBlockingQueue<>();
        for (int i = 0; i < streams.size(); i++) {
            int index = i;
            RequestStream s = streams.get(i);
            Thread.ofVirtual().name("pump-" + s.rid()).start(() -> {
                try {
                    RequestOutput out;
                    do {
                        out = s.take();
                        merged.add(new Object[] {index, out});
                    } while (!out.finished());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private ChoiceDecoder.Delta handle(int i, RequestOutput out) {
        ChoiceDecoder.Delta delta = decoders.get(i).accept(out);
        long now = System.nanoTime();
        ServerMetrics metrics = gateway.metrics();
        if (out.newTokenIds().length > 0 && metrics != null) {
            if (lastTokenNanos[i] == 0) metrics.firstToken((now - startNanos) / 1e9);
            else metrics.interToken((now - lastTokenNanos[i]) / 1e9 / out.newTokenIds().length);
        }
        if (out.newTokenIds().length > 0) lastTokenNanos[i] = now;
        if (out.finished()) {
            done[i] = true;
            remaining--;
            gateway.finished(streams.get(i));
            if (metrics != null) metrics.finished((now - startNanos) / 1e9);
        } else if (decoders.get(i).stopped()) {
            streams.get(i).abort();
        }
        return delta;
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    @Override
    public void close() {
        for (int i = 0; i < streams.size(); i++) {
            if (!done[i]) {
                done[i] = true;
                gateway.abandon(streams.get(i));
            }
        }
    }
}
