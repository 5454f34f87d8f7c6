package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.AttentionBatch;
import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import dev.sglj.engine.compute.QkvTargets;
import dev.sglj.engine.compute.ResidualSum;
import dev.sglj.engine.compute.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A {@link Backend} that forwards to a {@link CudaBackend} and, while recording, brackets each op
 * with device events, so a forward pass's device time splits by op (the events serialize nothing but
 * add a little launch overhead; use it for a breakdown, not for the headline time).
 */
final class OpProfile implements Backend {
    private final CudaBackend gpu;
    private final List<Object[]> marks = new ArrayList<>();
    private boolean recording;

    OpProfile(CudaBackend gpu) {
        this.gpu = gpu;
    }

    void start() {
        marks.clear();
        recording = true;
    }

    /** Device milliseconds per op name over the recorded ops (waits for the stream). */
    Map<String, Double> stop() {
        recording = false;
        Map<String, Double> total = new TreeMap<>();
        for (Object[] m : marks) {
            long a = (long) m[1];
            long b = (long) m[2];
            total.merge((String) m[0], (double) CudaDriver.elapsedMs(a, b), Double::sum);
            CudaDriver.destroyEvent(a);
            CudaDriver.destroyEvent(b);
        }
        marks.clear();
        return total;
    }

    private void timed(String op, Runnable r) {
        if (!recording) {
            r.run();
            return;
        }
        long a = CudaDriver.createEvent();
        long b = CudaDriver.createEvent();
        CudaDriver.recordEvent(a, gpu.stream());
        r.run();
        CudaDriver.recordEvent(b, gpu.stream());
        marks.add(new Object[] {op, a, b});
    }

    @Override public String name() { return gpu.name(); }
    @Override public DType activationDtype() { return gpu.activationDtype(); }
    @Override public Tensor allocate(DType dtype, long... shape) { return gpu.allocate(dtype, shape); }
    @Override public Tensor weight(HostTensor host) { return gpu.weight(host); }
    @Override public Tensor weightRows(String name, List<HostTensor> parts) { return gpu.weightRows(name, parts); }

    @Override
    public Tensor dummyWeight(String name, DType dtype, long[] shape, long seed, float range, float value) {
        return gpu.dummyWeight(name, dtype, shape, seed, range, value);
    }

    @Override public OptionalLong availableMemory() { return gpu.availableMemory(); }
    @Override public Tensor ints(int[] values) { return gpu.ints(values); }
    @Override public Tensor floats(float[] values, long... shape) { return gpu.floats(values, shape); }

    @Override
    public void writeInts(Tensor dst, long dstOffset, int[] src, int srcOffset, int len) {
        gpu.writeInts(dst, dstOffset, src, srcOffset, len);
    }

    @Override
    public void scatterInts(Tensor dst, int[] offsets, int[] values) {
        timed("scatterInts", () -> gpu.scatterInts(dst, offsets, values));
    }

    @Override public float[] toHost(Tensor t) { return gpu.toHost(t); }

    @Override
    public void embedding(Tensor table, Tensor ids, Tensor out) {
        timed("embedding", () -> gpu.embedding(table, ids, out));
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out) {
        timed("rmsNorm", () -> gpu.rmsNorm(x, weight, eps, out));
    }

    @Override
    public void addRmsNorm(Tensor x, Tensor residual, Tensor weight, float eps, Tensor out) {
        timed("addRmsNorm", () -> gpu.addRmsNorm(x, residual, weight, eps, out));
    }

    @Override
    public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
        timed("linear " + w.rows() + "x" + w.cols(), () -> gpu.linear(x, w, bias, out));
    }

    @Override
    public void qkvToCache(Tensor qkv, int numHeads, int numKvHeads, int headDim, Tensor qNorm, Tensor kNorm,
                           float eps, Tensor positions, Tensor cosSin, Tensor q, Tensor kCache, Tensor vCache,
                           Tensor outCacheLoc) {
        timed("qkvToCache", () -> gpu.qkvToCache(qkv, numHeads, numKvHeads, headDim, qNorm, kNorm, eps, positions,
                cosSin, q, kCache, vCache, outCacheLoc));
    }

    @Override
    public void attention(Tensor q, Tensor kCache, Tensor vCache, AttentionBatch batch, Tensor out, int numHeads,
                          int numKvHeads, int headDim, float scale) {
        timed("attention", () -> gpu.attention(q, kCache, vCache, batch, out, numHeads, numKvHeads, headDim, scale));
    }

    @Override
    public Tensor normStatistics(long rows, long cols) {
        return gpu.normStatistics(rows, cols);
    }

    @Override
    public ResidualSum embeddingIntoResidual(Tensor table, Tensor ids, Tensor out, Tensor stats) {
        ResidualSum[] result = new ResidualSum[1];
        timed("embeddingIntoResidual", () -> result[0] = gpu.embeddingIntoResidual(table, ids, out, stats));
        return result[0];
    }

    @Override
    public ResidualSum linearIntoResidual(Tensor x, Tensor w, Tensor bias, ResidualSum sum, Tensor delta,
                                          Tensor stats) {
        ResidualSum[] result = new ResidualSum[1];
        timed("linearIntoResidual " + w.rows() + "x" + w.cols(),
                () -> result[0] = gpu.linearIntoResidual(x, w, bias, sum, delta, stats));
        return result[0];
    }

    @Override
    public void norm(ResidualSum sum, Tensor weight, float eps, Tensor out) {
        timed("norm", () -> gpu.norm(sum, weight, eps, out));
    }

    @Override
    public void normedLinear(ResidualSum sum, Tensor normWeight, float eps, Tensor normed, Tensor w, Tensor bias,
                             Tensor out) {
        timed("normedLinear " + w.rows() + "x" + w.cols(), () -> gpu.normedLinear(sum, normWeight, eps, normed, w, bias,
                out));
    }

    @Override
    public void normedQkvToCache(ResidualSum sum, Tensor normWeight, float eps, Tensor normed, Tensor qkvWeight,
                                 Tensor qkvBias, Tensor qkv, QkvTargets targets) {
        timed("normedQkvToCache", () -> gpu.normedQkvToCache(sum, normWeight, eps, normed, qkvWeight, qkvBias, qkv,
                targets));
    }

    @Override
    public void normedGateUpSiluAndMul(ResidualSum sum, Tensor normWeight, float eps, Tensor normed,
                                       Tensor gateUpWeight, Tensor gateUp, Tensor out) {
        timed("normedGateUpSiluAndMul", () -> gpu.normedGateUpSiluAndMul(sum, normWeight, eps, normed, gateUpWeight,
                gateUp, out));
    }

    @Override
    public void siluAndMul(Tensor gateUp, Tensor out) {
        timed("siluAndMul", () -> gpu.siluAndMul(gateUp, out));
    }

    @Override
    public void gatherRows(Tensor x, Tensor rows, Tensor out) {
        timed("gatherRows", () -> gpu.gatherRows(x, rows, out));
    }

    @Override public void free(Tensor t) { gpu.free(t); }
    @Override public void close() { }
}
