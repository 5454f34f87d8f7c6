package dev.sglj.engine.sampling;

import java.util.Random;

/**
 * Speed of one row of sampling at a real vocabulary size; a program, not a test. Reports thread CPU time
 * (robust to a loaded machine) and wall time. Run with
 * {@code java --add-modules jdk.incubator.vector -cp <classes> dev.sglj.engine.sampling.SamplerBench [vocab]}.
 */
public final class SamplerBench {
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private SamplerBench() {
    }

    public static void main(String[] args) {
        int vocab = args.length > 0 ? Integer.parseInt(args[0]) : 151_936;
        float[] logits = new float[vocab];
        Random random = new Random(1);
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (random.nextGaussian() * 2.5);
        }
        for (int i = 0; i < 20; i++) {
            logits[random.nextInt(vocab)] = 18f + random.nextFloat() * 4;
        }
        int[] prompt = random.ints(2000, 0, vocab).toArray();
        Sampler sampler = new Sampler(vocab);
        bench("greedy", sampler, logits, SamplingParams.builder().temperature(0.0), prompt);
        bench("greedy, repetition 1.1 over 2000-token prompt", sampler, logits,
                SamplingParams.builder().temperature(0.0).repetitionPenalty(1.1), prompt);
        bench("T=0.7, full vocabulary", sampler, logits, SamplingParams.builder().temperature(0.7), prompt);
        bench("top_k=50", sampler, logits, SamplingParams.builder().topK(50), prompt);
        bench("top_k=20 top_p=0.8 T=0.7 (Qwen3 defaults)", sampler, logits,
                SamplingParams.builder().temperature(0.7).topK(20).topP(0.8), prompt);
        bench("top_p=0.9", sampler, logits, SamplingParams.builder().topP(0.9), prompt);
        bench("min_p=0.05", sampler, logits, SamplingParams.builder().minP(0.05), prompt);
        bench("top_k=5000", sampler, logits, SamplingParams.builder().topK(5000), prompt);
        bench("greedy + logprobs top 5", sampler, logits,
                SamplingParams.builder().temperature(0.0).returnLogprob(true).topLogprobsNum(5), prompt);
    }

    private static void bench(String name, Sampler sampler, float[] logits, SamplingParams.Builder params, int[] prompt) {
        RequestSampler state = new RequestSampler(params.samplingSeed(1L).maxNewTokens(1 << 30).build(), prompt,
                new int[] {0});
        long sink = 0;
        for (int i = 0; i < 2000; i++) {
            sink += sampler.sampleRow(logits, 0, state).tokenId();
        }
        int iterations = 2000;
        long wallStart = System.nanoTime();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < iterations; i++) {
            sink += sampler.sampleRow(logits, 0, state).tokenId();
        }
        double cpuMicros = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e3 / iterations;
        double wallMicros = (System.nanoTime() - wallStart) / 1e3 / iterations;
        System.out.printf("%-48s %8.1f us/row CPU %8.1f us/row wall  (vocab %d, sink %d)%n",
                name, cpuMicros, wallMicros, logits.length, sink % 10);
    }
}
