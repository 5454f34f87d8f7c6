// The row-wise, elementwise and fused kernels of the F32 compute path (--dtype float32): F32 weights,
// activations and KV cache, the same algorithms as elementwise.cu and fused.cu without BF16 rounding.
// Accurate expf and 1 / sqrtf (not __expf, rsqrtf): this path is held to transformers' float32 outputs.

extern "C" __global__ void f32_convert_bf16(const bf16* in, float* out, i64 n) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x)
        out[i] = bf2f(in[i]);
}

extern "C" __global__ void f32_convert_f16(const unsigned short* in, float* out, i64 n) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x)
        out[i] = h2f(in[i]);
}

// fill_uniform_bf16's values before their rounding to BF16.
extern "C" __global__ void f32_fill_uniform(float* out, i64 n, unsigned long long seed, float range) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x) {
        unsigned long long z = seed + (unsigned long long) (i + 1) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        out[i] = ((float) (z >> 40) * 0x1p-23f - 1.0f) * range;
    }
}

extern "C" __global__ void f32_fill(float* out, i64 n, float value) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x)
        out[i] = value;
}

// One block per group of `group` contiguous elements (a row, or one head of a row).
extern "C" __global__ void f32_rms_norm(const float* x, const float* weight, float eps, float* out, int group) {
    const float* in = x + (i64) blockIdx.x * group;
    float* o = out + (i64) blockIdx.x * group;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < group; i += blockDim.x) ss += in[i] * in[i];
    float inv = 1.0f / sqrtf(block_sum(ss) / group + eps);
    for (int i = threadIdx.x; i < group; i += blockDim.x) o[i] = in[i] * inv * weight[i];
}

// residual += x; out = rmsNorm(residual). One block per row.
extern "C" __global__ void f32_add_rms_norm(const float* x, float* residual, const float* weight, float eps,
                                            float* out, int cols) {
    const float* in = x + (i64) blockIdx.x * cols;
    float* res = residual + (i64) blockIdx.x * cols;
    float* o = out + (i64) blockIdx.x * cols;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        float r = in[i] + res[i];
        res[i] = r;
        ss += r * r;
    }
    float inv = 1.0f / sqrtf(block_sum(ss) / cols + eps);
    for (int i = threadIdx.x; i < cols; i += blockDim.x) o[i] = res[i] * inv * weight[i];
}

extern "C" __global__ void f32_add_bias(float* out, const float* bias, i64 n, int cols) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x)
        out[i] += bias[i % cols];
}

// Head dims up to 2 * 32 * F32_QKV_MAX_PAIRS: each lane of a head's warp holds up to this many rotary pairs.
#define F32_QKV_MAX_PAIRS 4

// qkv_to_cache of fused.cu in F32: one warp per (token, head) of a fused q/k/v row; q and k heads get the
// optional per-head RMSNorm and rotate-half RoPE from row positions[token] of cosSin, q heads go to row
// token of q, k heads to row loc[token] of kCache; v heads are copied to row loc[token] of vCache.
extern "C" __global__ void f32_qkv_to_cache(const float* qkv, const float* qNorm, const float* kNorm, float eps,
                                            const int* positions, const float* cosSin, float* q, float* kCache,
                                            float* vCache, const int* loc, int tokens, int numHeads, int numKvHeads,
                                            int headDim) {
    int heads = numHeads + 2 * numKvHeads;
    i64 w = (i64) blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (w >= (i64) tokens * heads) return;
    int lane = threadIdx.x & 31;
    int token = (int) (w / heads);
    int head = (int) (w - (i64) token * heads);
    const float* src = qkv + ((i64) token * heads + head) * headDim;
    i64 kvWidth = (i64) numKvHeads * headDim;
    if (head >= numHeads + numKvHeads) {
        float* dst = vCache + (i64) loc[token] * kvWidth + (i64) (head - numHeads - numKvHeads) * headDim;
        for (int j = lane; j < headDim; j += 32) dst[j] = src[j];
        return;
    }
    bool isQ = head < numHeads;
    float* dst = isQ ? q + ((i64) token * numHeads + head) * headDim
                     : kCache + (i64) loc[token] * kvWidth + (i64) (head - numHeads) * headDim;
    const float* norm = isQ ? qNorm : kNorm;
    int half = headDim >> 1;
    float a[F32_QKV_MAX_PAIRS], b[F32_QKV_MAX_PAIRS];
    float ss = 0.0f;
    #pragma unroll
    for (int i = 0; i < F32_QKV_MAX_PAIRS; i++) {
        int j = lane + 32 * i;
        a[i] = j < half ? src[j] : 0.0f;
        b[i] = j < half ? src[j + half] : 0.0f;
        ss += a[i] * a[i] + b[i] * b[i];
    }
    if (norm != nullptr) {
        float inv = 1.0f / sqrtf(warp_sum(ss) / headDim + eps);
        #pragma unroll
        for (int i = 0; i < F32_QKV_MAX_PAIRS; i++) {
            int j = lane + 32 * i;
            if (j < half) {
                a[i] = a[i] * inv * norm[j];
                b[i] = b[i] * inv * norm[j + half];
            }
        }
    }
    const float* cs = cosSin + (i64) positions[token] * headDim;
    #pragma unroll
    for (int i = 0; i < F32_QKV_MAX_PAIRS; i++) {
        int j = lane + 32 * i;
        if (j < half) {
            float c = cs[j], s = cs[half + j];
            dst[j] = a[i] * c - b[i] * s;
            dst[j + half] = b[i] * c + a[i] * s;
        }
    }
}

// out[r, c] = silu(gateUp[r, c]) * gateUp[r, inter + c]; blocks along x cover a row's columns, along y the rows.
extern "C" __global__ void f32_gate_up_silu_and_mul(const float* gateUp, float* out, int rows, int inter) {
    for (int r = blockIdx.y; r < rows; r += gridDim.y) {
        const float* g = gateUp + (i64) r * 2 * inter;
        float* o = out + (i64) r * inter;
        for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < inter; c += gridDim.x * blockDim.x) {
            float x = g[c];
            o[c] = x / (1.0f + expf(-x)) * g[inter + c];
        }
    }
}
