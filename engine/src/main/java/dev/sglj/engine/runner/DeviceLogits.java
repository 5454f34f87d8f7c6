package dev.sglj.engine.runner;

import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.cuda.CudaBackend;
import dev.sglj.engine.compute.cuda.LogitChanges;
import dev.sglj.engine.compute.cuda.RowLogprobs;
import dev.sglj.engine.compute.cuda.SamplingBatch;
import dev.sglj.engine.compute.cuda.TokenBuffer;
import dev.sglj.engine.sampling.LogitChangeSet;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;
import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.sampling.TopLogprob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * F32 logits {@code [rows, vocab]} on the GPU, sampled there ({@link CudaBackend#sample}): only token ids
 * and the asked-for logprobs cross to the host. {@code owned}: an eager pass's tensor, freed on close; a
 * CUDA graph's logits belong to the graph.
 */
final class DeviceLogits implements StepLogits {
    private final CudaBackend gpu;
    private final Tensor logits;
    private final int rows;
    private final int vocab;
    private final boolean owned;
    private final TokenRing ring;

    /** {@code ring}: where asynchronous draws write their ids; null draws every step synchronously. */
    DeviceLogits(CudaBackend gpu, Tensor logits, int rows, int vocab, boolean owned, TokenRing ring) {
        this.gpu = gpu;
        this.logits = logits;
        this.rows = rows;
        this.vocab = vocab;
        this.owned = owned;
        this.ring = ring;
    }

    /**
     * Asynchronous when every row can be drawn from what the device holds now: no logprobs asked and no
     * penalty over earlier tokens' values; otherwise {@link #sample}.
     */
    @Override
    public StepTokens sampleAsync(int[] rowIndices, RequestSampler[] states) {
        if (rowIndices.length == 0) return StepTokens.none();
        boolean async = ring != null;
        for (int i = 0; i < states.length && async; i++) {
            async = !states[i].params().returnLogprob() && !states[i].dependsOnTokens();
        }
        SamplingBatch batch = samplingBatch(rowIndices, states, vocab);
        if (!async) return StepTokens.done(sample(rowIndices, states));
        TokenBuffer into = ring.next();
        gpu.sampleInto(logits, batch, changes(states, vocab), into);
        for (RequestSampler s : states) s.advanceDraw();
        return StepTokens.pending(into, states.clone());
    }

    @Override
    public SampledToken[] sample(int[] rowIndices, RequestSampler[] states) {
        int n = rowIndices.length;
        int[] tokens = gpu.sample(logits, samplingBatch(rowIndices, states, vocab), changes(states, vocab));
        SampledToken[] out = new SampledToken[n];
        Map<Integer, List<Integer>> logprobRowsByTopN = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            SamplingParams params = states[i].params();
            states[i].accept(tokens[i]);
            if (params.returnLogprob()) {
                logprobRowsByTopN.computeIfAbsent(params.topLogprobsNum(), k -> new ArrayList<>()).add(i);
            } else {
                out[i] = new SampledToken(tokens[i], Float.NaN, List.of());
            }
        }
        logprobRowsByTopN.forEach((topN, picked) -> {
            int[] rowsOf = picked.stream().mapToInt(i -> rowIndices[i]).toArray();
            int[] tokensOf = picked.stream().mapToInt(i -> tokens[i]).toArray();
            SampledToken[] withLogprobs = logprobs(rowsOf, tokensOf, topN);
            for (int j = 0; j < picked.size(); j++) out[picked.get(j)] = withLogprobs[j];
        });
        return out;
    }

    /** The device's view of the states' parameters and this step's draws, row {@code rowIndices[i]} for state i. */
    static SamplingBatch samplingBatch(int[] rowIndices, RequestSampler[] states, int vocab) {
        int n = rowIndices.length;
        float[] temperatures = new float[n];
        int[] topKs = new int[n];
        float[] topPs = new float[n];
        float[] minPs = new float[n];
        double[] uniforms = new double[n];
        for (int i = 0; i < n; i++) {
            SamplingParams p = states[i].params();
            temperatures[i] = p.isGreedy() ? 0f : (float) p.temperature();
            topKs[i] = p.effectiveTopK(vocab);
            topPs[i] = (float) p.topP();
            minPs[i] = (float) p.minP();
            uniforms[i] = states[i].uniform();
        }
        return new SamplingBatch(rowIndices.clone(), temperatures, topKs, topPs, minPs, uniforms);
    }

    /** Every state's {@link LogitChangeSet}, concatenated with the index of its state as the entry. */
    static LogitChanges changes(RequestSampler[] states, int vocab) {
        List<LogitChangeSet> sets = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < states.length; i++) {
            if (!states[i].changesLogits()) continue;
            LogitChangeSet set = states[i].logitChanges(vocab);
            sets.add(set);
            owners.add(i);
            total += set.size();
        }
        if (total == 0) return LogitChanges.NONE;
        int[] entries = new int[total];
        int[] tokens = new int[total];
        float[] subtract = new float[total];
        boolean[] mask = new boolean[total];
        float[] repetition = new float[total];
        float[] bias = new float[total];
        int at = 0;
        for (int s = 0; s < sets.size(); s++) {
            LogitChangeSet set = sets.get(s);
            int size = set.size();
            Arrays.fill(entries, at, at + size, owners.get(s));
            System.arraycopy(set.tokens(), 0, tokens, at, size);
            System.arraycopy(set.subtract(), 0, subtract, at, size);
            System.arraycopy(set.mask(), 0, mask, at, size);
            System.arraycopy(set.repetition(), 0, repetition, at, size);
            System.arraycopy(set.bias(), 0, bias, at, size);
            at += size;
        }
        return new LogitChanges(entries, tokens, subtract, mask, repetition, bias);
    }

    @Override
    public SampledToken[] logprobs(int[] rowIndices, int[] tokens, int topN) {
        RowLogprobs lp = gpu.logprobs(logits, rowIndices, tokens, topN);
        SampledToken[] out = new SampledToken[rowIndices.length];
        for (int i = 0; i < out.length; i++) {
            List<TopLogprob> top = new ArrayList<>(lp.topN());
            for (int r = 0; r < lp.topN(); r++) top.add(new TopLogprob(lp.topId(i, r), lp.topLogprob(i, r)));
            out[i] = new SampledToken(tokens[i], lp.logprobs()[i], top);
        }
        return out;
    }

    @Override
    public float[] toHost() {
        return gpu.toHostRows(logits, rows);
    }

    @Override
    public void close() {
        if (owned) gpu.free(logits);
    }
}
