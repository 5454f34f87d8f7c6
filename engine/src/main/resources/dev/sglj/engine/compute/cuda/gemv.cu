// Skinny GEMM for decode: out[n, o] = sum_k x[n, k] * w[o, k] (+ bias[o]) for M <= 4 rows of x, BF16 in,
// F32 accumulation, BF16 or F32 out. The weights are streamed once with 16-byte loads, U of them per
// weight row in flight in each lane before the first is used; x (at most 4 x 14336 BF16) comes from
// L1. Needs K % 8 == 0 and 16-byte aligned rows.
//
// The fused forms remove a decode layer's one-block ops at batch 1 and 2 (each launch between two GEMVs
// costs a few microseconds of an otherwise idle GPU):
//   GEMV_RESIDUAL     the output is the residual stream: out[n, o] += round(dot + bias), rounded as the
//                     add of add_rms_norm; every block adds its rows' sums of squares of the new values into
//                     slot `slot` of `stats` (below), so the next norm needs no pass of its own.
//   GEMV_NORMED       x is that residual: the GEMV of rmsNorm(x) with norm weight nw, the sum of squares read
//                     from the slot the RESIDUAL GEMV filled; each x chunk is normed and rounded to BF16 as
//                     rms_norm would store it, so only the order of the sum of squares differs from the
//                     separate ops. BF16 or F32 out (the final norm and lm_head: F32 logits).
//   GEMV_NORMED_SILU  GEMV_NORMED over the fused gate/up weight (O = 2 * inter rows): a warp owns gate
//                     rows j.. and the up rows inter + j..; out[n, j] = silu(g) * u with g and u rounded
//                     as the projection would store them.
//   GEMV_NORMED_QKV   GEMV_NORMED over the fused q/k/v weight, ending as qkv_to_cache does without q/k norms:
//                     a warp owns rows i and i + headDim / 2 of a head, rotates q and k heads (RoPE) and
//                     writes q to its row, k and v to the caches' slot loc[n].
// stats holds two slots of M (whole, fraction) pairs of 64-bit integers: a sum of squares s is added as
// floor(256 s) and the rest times 2^32, exactly, so the total is the same whatever order the blocks add
// in (the next token does not depend on scheduling). A RESIDUAL GEMV fills one slot and clears the other
// for the next one; the caller alternates them and zeroes both before the first, unless the first is
// embedding_residual (below), which sets its slot and clears the other.
#define GEMV_PLAIN 0
#define GEMV_RESIDUAL 1
#define GEMV_NORMED 2
#define GEMV_NORMED_SILU 3
#define GEMV_NORMED_QKV 4

// Where GEMV_NORMED_QKV writes: qkv_to_cache's arguments.
struct QkvTargets {
    const int* positions;
    const float* cosSin;
    bf16* q;
    bf16* kCache;
    bf16* vCache;
    const int* loc;
    int numHeads, numKvHeads, headDim;
};

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
__device__ __forceinline__ float load_out(const bf16* out, i64 i) { return bf2f(out[i]); }
__device__ __forceinline__ float load_out(const float* out, i64 i) { return out[i]; }

#define GEMV_STAT_SCALE 256.0f
// A sum of squares s in stats' fixed point: floor(256 s) and the rest times 2^32.
__device__ __forceinline__ void fixed_point(float s, unsigned long long& whole, unsigned long long& fraction) {
    float x = s * GEMV_STAT_SCALE;
    whole = (unsigned long long) x;
    fraction = (unsigned long long) ((x - (float) whole) * 4294967296.0f);
}

__device__ __forceinline__ void add_sum_of_squares(unsigned long long* cell, float s) {
    unsigned long long whole, fraction;
    fixed_point(s, whole, fraction);
    atomicAdd(cell, whole);
    atomicAdd(cell + 1, fraction);
}

__device__ __forceinline__ float sum_of_squares(const unsigned long long* cell) {
    return (float) (((double) cell[0] + (double) cell[1] * 0x1p-32) / GEMV_STAT_SCALE);
}

// rms_norm's output for 8 values: (x * inv) * w rounded to BF16 (cvt.rn, as f2bf rounds), as floats.
__device__ __forceinline__ void norm_bf16x8(float* xf, const float* nf, float inv) {
    #pragma unroll
    for (int j = 0; j < 8; j += 2) {
        unsigned int packed;
        asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(packed) : "f"(xf[j + 1] * inv * nf[j + 1]), "f"(xf[j] * inv * nf[j]));
        xf[j] = __uint_as_float(packed << 16);
        xf[j + 1] = __uint_as_float(packed & 0xffff0000u);
    }
}

