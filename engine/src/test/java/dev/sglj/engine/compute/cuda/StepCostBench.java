package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.model.DummyWeights;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.runner.ModelRunner;
import dev.sglj.engine.runner.StepLogits;
import dev.sglj.engine.sampling.RequestSampler;
import dev.sglj.engine.sampling.SamplingParams;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where a synchronous batch-1 decode step goes (as {@code bench one-batch} runs it) on the Llama-3.1-8B
 * shape with dummy weights and a CUDA graph: the step's wall time against the GPU time of the graph alone
 * (replays queued back to back, timed by events), and the host's parts of the step (building the batch and
 * the request-table write; uploading the inputs and launching the graph; sampling, which waits for the
 * GPU). Run on the GPU machine by {@code scripts/cuda/gpu-tests.sh steps}.
 *
 * One line per window of 128 steps, so the JIT's warm-up shows. Args: {@code [promptLen=1024] [steps=512]}.
 */
public final class StepCostBench {
    private StepCostBench() {}

    public static void main(String[] args) {
        int promptLen = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        ModelConfig config = DecodeBench.llama31_8b();
        RequestSampler[] greedy = {new RequestSampler(SamplingParams.builder().temperature(0.0).build(), new int[0],
                new int[0], 0L)};
        int[] firstRow = {0};
        try (CudaBackend gpu = new CudaBackend();
             ModelRunner runner = new ModelRunner(config, DummyWeights.create(config, 0), gpu, promptLen + steps + 64, 1,
                     promptLen + steps + 64, List.of(1))) {
            System.out.println("device: " + gpu.deviceInfo() + "; batch 1, prompt " + promptLen + ", " + steps
                    + " decode steps, CUDA graph");
            int row = runner.reqToToken().allocRow();
            int[] slots = runner.slots().alloc(promptLen);
            runner.reqToToken().write(row, 0, slots);
            SplittableRandom rnd = new SplittableRandom(1);
            int[] ids = new int[promptLen];
            int[] positions = new int[promptLen];
            for (int i = 0; i < promptLen; i++) {
                ids[i] = rnd.nextInt(10_000);
                positions[i] = i;
            }
            int[] lens = {promptLen};
            ForwardBatch prefill = new ForwardBatch(ForwardMode.EXTEND, ids, positions, new int[] {row}, lens.clone(),
                    new int[] {0}, lens.clone(), slots, ForwardBatch.lastRows(lens), lens.clone());
            int next;
            try (StepLogits logits = runner.run(prefill)) {
                next = logits.sample(firstRow, greedy)[0].tokenId();
            }
            int seq = promptLen;
            int window = Math.min(steps, 128);
            long[] build = new long[window], enqueue = new long[window], sample = new long[window],
                    total = new long[window];
            long start = CudaDriver.createEvent(0), end = CudaDriver.createEvent(0);
            System.out.println("steps      | step wall | graph alone | not graph | build+table | uploads+launch | sample (waits) | tok/s");
            for (int from = 0; from + window <= steps; from += window) {
                ForwardBatch last = null;
                for (int i = 0; i < window; i++) {
                    long t0 = System.nanoTime();
                    int[] slot = runner.slots().alloc(1);
                    int[] pos = {seq};
                    runner.reqToToken().writeEach(new int[] {row}, pos, slot);
                    last = new ForwardBatch(ForwardMode.DECODE, new int[] {next}, pos, new int[] {row},
                            new int[] {seq + 1}, new int[] {seq}, new int[] {1}, slot, firstRow, new int[] {seq + 1});
                    long t1 = System.nanoTime();
                    try (StepLogits logits = runner.run(last)) {
                        long t2 = System.nanoTime();
                        next = logits.sample(firstRow, greedy)[0].tokenId();
                        long t3 = System.nanoTime();
                        build[i] = t1 - t0;
                        enqueue[i] = t2 - t1;
                        sample[i] = t3 - t2;
                        total[i] = t3 - t0;
                    }
                    seq++;
                }
                int replays = 20;
                gpu.synchronize();
                CudaDriver.recordEvent(start, gpu.stream());
                for (int i = 0; i < replays; i++) runner.run(last).close();
                CudaDriver.recordEvent(end, gpu.stream());
                double graphUs = CudaDriver.elapsedMs(start, end) * 1e3 / replays;
                double step = median(total);
                System.out.printf("%4d-%-5d | %9.1f | %11.1f | %9.1f | %11.1f | %14.1f | %14.1f | %.1f%n", from,
                        from + window, step, graphUs, step - graphUs, median(build), median(enqueue), median(sample),
                        1e6 / step);
            }
            CudaDriver.destroyEvent(start);
            CudaDriver.destroyEvent(end);
            runner.slots().free(runner.reqToToken().read(row, 0, seq));
            runner.reqToToken().freeRow(row);
        }
    }

    private static double median(long[] nanos) {
        long[] v = nanos.clone();
        Arrays.sort(v);
        return v[v.length / 2] / 1e3;
    }
}
