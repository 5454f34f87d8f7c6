package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.kv.KvPool;
import dev.sglj.engine.model.DummyWeights;
import dev.sglj.engine.model.ForwardBatch;
import dev.sglj.engine.model.ForwardMode;
import dev.sglj.engine.model.LlamaWeightNames;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.model.RopeScaling;
import dev.sglj.engine.runner.ModelRunner;
import java.util.Arrays;
import java.util.Random;

/**
 * Decode step time of a Llama-3.1-8B-shaped model with dummy weights on the GPU, at batch 1 and 32,
 * against the bandwidth floor (every weight byte read once per step). Run on the GPU machine by
 * {@code scripts/cuda/gpu-tests.sh bench}; prints one table.
 *
 * <p>Args: {@code [promptLen=512] [steps=30] [batches=1,32]}.
 */
public final class DecodeBench {
    private DecodeBench() {}

    static ModelConfig llama31_8b() {
        return new ModelConfig("LlamaForCausalLM", "llama", 128256, 4096, 14336, 32, 32, 8, 128, 1e-5f, false,
                false, false, 131072, new RopeScaling.Llama3(500000, 8, 1, 4, 8192), DType.BF16,
                new int[] {128001}, 128000);
    }

    public static void main(String[] args) {
        int promptLen = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int[] batches = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 32};
        ModelConfig config = llama31_8b();
        System.out.println("Llama-3.1-8B shape, --load-format dummy weights, prompt " + promptLen + ", " + steps
                + " decode steps (median of the last " + (steps - 3) + ")");
        long weightBytes = LlamaWeightNames.required(config).stream()
                .mapToLong(s -> Arrays.stream(s.shape()).reduce(1, Math::multiplyExact) * 2).sum();
        try (CudaBackend gpu = new CudaBackend()) {
            System.out.println("device: " + gpu.deviceInfo());
            System.out.println(gpu.kernelCompileSummary());
            double copyBandwidth = copyBandwidth(gpu);
            System.out.printf("device-to-device copy: %.2f TB/s (read + write)%n", copyBandwidth / 1e12);

            if (!"0".equals(System.getenv("BENCH_GEMV"))) linearTable(gpu);

            long t0 = System.nanoTime();
            DummyWeights weights = DummyWeights.create(config, 0);
            long t1 = System.nanoTime();
            long[] mem = gpu.memoryInfo();
            double mfs = KvPoolSizing.defaultMemFractionStatic(mem[1], 8192, 256);
            long perSlot = KvPool.bytesPerSlot(config.numLayers(), config.numKvHeads(), config.headDim(), DType.BF16);
            int poolTokens = KvPoolSizing.tokens(mem[0] - weightBytes, mem[1], mfs, perSlot);
            int maxBatch = Arrays.stream(batches).max().orElse(1);
            OpProfile profile = new OpProfile(gpu);
            try (ModelRunner runner = new ModelRunner(config, weights, profile, poolTokens, maxBatch,
                    promptLen + steps + 8)) {
                gpu.synchronize();
                long t2 = System.nanoTime();
                weights.close();
                System.out.printf("weights %.2f GB bf16: dummy source %.1f s, filled on the device %.1f s; "
                                + "mem-fraction-static %.3f -> KV pool %d tokens (%.1f GiB)%n",
                        weightBytes / 1e9, (t1 - t0) / 1e9, (t2 - t1) / 1e9, mfs, poolTokens,
                        (double) poolTokens * perSlot / (1L << 30));
                System.out.printf("bandwidth floor per decode step: (%.2f GB weights + batch * context * %d B of KV)"
                        + " / 3.06 TB/s (the card's measured read bandwidth)%n", weightBytes / 1e9, perSlot);
                System.out.println("| batch | prefill tokens | prefill ms | decode step median ms | p10 | p90 | floor ms | floor/median | tokens/s |");
                System.out.println("|---|---|---|---|---|---|---|---|---|");
                StringBuilder profiles = new StringBuilder();
                for (int batch : batches) {
                    long needed = (long) batch * (promptLen + steps + 1);
                    if (needed > poolTokens) {
                        System.out.printf("| %d | skipped: needs %d KV slots, the pool has %d |%n", batch, needed, poolTokens);
                        continue;
                    }
                    profiles.append(bench(runner, profile, config, batch, promptLen, steps, weightBytes, perSlot));
                }
                System.out.print(profiles);
            }
        }
    }

    /** Streaming GEMV vs cuBLAS on the 8B model's projection shapes, in TB/s of weight bytes. */
    private static void linearTable(CudaBackend gpu) {
        int[][] shapes = {{4096, 4096}, {1024, 4096}, {14336, 4096}, {4096, 14336}, {128256, 4096}};
        int[] ms = {1, 2, 4, 8, 16};
        System.out.println("linear weight-read bandwidth, TB/s (GEMV kernel / cuBLAS), weights rotated past L2:");
        StringBuilder head = new StringBuilder("| out x in |");
        for (int m : ms) head.append(" M=").append(m).append(" |");
        System.out.println(head);
        System.out.println("|---|" + "---|".repeat(ms.length));
        for (int[] shape : shapes) {
            long bytes = 2L * shape[0] * shape[1];
            int copies = (int) Math.max(1, Math.min(8, (256L << 20) / bytes));
            CudaTensor[] w = new CudaTensor[copies];
            for (int i = 0; i < copies; i++) {
                w[i] = (CudaTensor) gpu.dummyWeight("w", DType.BF16, new long[] {shape[0], shape[1]}, i, 1e-2f, 0f);
            }
            StringBuilder row = new StringBuilder("| " + shape[0] + " x " + shape[1] + " |");
            for (int m : ms) {
                CudaTensor x = (CudaTensor) gpu.dummyWeight("x", DType.BF16, new long[] {m, shape[1]}, 99, 1f, 0f);
                CudaTensor out = (CudaTensor) gpu.allocate(DType.BF16, m, shape[0]);
                String cell = "";
                for (boolean gemv : new boolean[] {true, false}) {
                    if (gemv && m > Gemv.MAX_ROWS) {
                        cell = "- / ";
                        continue;
                    }
                    Runnable op = () -> {
                        for (int rep = 0; rep < 40; rep++) {
                            if (gemv) gpu.linears().gemv(x, w[rep % copies], null, out);
                            else gpu.linears().gemm(x, w[rep % copies], null, out);
                        }
                    };
                    op.run();
                    float ms1 = gpu.time(op);
                    double tbs = bytes * 40 / (ms1 / 1e3) / 1e12;
                    cell += String.format(gemv ? "%.2f / " : "%.2f", tbs);
                }
                row.append(" ").append(cell).append(" |");
                gpu.free(x);
                gpu.free(out);
            }
            System.out.println(row);
            for (CudaTensor t : w) gpu.free(t);
        }
    }

    private static double copyBandwidth(CudaBackend gpu) {
        long bytes = 2L << 30;
        var src = gpu.allocate(DType.BF16, bytes / 2);
        var dst = gpu.allocate(DType.BF16, bytes / 2);
        long s = ((CudaTensor) src).ptr();
        long d = ((CudaTensor) dst).ptr();
        CudaDriver.copyOnDevice(d, s, bytes, gpu.stream());
        float ms = gpu.time(() -> {
            for (int i = 0; i < 10; i++) CudaDriver.copyOnDevice(d, s, bytes, gpu.stream());
        });
        gpu.free(src);
        gpu.free(dst);
        return 2.0 * bytes * 10 / (ms / 1e3);
    }

    /** Prints the table row; returns the per-op device-time breakdown of one extra decode step. */
    private static String bench(ModelRunner runner, OpProfile profile, ModelConfig config, int batch, int promptLen,
                                int steps, long weightBytes, long perSlot) {
        Random random = new Random(batch);
        int[] rows = new int[batch];
        int[][] slots = new int[batch][];
        int[] inputIds = new int[batch * promptLen];
        int[] positions = new int[batch * promptLen];
        int[] outCacheLoc = new int[batch * promptLen];
        for (int r = 0; r < batch; r++) {
            rows[r] = runner.reqToToken().allocRow();
            slots[r] = runner.slots().alloc(promptLen + steps + 1);
            runner.reqToToken().write(rows[r], 0, slots[r]);
            for (int j = 0; j < promptLen; j++) {
                inputIds[r * promptLen + j] = random.nextInt(config.vocabSize());
                positions[r * promptLen + j] = j;
                outCacheLoc[r * promptLen + j] = slots[r][j];
            }
        }
        int[] lens = new int[batch];
        Arrays.fill(lens, promptLen);
        int[] extend = lens.clone();
        ForwardBatch prefill = new ForwardBatch(ForwardMode.EXTEND, inputIds, positions, rows, lens, new int[batch],
                extend, outCacheLoc, ForwardBatch.lastRows(extend), lens);
        long p0 = System.nanoTime();
        runner.forward(prefill);
        double prefillMs = (System.nanoTime() - p0) / 1e6;

        double[] times = new double[steps + 1];
        int[] ones = new int[batch];
        Arrays.fill(ones, 1);
        StringBuilder breakdown = new StringBuilder();
        for (int step = 0; step <= steps; step++) {
            int[] ids = new int[batch];
            int[] pos = new int[batch];
            int[] loc = new int[batch];
            int[] seq = new int[batch];
            int[] prefix = new int[batch];
            for (int r = 0; r < batch; r++) {
                ids[r] = random.nextInt(config.vocabSize());
                pos[r] = promptLen + step;
                loc[r] = slots[r][promptLen + step];
                seq[r] = promptLen + step + 1;
                prefix[r] = promptLen + step;
            }
            ForwardBatch decode = new ForwardBatch(ForwardMode.DECODE, ids, pos, rows, seq, prefix, ones, loc,
                    ForwardBatch.lastRows(ones), seq);
            if (step == steps) {
                profile.start();
                long t = System.nanoTime();
                runner.forward(decode);
                double wall = (System.nanoTime() - t) / 1e6;
                var ops = profile.stop();
                double sum = ops.values().stream().mapToDouble(Double::doubleValue).sum();
                breakdown.append(String.format("%nbatch %d, one profiled decode step: %.2f ms wall, %.2f ms in ops:%n",
                        batch, wall, sum));
                ops.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                        .forEach(e -> breakdown.append(String.format("  %-28s %7.3f ms%n", e.getKey(), e.getValue())));
                break;
            }
            long t = System.nanoTime();
            runner.forward(decode);
            times[step] = (System.nanoTime() - t) / 1e6;
        }
        double[] measured = Arrays.copyOfRange(times, Math.min(3, steps - 1), steps);
        double kvBytes = (double) batch * (promptLen + steps / 2.0) * perSlot;
        double floorMs = (weightBytes + kvBytes) / 3.06e12 * 1e3;
        Arrays.sort(measured);
        double median = measured[measured.length / 2];
        System.out.printf("| %d | %d | %.1f | %.2f | %.2f | %.2f | %.2f | %.0f%% | %.0f |%n", batch, batch * promptLen,
                prefillMs, median, measured[measured.length / 10], measured[measured.length * 9 / 10], floorMs,
                100 * floorMs / median, batch * 1000 / median);
        for (int r = 0; r < batch; r++) {
            runner.slots().free(slots[r]);
            runner.reqToToken().freeRow(rows[r]);
        }
        return breakdown.toString();
    }
}
