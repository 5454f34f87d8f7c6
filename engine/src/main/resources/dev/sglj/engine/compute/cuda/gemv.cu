// Skinny GEMM for decode: out[n, o] = sum_k x[n, k] * w[o, k] (+ bias[o]) for M <= 4 rows of x, BF16 in,
// F32 accumulation, BF16 or F32 out. The weights are streamed once with 16-byte loads, U of them per
// weight row in flight in each lane before the first is used; x (at most 4 x 14336 BF16) comes from
// L1. Needs K % 8 == 0 and 16-byte aligned rows.

#define GEMV_WARPS 4

// Weight chunks are read once: skip L1 (it keeps x) and fetch 256-byte L2 sectors.
__device__ __forceinline__ uint4 load_weights(const uint4* p) {
    uint4 v;
    asm("ld.global.nc.L1::no_allocate.L2::256B.v4.u32 {%0, %1, %2, %3}, [%4];"
        : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

__device__ __forceinline__ void store_out(bf16* out, i64 i, float v) { out[i] = f2bf(v); }
__device__ __forceinline__ void store_out(float* out, i64 i, float v) { out[i] = v; }

// A warp owns R consecutive output rows; the S warps of a group (S divides GEMV_WARPS; S > 1 when O / R
// is too small to fill the GPU) split K between them and add up through shared memory. Lane l of part
// p reads chunks (8 values) p * 32 + l + 32 * S * i; the next U chunks of weights are requested before
// the x chunks they meet. Registers bound the warps an SM holds, so U and R trade bytes in flight per
// warp against warps per SM (scripts/cuda/NOTES.md has the measured choice).
template <int M, int R, int U, typename OUT>
__device__ __forceinline__ void gemv(const bf16* __restrict__ x, const bf16* __restrict__ w,
                                     const bf16* __restrict__ bias, OUT* __restrict__ out, int K, int O, int S) {
    __shared__ float partial[GEMV_WARPS][R * M];
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int part = warp % S;
    int o0 = (blockIdx.x * (GEMV_WARPS / S) + warp / S) * R;
    int chunks = K >> 3;
    int stride = 32 * S;
    const uint4* wr[R];
    #pragma unroll
    for (int r = 0; r < R; r++) wr[r] = (const uint4*) (w + (i64) min(o0 + r, O - 1) * K);
    const uint4* xr = (const uint4*) x;
    float acc[R][M];
    #pragma unroll
    for (int r = 0; r < R; r++) {
        #pragma unroll
        for (int n = 0; n < M; n++) acc[r][n] = 0.0f;
    }
    int c = part * 32 + lane;
    uint4 wv[U][R];
    #pragma unroll
    for (int u = 0; u < U; u++) {
        int cu = c + u * stride;
        #pragma unroll
        for (int r = 0; r < R; r++) wv[u][r] = cu < chunks ? load_weights(wr[r] + cu) : uint4{};
    }
    while (c < chunks) {
        uint4 xv[U][M];
        #pragma unroll
        for (int u = 0; u < U; u++) {
            int cu = c + u * stride;
            #pragma unroll
            for (int n = 0; n < M; n++) xv[u][n] = cu < chunks ? __ldg(xr + (i64) n * chunks + cu) : uint4{};
        }
        #pragma unroll
        for (int u = 0; u < U; u++) {
            float wf[R][8];
            #pragma unroll
            for (int r = 0; r < R; r++) unpack_bf16x8(wv[u][r], wf[r]);
            #pragma unroll
            for (int n = 0; n < M; n++) {
                float xf[8];
                unpack_bf16x8(xv[u][n], xf);
                #pragma unroll
                for (int r = 0; r < R; r++) {
                    #pragma unroll
                    for (int j = 0; j < 8; j++) acc[r][n] += wf[r][j] * xf[j];
                }
            }
        }
        c += U * stride;
        #pragma unroll
        for (int u = 0; u < U; u++) {
            int cu = c + u * stride;
            #pragma unroll
            for (int r = 0; r < R; r++) wv[u][r] = cu < chunks ? load_weights(wr[r] + cu) : uint4{};
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
    if (part == 0 && lane == 0) {
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

// R (output rows per warp) and U (chunks in flight per row) for M rows of x: CudaBackend.gemvRowsPerWarp
// must agree on R.
#define GEMV_KERNELS(M, R, U)                                                                                 \
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_bf16_##M(                                 \
        const bf16* x, const bf16* w, const bf16* bias, bf16* out, int K, int O, int S) {                     \
    gemv<M, R, U, bf16>(x, w, bias, out, K, O, S);                                                            \
}                                                                                                             \
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_f32_##M(                                  \
        const bf16* x, const bf16* w, const bf16* bias, float* out, int K, int O, int S) {                    \
    gemv<M, R, U, float>(x, w, bias, out, K, O, S);                                                           \
}

GEMV_KERNELS(1, 1, 4)
GEMV_KERNELS(2, 2, 2)
GEMV_KERNELS(3, 2, 2)
GEMV_KERNELS(4, 4, 1)
