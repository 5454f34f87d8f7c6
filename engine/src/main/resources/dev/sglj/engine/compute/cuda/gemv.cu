// Skinny GEMM for decode: out[n, o] = sum_k x[n, k] * w[o, k] (+ bias[o]) for M <= 8 rows of x,
// one warp per output row o, 16-byte loads of w streamed once (cuBLAS reaches ~1.6 TB/s on such
// shapes; this is the batch-1 decode path). Needs K % 8 == 0 and 16-byte aligned rows.

__device__ __forceinline__ void unpack8(uint4 v, float* f) {
    f[0] = bf2f((bf16) (v.x & 0xffffu)); f[1] = bf2f((bf16) (v.x >> 16));
    f[2] = bf2f((bf16) (v.y & 0xffffu)); f[3] = bf2f((bf16) (v.y >> 16));
    f[4] = bf2f((bf16) (v.z & 0xffffu)); f[5] = bf2f((bf16) (v.z >> 16));
    f[6] = bf2f((bf16) (v.w & 0xffffu)); f[7] = bf2f((bf16) (v.w >> 16));
}

__device__ __forceinline__ void store_out(bf16* out, i64 i, float v) { out[i] = f2bf(v); }
__device__ __forceinline__ void store_out(float* out, i64 i, float v) { out[i] = v; }

template <int M, typename OUT>
__device__ void gemv(const bf16* __restrict__ x, const bf16* __restrict__ w, const bf16* __restrict__ bias,
                     OUT* __restrict__ out, int K, int O) {
    int o = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    int lane = threadIdx.x & 31;
    if (o >= O) return;
    const uint4* wr = (const uint4*) (w + (i64) o * K);
    float acc[M];
    #pragma unroll
    for (int n = 0; n < M; n++) acc[n] = 0.0f;
    int chunks = K >> 3;
    #pragma unroll 4
    for (int c = lane; c < chunks; c += 32) {
        float wf[8];
        unpack8(__ldg(wr + c), wf);
        #pragma unroll
        for (int n = 0; n < M; n++) {
            float xf[8];
            unpack8(__ldg((const uint4*) (x + (i64) n * K) + c), xf);
            #pragma unroll
            for (int j = 0; j < 8; j++) acc[n] += wf[j] * xf[j];
        }
    }
    #pragma unroll
    for (int n = 0; n < M; n++) acc[n] = warp_sum(acc[n]);
    if (lane == 0) {
        float b = bias != 0 ? bf2f(bias[o]) : 0.0f;
        #pragma unroll
        for (int n = 0; n < M; n++) store_out(out, (i64) n * O + o, acc[n] + b);
    }
}

#define GEMV_KERNELS(M)                                                                                       \
extern "C" __global__ void gemv_bf16_##M(const bf16* x, const bf16* w, const bf16* bias, bf16* out, int K,    \
                                         int O) {                                                             \
    gemv<M, bf16>(x, w, bias, out, K, O);                                                                     \
}                                                                                                             \
extern "C" __global__ void gemv_f32_##M(const bf16* x, const bf16* w, const bf16* bias, float* out, int K,    \
                                        int O) {                                                              \
    gemv<M, float>(x, w, bias, out, K, O);                                                                    \
}

GEMV_KERNELS(1)
GEMV_KERNELS(2)
GEMV_KERNELS(3)
GEMV_KERNELS(4)
GEMV_KERNELS(5)
GEMV_KERNELS(6)
GEMV_KERNELS(7)
GEMV_KERNELS(8)
