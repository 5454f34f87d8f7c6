// Row-wise and elementwise kernels of the forward pass; activations BF16, math in F32.

extern "C" __global__ void convert_f32_to_bf16(const float* in, bf16* out, i64 n) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x)
        out[i] = f2bf(in[i]);
}

extern "C" __global__ void convert_f16_to_bf16(const unsigned short* in, bf16* out, i64 n) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x)
        out[i] = f2bf(h2f(in[i]));
}

// Uniform in [-range, range) from a counter-based hash of (seed, index): dummy weights made on the GPU.
extern "C" __global__ void fill_uniform_bf16(bf16* out, i64 n, unsigned long long seed, float range) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x) {
        unsigned long long z = seed + (unsigned long long) (i + 1) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        out[i] = f2bf(((float) (z >> 40) * 0x1p-23f - 1.0f) * range);
    }
}

extern "C" __global__ void fill_bf16(bf16* out, i64 n, float value) {
    bf16 v = f2bf(value);
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x)
        out[i] = v;
}

// dst[packed[i]] = packed[n + i] for i < n: offsets, then values
extern "C" __global__ void scatter_ints(int* dst, const int* packed, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) dst[packed[i]] = packed[n + i];
}

// out[row, :] = table[ids[row], :]
extern "C" __global__ void embedding(const bf16* table, const int* ids, bf16* out, int hidden) {
    const bf16* src = table + (i64) ids[blockIdx.x] * hidden;
    bf16* dst = out + (i64) blockIdx.x * hidden;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) dst[i] = src[i];
}

// One block per group of `group` contiguous elements (a row, or one head of a row).
extern "C" __global__ void rms_norm(const bf16* x, const bf16* weight, float eps, bf16* out, int group) {
    const bf16* in = x + (i64) blockIdx.x * group;
    bf16* o = out + (i64) blockIdx.x * group;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < group; i += blockDim.x) {
        float v = bf2f(in[i]);
        ss += v * v;
    }
    float inv = rsqrtf(block_sum(ss) / group + eps);
    for (int i = threadIdx.x; i < group; i += blockDim.x) o[i] = f2bf(bf2f(in[i]) * inv * bf2f(weight[i]));
}

// residual += x (stored in BF16); out = rmsNorm(residual). One block per row.
extern "C" __global__ void add_rms_norm(const bf16* x, bf16* residual, const bf16* weight, float eps, bf16* out,
                                        int cols) {
    const bf16* in = x + (i64) blockIdx.x * cols;
    bf16* res = residual + (i64) blockIdx.x * cols;
    bf16* o = out + (i64) blockIdx.x * cols;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        bf16 r = f2bf(bf2f(in[i]) + bf2f(res[i]));
        res[i] = r;
        float v = bf2f(r);
        ss += v * v;
    }
    float inv = rsqrtf(block_sum(ss) / cols + eps);
    for (int i = threadIdx.x; i < cols; i += blockDim.x) o[i] = f2bf(bf2f(res[i]) * inv * bf2f(weight[i]));
}

// add_rms_norm with 16-byte accesses, for rows of cols % 8 == 0 and 16-byte aligned operands: thread t owns
// the 8-column vectors t, t + blockDim.x, ... (at most ADD_NORM_VECTORS of them), kept in registers between
// the sum of squares and the scaling. Each element is rounded as add_rms_norm rounds it; only the order of
// the sum of squares differs.
#define ADD_NORM_VECTORS 4
extern "C" __global__ void add_rms_norm_x8(const uint4* x, uint4* residual, const uint4* weight, float eps, uint4* out,
                                           int cols) {
    int vectors = cols >> 3;
    i64 row = (i64) blockIdx.x * vectors;
    float r[ADD_NORM_VECTORS][8];
    float ss = 0.0f;
    #pragma unroll
    for (int c = 0; c < ADD_NORM_VECTORS; c++) {
        int v = threadIdx.x + c * blockDim.x;
        if (v < vectors) {
            float a[8];
            unpack_bf16x8(x[row + v], a);
            unpack_bf16x8(residual[row + v], r[c]);
            #pragma unroll
            for (int k = 0; k < 8; k++) {
                r[c][k] = bf2f(f2bf(a[k] + r[c][k]));
                ss += r[c][k] * r[c][k];
            }
            residual[row + v] = pack_bf16x8(r[c]);
        }
    }
    float inv = rsqrtf(block_sum(ss) / cols + eps);
    #pragma unroll
    for (int c = 0; c < ADD_NORM_VECTORS; c++) {
        int v = threadIdx.x + c * blockDim.x;
        if (v < vectors) {
            float w[8];
            unpack_bf16x8(weight[v], w);
            #pragma unroll
            for (int k = 0; k < 8; k++) w[k] = r[c][k] * inv * w[k];
            out[row + v] = pack_bf16x8(w);
        }
    }
}

// out[i, :] = x[rows[i], :] for 2- and 4-byte elements.
extern "C" __global__ void gather_rows_2(const unsigned short* x, const int* rows, unsigned short* out, int cols) {
    const unsigned short* src = x + (i64) rows[blockIdx.x] * cols;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) out[(i64) blockIdx.x * cols + i] = src[i];
}

extern "C" __global__ void gather_rows_4(const unsigned int* x, const int* rows, unsigned int* out, int cols) {
    const unsigned int* src = x + (i64) rows[blockIdx.x] * cols;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) out[(i64) blockIdx.x * cols + i] = src[i];
}

extern "C" __global__ void add_bias_bf16(bf16* out, const bf16* bias, i64 n, int cols) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x)
        out[i] = f2bf(bf2f(out[i]) + bf2f(bias[i % cols]));
}

extern "C" __global__ void add_bias_f32(float* out, const bf16* bias, i64 n, int cols) {
    for (i64 i = blockIdx.x * (i64) blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x)
        out[i] += bf2f(bias[i % cols]);
}
