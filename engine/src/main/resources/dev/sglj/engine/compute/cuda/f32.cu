// The row-wise and elementwise kernels of the F32 compute path (--dtype float32): F32 weights, activations
// and KV cache, the same algorithms as elementwise.cu without BF16 rounding (fused.cu and attention.cu
// instantiate their kernels for F32 too).
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