// A warp owns R output rows (consecutive; in the paired forms, R / 2 pairs: gate rows and the matching up
// rows, or the RoPE pairs of a head);
// the S warps of a group (S divides GEMV_WARPS; S > 1 when O / R is too small to fill the GPU) split K
// between them and add up through shared memory. Lane l of part p reads chunks (8 values) p * 32 + l +
// 32 * S * i; the next U chunks of weights are requested before the x chunks they meet. Registers bound
// the warps an SM holds, so U and R trade bytes in flight per warp against warps per SM
// (scripts/cuda/NOTES.md has the measured choice).
template <int M, int R, int U, int MODE, typename OUT>
__device__ __forceinline__ void gemv(const bf16* __restrict__ x, const bf16* __restrict__ w,
                                     const bf16* __restrict__ bias, OUT* __restrict__ out, int K, int O, int S,
                                     unsigned long long* __restrict__ stats, int slot, const bf16* __restrict__ nw,
                                     float eps, QkvTargets qkv = {}) {
    constexpr bool NORMED = MODE == GEMV_NORMED || MODE == GEMV_NORMED_SILU || MODE == GEMV_NORMED_QKV;
    constexpr bool SILU = MODE == GEMV_NORMED_SILU;
    constexpr bool PAIRS = SILU || MODE == GEMV_NORMED_QKV;
    __shared__ float partial[GEMV_WARPS][R * M];
    __shared__ float sums[GEMV_WARPS][M];
    __shared__ float inv_rms[M];
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int part = warp % S;
    int group = blockIdx.x * (GEMV_WARPS / S) + warp / S;
    int half = O >> 1;
    int halfHead = qkv.headDim >> 1;
    // Pair p of the paired forms: gate row p and up row half + p, or rows i and i + headDim / 2 of head h.
    auto first_of_pair = [&](int p) { return SILU ? p : p + (p / halfHead) * halfHead; };
    int second = SILU ? half : halfHead;
    constexpr int PAIRS_PER_WARP = R / 2 > 0 ? R / 2 : 1;
    int rows[R];
    #pragma unroll
    for (int r = 0; r < R; r++) {
        int p = group * PAIRS_PER_WARP + r % PAIRS_PER_WARP;
        rows[r] = !PAIRS ? group * R + r : first_of_pair(p) + (r < R / 2 ? 0 : second);
    }
    int chunks = K >> 3;
    int stride = 32 * S;
    const uint4* wr[R];
    #pragma unroll
    for (int r = 0; r < R; r++) wr[r] = (const uint4*) (w + (i64) min(rows[r], O - 1) * K);
    const uint4* xr = (const uint4*) x;
    const uint4* nr = (const uint4*) nw;
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
    // Launched as a programmatic dependent (PDL), the weights above are on their way while the kernel
    // before drains; nothing it writes is read or written before this wait. Without PDL both are no-ops;
    // they need sm_90, and below it the launch is plain.
#if __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;");
    asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
    if constexpr (NORMED) {
        // The writer's sums of squares, while the first weights are on their way.
        if (threadIdx.x < M) inv_rms[threadIdx.x] = rsqrtf(sum_of_squares(stats + (slot * M + threadIdx.x) * 2) / K + eps);
        __syncthreads();
    }
    while (c < chunks) {
        uint4 xv[U][M];
        uint4 nv[U];
        #pragma unroll
        for (int u = 0; u < U; u++) {
            int cu = c + u * stride;
            #pragma unroll
            for (int n = 0; n < M; n++) xv[u][n] = cu < chunks ? __ldg(xr + (i64) n * chunks + cu) : uint4{};
            if (NORMED) nv[u] = cu < chunks ? __ldg(nr + cu) : uint4{};
        }
        #pragma unroll
        for (int u = 0; u < U; u++) {
            float wf[R][8];
            #pragma unroll
            for (int r = 0; r < R; r++) unpack_bf16x8(wv[u][r], wf[r]);
            float nf[8];
            if (NORMED) unpack_bf16x8(nv[u], nf);
            #pragma unroll
            for (int n = 0; n < M; n++) {
                float xf[8];
                unpack_bf16x8(xv[u][n], xf);
                if (NORMED) norm_bf16x8(xf, nf, inv_rms[n]);
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
    bool leader = part == 0 && lane == 0;
    if constexpr (MODE == GEMV_NORMED_QKV) {
        if (leader) {
            #pragma unroll
            for (int r = 0; r < R / 2; r++) {
                int p = group * (R / 2) + r;
                if (p < half) {
                    int head = p / halfHead, i = p - head * halfHead;
                    int ra = rows[r], rb = rows[r + R / 2];
                    float ba = bias != 0 ? bf2f(bias[ra]) : 0.0f, bb = bias != 0 ? bf2f(bias[rb]) : 0.0f;
                    i64 kvWidth = (i64) qkv.numKvHeads * qkv.headDim;
                    #pragma unroll
                    for (int n = 0; n < M; n++) {
                        float a = bf2f(f2bf(acc[r][n] + ba)), b = bf2f(f2bf(acc[r + R / 2][n] + bb));
                        if (head >= qkv.numHeads + qkv.numKvHeads) {
                            bf16* dst = qkv.vCache + qkv.loc[n] * kvWidth
                                        + (i64) (head - qkv.numHeads - qkv.numKvHeads) * qkv.headDim;
                            dst[i] = f2bf(a);
                            dst[i + halfHead] = f2bf(b);
                        } else {
                            const float* cs = qkv.cosSin + (i64) qkv.positions[n] * qkv.headDim;
                            float c = cs[i], sn = cs[halfHead + i];
                            bf16* dst = head < qkv.numHeads
                                    ? qkv.q + ((i64) n * qkv.numHeads + head) * qkv.headDim
                                    : qkv.kCache + qkv.loc[n] * kvWidth + (i64) (head - qkv.numHeads) * qkv.headDim;
                            dst[i] = f2bf(rope_first(a, b, c, sn));
                            dst[i + halfHead] = f2bf(rope_second(a, b, c, sn));
                        }
                    }
                }
            }
        }
    } else if constexpr (SILU) {
        if (leader) {
            #pragma unroll
            for (int r = 0; r < R / 2; r++) {
                int j = rows[r];
                if (j < half) {
                    #pragma unroll
                    for (int n = 0; n < M; n++) {
                        float g = bf2f(f2bf(acc[r][n])), u = bf2f(f2bf(acc[r + R / 2][n]));
                        store_out(out, (i64) n * half + j, g / (1.0f + __expf(-g)) * u);
                    }
                }
            }
        }
    } else {
        float squares[M];
        #pragma unroll
        for (int n = 0; n < M; n++) squares[n] = 0.0f;
        if (leader) {
            #pragma unroll
            for (int r = 0; r < R; r++) {
                int o = rows[r];
                if (o < O) {
                    float b = bias != 0 ? bf2f(bias[o]) : 0.0f;
                    #pragma unroll
                    for (int n = 0; n < M; n++) {
                        i64 at = (i64) n * O + o;
                        if (MODE == GEMV_RESIDUAL) {
                            float sum = bf2f(f2bf(bf2f(f2bf(acc[r][n] + b)) + load_out(out, at)));
                            store_out(out, at, sum);
                            squares[n] += sum * sum;
                        } else {
                            store_out(out, at, acc[r][n] + b);
                        }
                    }
                }
            }
        }
        if (MODE == GEMV_RESIDUAL) {
            if (blockIdx.x == 0 && threadIdx.x < 2 * M) stats[(1 - slot) * 2 * M + threadIdx.x] = 0;
            if (lane == 0) {
                #pragma unroll
                for (int n = 0; n < M; n++) sums[warp][n] = squares[n];
            }
            __syncthreads();
            if (threadIdx.x < M) {
                float ss = 0.0f;
                for (int v = 0; v < GEMV_WARPS; v++) ss += sums[v][threadIdx.x];
                add_sum_of_squares(stats + (slot * M + threadIdx.x) * 2, ss);
            }
        }
    }
}

// R (output rows per warp) and U (chunks in flight per row) for M rows of x: Gemv.rowsPerWarp must agree
// on R.
#define GEMV_KERNELS(M, R, U)                                                                                 \
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_bf16_##M(                                 \
        const bf16* x, const bf16* w, const bf16* bias, bf16* out, int K, int O, int S) {                     \
    gemv<M, R, U, GEMV_PLAIN, bf16>(x, w, bias, out, K, O, S, 0, 0, 0, 0.0f);                                 \
}                                                                                                             \
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_f32_##M(                                  \
        const bf16* x, const bf16* w, const bf16* bias, float* out, int K, int O, int S) {                    \
    gemv<M, R, U, GEMV_PLAIN, float>(x, w, bias, out, K, O, S, 0, 0, 0, 0.0f);                                \
}

// The fused forms, for the rows FusedLinears.MAX_ROWS allows; the gate/up form owns at least one (gate, up)
// pair a warp.
#define GEMV_FUSED_KERNELS(M, R, U)                                                                           \
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_residual_##M(                             \
        const bf16* x, const bf16* w, const bf16* bias, bf16* residual, int K, int O, int S,                  \
        unsigned long long* stats, int slot) {                                                                \
    gemv<M, R, U, GEMV_RESIDUAL, bf16>(x, w, bias, residual, K, O, S, stats, slot, 0, 0.0f);                  \
}                                                                                                             \
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_normed_##M(                               \
        const bf16* x, const bf16* w, const bf16* bias, bf16* out, int K, int O, int S,                       \
        unsigned long long* stats, int slot, const bf16* nw, float eps) {                                     \
    gemv<M, R, U, GEMV_NORMED, bf16>(x, w, bias, out, K, O, S, stats, slot, nw, eps);                         \
}                                                                                                             \
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_normed_f32_##M(                           \
        const bf16* x, const bf16* w, const bf16* bias, float* out, int K, int O, int S,                      \
        unsigned long long* stats, int slot, const bf16* nw, float eps) {                                     \
    gemv<M, R, U, GEMV_NORMED, float>(x, w, bias, out, K, O, S, stats, slot, nw, eps);                        \
}                                                                                                             \
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_normed_silu_##M(                          \
        const bf16* x, const bf16* w, bf16* out, int K, int O, int S, unsigned long long* stats, int slot,    \
        const bf16* nw, float eps) {                                                                          \
    gemv<M, (R < 2 ? 2 : R), U, GEMV_NORMED_SILU, bf16>(x, w, 0, out, K, O, S, stats, slot, nw, eps);         \
}                                                                                                             \
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_normed_qkv_##M(                           \
        const bf16* x, const bf16* w, const bf16* bias, int K, int O, int S, unsigned long long* stats,       \
        int slot, const bf16* nw, float eps, const int* positions, const float* cosSin, bf16* q,              \
        bf16* kCache, bf16* vCache, const int* loc, int numHeads, int numKvHeads, int headDim) {              \
    QkvTargets t = {positions, cosSin, q, kCache, vCache, loc, numHeads, numKvHeads, headDim};                \
    gemv<M, (R < 2 ? 2 : R), U, GEMV_NORMED_QKV, bf16>(x, w, bias, (bf16*) 0, K, O, S, stats, slot, nw, eps, t); \
}

