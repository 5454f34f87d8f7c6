// Skinny GEMM for decode: out[n, o] = sum_k x[n, k] * w[o, k] (+ bias[o]) for M <= 8 rows of x,
// 16-byte loads of w streamed once (cuBLAS reaches ~1.6 TB/s on such
// shapes; this is the batch-1 decode path). Needs K % 8 == 0 and 16-byte aligned rows.

__device__ __forceinline__ void unpack8(uint4 v, float* f) {
    f[0] = bf2f((bf16) (v.x & 0xffffu)); f[1] = bf2f((bf16) (v.x >> 16));
    f[2] = bf2f((bf16) (v.y & 0xffffu)); f[3] = bf2f((bf16) (v.y >> 16));
    f[4] = bf2f((bf16) (v.z & 0xffffu)); f[5] = bf2f((bf16) (v.z >> 16));
    f[6] = bf2f((bf16) (v.w & 0xffffu)); f[7] = bf2f((bf16) (v.w >> 16));
}

__device__ __forceinline__ void store_out(bf16* out, i64 i, float v) { out[i] = f2bf(v); }
__device__ __forceinline__ void store_out(float* out, i64 i, float v) { out[i] = v; }

#define GEMV_WARPS 8

// A block of GEMV_WARPS warps serves GEMV_WARPS / S groups of R output rows; the S warps of a group
// split K (S > 1 when O is too small to fill the GPU otherwise) and add up through shared memory.
// Each 16-byte chunk of x, read from L1/L2, serves R weight rows, so x traffic stays M / R times the
// weight traffic.
template <int M, int R, typename OUT>
__device__ void gemv(const bf16* __restrict__ x, const bf16* __restrict__ w, const bf16* __restrict__ bias,
                     OUT* __restrict__ out, int K, int O, int S) {
    __shared__ float partial[GEMV_WARPS][R * M];
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int part = warp % S;
    int o0 = (blockIdx.x * (GEMV_WARPS / S) + warp / S) * R;
    bool active = o0 < O;
    float acc[R][M];
    #pragma unroll
    for (int r = 0; r < R; r++) {
        #pragma unroll
        for (int n = 0; n < M; n++) acc[r][n] = 0.0f;
    }
    int chunks = K >> 3;
    if (active) {
        #pragma unroll (4 / R)
        for (int c = part * 32 + lane; c < chunks; c += 32 * S) {
            float wf[R][8];
            #pragma unroll
            for (int r = 0; r < R; r++) {
                int o = min(o0 + r, O - 1);
                unpack8(__ldg((const uint4*) (w + (i64) o * K) + c), wf[r]);
            }
            #pragma unroll
            for (int n = 0; n < M; n++) {
                float xf[8];
                unpack8(__ldg((const uint4*) (x + (i64) n * K) + c), xf);
                #pragma unroll
                for (int r = 0; r < R; r++) {
                    #pragma unroll
                    for (int j = 0; j < 8; j++) acc[r][n] += wf[r][j] * xf[j];
                }
            }
        }
    }
    #pragma unroll
    for (int r = 0; r < R; r++) {
        #pragma unroll
        for (int n = 0; n < M; n++) acc[r][n] = warp_sum(acc[r][n]);
    }
    if (S > 1) {
        if (lane == 0) {
            #pragma unroll
            for (int r = 0; r < R; r++) {
                #pragma unroll
                for (int n = 0; n < M; n++) partial[warp][r * M + n] = acc[r][n];
            }
        }
        __syncthreads();
        if (part == 0 && lane == 0) {
            for (int p = 1; p < S; p++) {
                #pragma unroll
                for (int r = 0; r < R; r++) {
                    #pragma unroll
                    for (int n = 0; n < M; n++) acc[r][n] += partial[warp + p][r * M + n];
                }
            }
        }
    }
    if (active && part == 0 && lane == 0) {
        #pragma unroll
        for (int r = 0; r < R; r++) {
            int o = o0 + r;
            if (o < O) {
                float b = bias != 0 ? bf2f(bias[o]) : 0.0f;
                #pragma unroll
                for (int n = 0; n < M; n++) store_out(out, (i64) n * O + o, acc[r][n] + b);
            }
        }
    }
}

// R (output rows per warp) for M rows of x: GEMV_ROWS_PER_WARP in CudaBackend must agree.
#define GEMV_KERNELS(M, R)                                                                                    \
extern "C" __global__ void gemv_bf16_##M(const bf16* x, const bf16* w, const bf16* bias, bf16* out, int K,    \
                                         int O, int S) {                                                      \
    gemv<M, R, bf16>(x, w, bias, out, K, O, S);                                                                  \
}                                                                                                             \
extern "C" __global__ void gemv_f32_##M(const bf16* x, const bf16* w, const bf16* bias, float* out, int K,    \
                                        int O, int S) {                                                       \
    gemv<M, R, float>(x, w, bias, out, K, O, S);                                                                 \
}

GEMV_KERNELS(1, 1)
GEMV_KERNELS(2, 2)
GEMV_KERNELS(3, 2)
GEMV_KERNELS(4, 2)
GEMV_KERNELS(5, 4)
GEMV_KERNELS(6, 4)
GEMV_KERNELS(7, 4)
GEMV_KERNELS(8, 4)
