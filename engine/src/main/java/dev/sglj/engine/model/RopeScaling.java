package dev.sglj.engine.model;

/**
 * Rotary embedding frequencies for each HF {@code rope_type}: default, linear, dynamic, llama3, yarn.
 * Equal to transformers' {@code ROPE_INIT_FUNCTIONS} (modeling_rope_utils.py).
 */
public sealed interface RopeScaling {
    double theta();

    /**
     * Inverse frequencies ({@code headDim/2} values) for a sequence of {@code seqLen} tokens. Only
     * {@link Dynamic} depends on {@code seqLen}.
     */
    double[] invFreq(int headDim, long seqLen);

    /** Factor applied to cos and sin (yarn's mscale; 1 for the others). */
    default double attentionFactor() {
        return 1.0;
    }

    record Default(double theta) implements RopeScaling {
        @Override
        public double[] invFreq(int headDim, long seqLen) {
            return RopeMath.baseInvFreq(theta, headDim);
        }
    }

    record Linear(double theta, double factor) implements RopeScaling {
        @Override
        public double[] invFreq(int headDim, long seqLen) {
            double[] f = RopeMath.baseInvFreq(theta, headDim);
            for (int i = 0; i < f.length; i++) f[i] /= factor;
            return f;
        }
    }

    /** Dynamic NTK: the base grows once the sequence passes {@code maxPositionEmbeddings}. */
    record Dynamic(double theta, double factor, int maxPositionEmbeddings) implements RopeScaling {
        @Override
        public double[] invFreq(int headDim, long seqLen) {
            return RopeMath.dynamicInvFreq(this, headDim, seqLen);
        }
    }

    record Llama3(double theta, double factor, double lowFreqFactor, double highFreqFactor,
                  int originalMaxPositionEmbeddings) implements RopeScaling {
        @Override
        public double[] invFreq(int headDim, long seqLen) {
            return RopeMath.llama3InvFreq(this, headDim);
        }
    }

    record Yarn(double theta, double factor, int originalMaxPositionEmbeddings, double betaFast,
                double betaSlow, double mscale, double mscaleAllDim, Double explicitAttentionFactor,
                boolean truncate) implements RopeScaling {
        @Override
        public double[] invFreq(int headDim, long seqLen) {
            return RopeMath.yarnInvFreq(this, headDim);
        }

        @Override
        public double attentionFactor() {
            return RopeMath.yarnAttentionFactor(this);
        }
    }
}