GEMV_KERNELS(1, 1, 4)
GEMV_KERNELS(2, 2, 2)
GEMV_KERNELS(3, 2, 2)
GEMV_KERNELS(4, 4, 1)
GEMV_FUSED_KERNELS(1, 1, 4)
GEMV_FUSED_KERNELS(2, 2, 2)

// embedding (one block per row of out, the residual) that also sets the row's sum of squares in slot `slot`
// of stats and clears the other slot, as a RESIDUAL GEMV leaves them, so the first layer's normed GEMV needs
// no rms_norm before it. The sum is rms_norm's (same loop and block_sum over as many threads), and the fixed
// point holds it exactly from 2^-17 up, so the normed GEMV then gives rms_norm's bits. It lets its dependent
// (that GEMV) launch at once: the GEMV waits for it before reading anything.
extern "C" __global__ void embedding_residual(const bf16* table, const int* ids, bf16* out, int hidden,
                                              unsigned long long* stats, int slot) {
#if __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;");
#endif
    const bf16* src = table + (i64) ids[blockIdx.x] * hidden;
    bf16* dst = out + (i64) blockIdx.x * hidden;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
        bf16 v = src[i];
        dst[i] = v;
        float f = bf2f(v);
        ss += f * f;
    }
    ss = block_sum(ss);
    if (threadIdx.x == 0) {
        unsigned long long* cell = stats + (slot * gridDim.x + blockIdx.x) * 2;
        unsigned long long* other = stats + ((1 - slot) * gridDim.x + blockIdx.x) * 2;
        fixed_point(ss, cell[0], cell[1]);
        other[0] = 0;
        other[1] = 0;
    }
}
