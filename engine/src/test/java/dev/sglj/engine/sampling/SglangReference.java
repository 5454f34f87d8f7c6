package dev.sglj.engine.sampling;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Test reference: SGLang's {@code top_k_top_p_min_p_sampling_from_probs_torch} written with a full
 * sort in double precision. Returns the probability each token is drawn with (0 outside the kept set).
 */
final class SglangReference {
    private SglangReference() {
    }

    static double[] keptDistribution(float[] logits, double temperature, int topK, double topP, double minP) {
        int vocab = logits.length;
        double[] x = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            x[i] = logits[i] / (float) temperature;
            max = Math.max(max, x[i]);
        }
        double z = 0;
        double[] p = new double[vocab];
        for (int i = 0; i < vocab; i++) {
            p[i] = Math.exp(x[i] - max);
            z += p[i];
        }
        for (int i = 0; i < vocab; i++) {
            p[i] /= z;
        }
        Integer[] order = IntStream.range(0, vocab).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -p[i]).thenComparingInt(i -> i));
        int k = topK == -1 ? vocab : topK;
        double[] kept = new double[vocab];
        double exclusive = 0;
        double keptMass = 0;
        for (int r = 0; r < vocab; r++) {
            int id = order[r];
            boolean keep = r < k && exclusive <= topP && p[id] >= minP * p[order[0]];
            exclusive += p[id];
            if (keep) {
                kept[id] = p[id];
                keptMass += p[id];
            }
        }
        for (int i = 0; i < vocab; i++) {
            kept[i] /= keptMass;
        }
        return kept;
    }
}
