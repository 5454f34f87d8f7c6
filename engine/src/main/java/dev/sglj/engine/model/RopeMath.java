package dev.sglj.engine.model;

/**
 * Inverse rotary frequencies and attention factors, as transformers' {@code modeling_rope_utils.py}
 * computes them (in float64 here; transformers rounds to float32). Every method returns
 * {@code headDim / 2} frequencies for the pairs {@code (i, i + headDim/2)} of the rotate-half form.
 */
public final class RopeMath {
    private RopeMath() {}

    /** {@code 1 / theta^(2i/dim)}: transformers' {@code _compute_default_rope_parameters}. */
    public static double[] baseInvFreq(double theta, int dim) {
        requireEvenDim(dim);
        double[] f = new double[dim / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1.0 / Math.pow(theta, (2.0 * i) / dim);
        }
        return f;
    }

    /**
     * Dynamic NTK ({@code _compute_dynamic_ntk_parameters}): once {@code seqLen} exceeds
     * {@code maxPositionEmbeddings} the base becomes
     * {@code theta * (factor * seqLen / maxPos - (factor - 1))^(dim / (dim - 2))}.
     */
    public static double[] dynamicInvFreq(RopeScaling.Dynamic d, int dim, long seqLen) {
        requireEvenDim(dim);
        double maxPos = d.maxPositionEmbeddings();
        double len = Math.max(seqLen, d.maxPositionEmbeddings());
        double base = d.theta() * Math.pow(d.factor() * len / maxPos - (d.factor() - 1), (double) dim / (dim - 2));
        return baseInvFreq(base, dim);
    }

    /**
     * Llama 3.1 ({@code _compute_llama3_parameters}): wavelengths longer than
     * {@code original / lowFreqFactor} are divided by {@code factor}, those shorter than
     * {@code original / highFreqFactor} are kept, and the band between is interpolated.
     */
    public static double[] llama3InvFreq(RopeScaling.Llama3 l, int dim) {
        double[] f = baseInvFreq(l.theta(), dim);
        double oldContext = l.originalMaxPositionEmbeddings();
        double lowFreqWavelen = oldContext / l.lowFreqFactor();
        double highFreqWavelen = oldContext / l.highFreqFactor();
        for (int i = 0; i < f.length; i++) {
            double wavelen = 2 * Math.PI / f[i];
            if (wavelen > lowFreqWavelen) {
                f[i] = f[i] / l.factor();
            } else if (wavelen >= highFreqWavelen) {
                double smooth = (oldContext / wavelen - l.lowFreqFactor()) / (l.highFreqFactor() - l.lowFreqFactor());
                f[i] = (1 - smooth) * f[i] / l.factor() + smooth * f[i];
            }
        }
        return f;
    }

    /**
     * YaRN ({@code _compute_yarn_parameters}): frequencies blend from extrapolated (high
     * frequency) to interpolated (divided by {@code factor}) along a linear ramp over the
     * dimensions between the correction range found from {@code betaFast} and {@code betaSlow}.
     */
    public static double[] yarnInvFreq(RopeScaling.Yarn y, int dim) {
        requireEvenDim(dim);
        double[] range = yarnCorrectionRange(y, dim);
        double low = range[0];
        double high = range[0] == range[1] ? range[1] + 0.001 : range[1];
        double[] f = new double[dim / 2];
        for (int i = 0; i < f.length; i++) {
            double posFreq = Math.pow(y.theta(), (2.0 * i) / dim);
            double extrapolation = 1.0 / posFreq;
            double interpolation = 1.0 / (y.factor() * posFreq);
            double ramp = Math.clamp((i - low) / (high - low), 0.0, 1.0);
            double extrapolationWeight = 1 - ramp;
            f[i] = interpolation * (1 - extrapolationWeight) + extrapolation * extrapolationWeight;
        }
        return f;
    }

    /** {@code [low, high]}: transformers' {@code find_correction_range}, floored/ceiled when {@code truncate}. */
    static double[] yarnCorrectionRange(RopeScaling.Yarn y, int dim) {
        double low = correctionDim(y.betaFast(), dim, y.theta(), y.originalMaxPositionEmbeddings());
        double high = correctionDim(y.betaSlow(), dim, y.theta(), y.originalMaxPositionEmbeddings());
        if (y.truncate()) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        return new double[] {Math.max(low, 0), Math.min(high, dim - 1)};
    }

    private static double correctionDim(double numRotations, int dim, double base, int maxPositionEmbeddings) {
        return (dim * Math.log(maxPositionEmbeddings / (numRotations * 2 * Math.PI))) / (2 * Math.log(base));
    }

    /**
     * The factor on cos and sin: the explicit {@code attention_factor} if given, else
     * {@code mscale(factor, mscale) / mscale(factor, mscale_all_dim)} when both are set and non-zero,
     * else {@code mscale(factor, 1)}; with {@code mscale(s, m) = s <= 1 ? 1 : 0.1 m ln s + 1}.
     */
    public static double yarnAttentionFactor(RopeScaling.Yarn y) {
        if (y.explicitAttentionFactor() != null) {
            return y.explicitAttentionFactor();
        }
        if (y.mscale() != 0 && y.mscaleAllDim() != 0) {
            return yarnMscale(y.factor(), y.mscale()) / yarnMscale(y.factor(), y.mscaleAllDim());
        }
        return yarnMscale(y.factor(), 1);
    }

    private static double yarnMscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    private static void requireEvenDim(int dim) {
        if (dim <= 0 || dim % 2 != 0) {
            throw new IllegalArgumentException("rotary dimension must be a positive even number (got " + dim + ")");
        }
    }
}
