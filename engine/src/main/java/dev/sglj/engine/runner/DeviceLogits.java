package dev.sglj.engine.runner;

import dev.sglj.engine.compute.Tensor;
import dev.sglj.engine.compute.cuda.CudaBackend;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SampledToken;
import dev.sglj.engine.sampling.Sampler;

/**
 * F32 logits {@code [rows, vocab]} on the GPU. {@code owned}: an eager pass's tensor, freed on close; a CUDA
 * graph's logits belong to the graph.
 */
final class DeviceLogits implements StepLogits {
    private final CudaBackend gpu;
    private final Tensor logits;
    private final int rows;
    private final boolean owned;
    private final Sampler hostSampler;
    private HostLogits host;

    DeviceLogits(CudaBackend gpu, Tensor logits, int rows, boolean owned, Sampler hostSampler) {
        this.gpu = gpu;
        this.logits = logits;
        this.rows = rows;
        this.owned = owned;
        this.hostSampler = hostSampler;
    }

    @Override
    public SampledToken[] sample(int[] rowIndices, RequestSampler[] states) {
        return onHost().sample(rowIndices, states);
    }

    @Override
    public SampledToken[] logprobs(int[] rowIndices, int[] tokens, int topN) {
        return onHost().logprobs(rowIndices, tokens, topN);
    }

    @Override
    public float[] toHost() {
        return onHost().logits();
    }

    private HostLogits onHost() {
        if (host == null) host = new HostLogits(gpu.toHostRows(logits, rows), hostSampler);
        return host;
    }

    @Override
    public void close() {
        if (owned) gpu.free(logits);
    }
}
