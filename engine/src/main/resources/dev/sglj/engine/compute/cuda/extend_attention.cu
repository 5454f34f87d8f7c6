// EXTEND attention on tensor cores (flash-attention 2 scheme), same contract as attention.cu's
// extend_attention: ragged batch, K/V of every position read from the paged cache through the
// request-to-token table (page size 1), causal over the new tokens, grouped-query heads, BF16 in and
// out, F32 scores, online softmax in F32.
//
// Block: BM = WARPS * 16 * MT query rows of one q head of one request; warp w owns rows
// [w * 16 * MT, (w + 1) * 16 * MT) as MT m16 tiles. K/V tiles of BN keys go through shared memory with
// cp.async, two stages (tile i + 1 loads while tile i is used). S = Q K^T and O += P V are
// mma.sync.m16n8k16 (BF16 in, F32 accumulate); fragments come from ldmatrix (.trans for V). Shared rows
// are D BF16 = D / 8 chunks of 16 bytes, chunk c of row r stored at c ^ (r & 7): the 8 rows one
// ldmatrix reads hit 8 distinct bank groups.
//
// Grid: (q head, request, query tile), tile index counted from the request's last tile, so the
// blocks with the most keys start first.

#define TC_NEG_INF (-__int_as_float(0x7f800000))
#define TC_LOG2E 1.4426950408889634f

__device__ __forceinline__ unsigned tc_smem(const void* p) {
    unsigned r;
    asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(r) : "l"(p));
    return r;
}

// 16 bytes global -> shared; bytes == 0 writes zeros and reads nothing.
__device__ __forceinline__ void tc_cp16(unsigned dst, const void* src, int bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst), "l"(src), "r"(bytes) : "memory");
}

__device__ __forceinline__ void tc_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }

template <int N> __device__ __forceinline__ void tc_wait() { asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory"); }

__device__ __forceinline__ void tc_ldm4(unsigned addr, unsigned* r) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr));
}

__device__ __forceinline__ void tc_ldm4t(unsigned addr, unsigned* r) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr));
}

// c += a (16x16, row) * b (16x8, col).
__device__ __forceinline__ void tc_mma(float* c, const unsigned* a, unsigned b0, unsigned b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9},"
                 " {%0, %1, %2, %3};"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ float tc_exp2(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
}

// Two floats as BF16x2, lo in the low half (round to nearest even).
__device__ __forceinline__ unsigned tc_pack(float lo, float hi) {
    unsigned r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}

// Element offset of (row, dim) in a swizzled shared tile of D-wide rows; dim a multiple of 8 plus 0..7.
template <int D> __device__ __forceinline__ int tc_at(int row, int dim) {
    return row * D + ((((dim >> 3) ^ (row & 7))) << 3) + (dim & 7);
}

// The ROWS rows of a shared tile from global rows src(row) (nullptr: zeros), 16 bytes per thread and
// step; zero fills still name a valid global address (any). A thread keeps one chunk column and steps
// rows by THREADS / (D / 8), a multiple of 8, so its swizzled offset is the same on every step.
template <int D, int ROWS, int THREADS, typename Src>
__device__ __forceinline__ void tc_load_rows(bf16* tile, const bf16* any, Src src) {
    constexpr int CPR = D / 8, STEP = THREADS / CPR;
    static_assert(THREADS % CPR == 0 && STEP % 8 == 0 && ROWS % STEP == 0, "row steps must keep the swizzle");
    int row0 = threadIdx.x / CPR, col = (threadIdx.x % CPR) * 8;
    unsigned dst = tc_smem(tile + tc_at<D>(row0, col));
    #pragma unroll
    for (int k = 0; k < ROWS / STEP; k++) {
        const bf16* g = src(row0 + k * STEP);
        tc_cp16(dst + k * STEP * D * 2, g ? g + col : any, g ? 16 : 0);
    }
}

template <int D, int WARPS, int MT, int BN, bool QREG>
__device__ void tc_extend_attention(const bf16* q, const bf16* kCache, const bf16* vCache, const int* reqToToken,
                                    int stride, const int* reqPool, const int* seqLens, const int* extendLens,
                                    const int* extendStarts, bf16* out, int numHeads, int numKvHeads, float scale) {
    constexpr int THREADS = WARPS * 32, RW = 16 * MT, BM = WARPS * RW, KD = D / 16, NB = BN / 8, ND = D / 8;
    int head = blockIdx.x, r = blockIdx.y;
    int ext = extendLens[r];
    int tiles = (ext + BM - 1) / BM;
    if ((int) blockIdx.z >= tiles) return;
    int j0 = (tiles - 1 - (int) blockIdx.z) * BM;
    int prefix = seqLens[r] - ext;
    int rows = min(BM, ext - j0);
    int lastKey = prefix + j0 + rows - 1;
    int kvHead = head / (numHeads / numKvHeads);
    i64 qStride = (i64) numHeads * D, kvStride = (i64) numKvHeads * D;
    i64 firstRow = extendStarts[r] + j0;
    const int* table = reqToToken + (i64) reqPool[r] * stride;
    const bf16* kBase = kCache + kvHead * D;
    const bf16* vBase = vCache + kvHead * D;

    extern __shared__ __align__(128) unsigned char tc_shared[];
    bf16* qs = (bf16*) tc_shared;
    bf16* ks = qs + BM * D;       // [2][BN][D]
    bf16* vs = ks + 2 * BN * D;   // [2][BN][D]

    const bf16* qRow0 = q + firstRow * qStride + head * D;
    tc_load_rows<D, BM, THREADS>(qs, q, [&](int t) { return t < rows ? qRow0 + t * qStride : (const bf16*) nullptr; });
    auto loadKv = [&](int kt, int stage) {
        tc_load_rows<D, BN, THREADS>(ks + stage * BN * D, kCache, [&](int j) {
            return kt + j <= lastKey ? kBase + (i64) table[kt + j] * kvStride : (const bf16*) nullptr;
        });
        tc_load_rows<D, BN, THREADS>(vs + stage * BN * D, vCache, [&](int j) {
            return kt + j <= lastKey ? vBase + (i64) table[kt + j] * kvStride : (const bf16*) nullptr;
        });
    };
    loadKv(0, 0);
    tc_commit();

    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t4 = lane & 3;
    int rowBase = warp * RW;
    int firstPos = prefix + j0 + rowBase;  // position of the warp's first row
    float c = scale * TC_LOG2E;
    float o[MT][ND][4], m[MT][2], l[MT][2];
    #pragma unroll
    for (int mt = 0; mt < MT; mt++) {
        #pragma unroll
        for (int h = 0; h < 2; h++) {
            m[mt][h] = TC_NEG_INF;
            l[mt][h] = 0.0f;
        }
        #pragma unroll
        for (int n = 0; n < ND; n++) o[mt][n][0] = o[mt][n][1] = o[mt][n][2] = o[mt][n][3] = 0.0f;
    }
    unsigned qf[QREG ? MT : 1][QREG ? KD : 1][4];
    // ldmatrix lane addressing: A tiles (Q) lane -> row lane & 15, dims + (lane >> 4) * 8; K (B, keys
    // as rows) key + (lane & 7) + (lane >> 4) * 8, dims + ((lane >> 3) & 1) * 8; V (B via .trans) key
    // + (lane & 7) + ((lane >> 3) & 1) * 8, dims + (lane >> 4) * 8.
    int aRow = lane & 15, aDim = (lane >> 4) * 8;
    int kKey = (lane & 7) + (lane >> 4) * 8, kDim = ((lane >> 3) & 1) * 8;
    int vKey = (lane & 7) + ((lane >> 3) & 1) * 8, vDim = (lane >> 4) * 8;

    int nTiles = (lastKey + BN) / BN;
    for (int it = 0; it < nTiles; it++) {
        int kt = it * BN, stage = it & 1;
        if (it + 1 < nTiles) loadKv(kt + BN, stage ^ 1);
        tc_commit();
        tc_wait<1>();
        __syncthreads();
        if (QREG && it == 0) {
            #pragma unroll
            for (int mt = 0; mt < (QREG ? MT : 1); mt++) {
                #pragma unroll
                for (int kd = 0; kd < (QREG ? KD : 1); kd++)
                    tc_ldm4(tc_smem(qs + tc_at<D>(rowBase + mt * 16 + aRow, kd * 16 + aDim)), qf[mt][kd]);
            }
        }
        // Skipped: warps past the block's last row, and tiles whose keys all follow the warp's last row.
        if (rowBase < rows && kt <= firstPos + RW - 1) {
            const bf16* kTile = ks + stage * BN * D;
            const bf16* vTile = vs + stage * BN * D;
            float s[MT][NB][4];
            #pragma unroll
            for (int mt = 0; mt < MT; mt++) {
                #pragma unroll
                for (int n = 0; n < NB; n++) s[mt][n][0] = s[mt][n][1] = s[mt][n][2] = s[mt][n][3] = 0.0f;
            }
            #pragma unroll
            for (int kd = 0; kd < KD; kd++) {
                unsigned a[MT][4];
                #pragma unroll
                for (int mt = 0; mt < MT; mt++) {
                    if (QREG) {
                        #pragma unroll
                        for (int i = 0; i < 4; i++) a[mt][i] = qf[QREG ? mt : 0][QREG ? kd : 0][i];
                    } else {
                        tc_ldm4(tc_smem(qs + tc_at<D>(rowBase + mt * 16 + aRow, kd * 16 + aDim)), a[mt]);
                    }
                }
                #pragma unroll
                for (int n2 = 0; n2 < NB / 2; n2++) {
                    unsigned b[4];
                    tc_ldm4(tc_smem(kTile + tc_at<D>(n2 * 16 + kKey, kd * 16 + kDim)), b);
                    #pragma unroll
                    for (int mt = 0; mt < MT; mt++) {
                        tc_mma(s[mt][2 * n2], a[mt], b[0], b[1]);
                        tc_mma(s[mt][2 * n2 + 1], a[mt], b[2], b[3]);
                    }
                }
            }
            bool mask = kt + BN - 1 > firstPos;
            #pragma unroll
            for (int mt = 0; mt < MT; mt++) {
                #pragma unroll
                for (int h = 0; h < 2; h++) {
                    int pos = firstPos + mt * 16 + g + 8 * h;
                    float mx = TC_NEG_INF;
                    #pragma unroll
                    for (int n = 0; n < NB; n++) {
                        #pragma unroll
                        for (int e = 0; e < 2; e++) {
                            if (mask && kt + n * 8 + 2 * t4 + e > pos) s[mt][n][2 * h + e] = TC_NEG_INF;
                            mx = fmaxf(mx, s[mt][n][2 * h + e]);
                        }
                    }
                    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
                    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
                    // Key 0 of tile 0 is visible to every row, so mNew is finite from the first tile on.
                    float mNew = fmaxf(m[mt][h], mx);
                    float corr = tc_exp2((m[mt][h] - mNew) * c);
                    float mc = mNew * c;
                    float sum = 0.0f;
                    #pragma unroll
                    for (int n = 0; n < NB; n++) {
                        #pragma unroll
                        for (int e = 0; e < 2; e++) {
                            float p = tc_exp2(fmaf(s[mt][n][2 * h + e], c, -mc));
                            s[mt][n][2 * h + e] = p;
                            sum += p;
                        }
                    }
                    l[mt][h] = l[mt][h] * corr + sum;
                    m[mt][h] = mNew;
                    #pragma unroll
                    for (int n = 0; n < ND; n++) {
                        o[mt][n][2 * h] *= corr;
                        o[mt][n][2 * h + 1] *= corr;
                    }
                }
            }
            #pragma unroll
            for (int kk = 0; kk < BN / 16; kk++) {
                unsigned pa[MT][4];
                #pragma unroll
                for (int mt = 0; mt < MT; mt++) {
                    pa[mt][0] = tc_pack(s[mt][2 * kk][0], s[mt][2 * kk][1]);
                    pa[mt][1] = tc_pack(s[mt][2 * kk][2], s[mt][2 * kk][3]);
                    pa[mt][2] = tc_pack(s[mt][2 * kk + 1][0], s[mt][2 * kk + 1][1]);
                    pa[mt][3] = tc_pack(s[mt][2 * kk + 1][2], s[mt][2 * kk + 1][3]);
                }
                #pragma unroll
                for (int d2 = 0; d2 < ND / 2; d2++) {
                    unsigned b[4];
                    tc_ldm4t(tc_smem(vTile + tc_at<D>(kk * 16 + vKey, d2 * 16 + vDim)), b);
                    #pragma unroll
                    for (int mt = 0; mt < MT; mt++) {
                        tc_mma(o[mt][2 * d2], pa[mt], b[0], b[1]);
                        tc_mma(o[mt][2 * d2 + 1], pa[mt], b[2], b[3]);
                    }
                }
            }
        }
        __syncthreads();
    }

    // Normalise, stage the warp's rows in its own part of qs (no other warp reads it), store 16 bytes a lane.
    #pragma unroll
    for (int mt = 0; mt < MT; mt++) {
        #pragma unroll
        for (int h = 0; h < 2; h++) {
            float sum = l[mt][h];
            sum += __shfl_xor_sync(0xffffffffu, sum, 1);
            sum += __shfl_xor_sync(0xffffffffu, sum, 2);
            float inv = 1.0f / sum;
            int row = rowBase + mt * 16 + g + 8 * h;
            #pragma unroll
            for (int n = 0; n < ND; n++) {
                *(unsigned*) (qs + tc_at<D>(row, n * 8 + 2 * t4)) = tc_pack(o[mt][n][2 * h] * inv, o[mt][n][2 * h + 1] * inv);
            }
        }
    }
    __syncwarp();
    bf16* oRow0 = out + firstRow * qStride + head * D;
    #pragma unroll
    for (int i = lane; i < RW * ND; i += 32) {
        int row = rowBase + i / ND, cc = i % ND;
        if (row < rows) *(uint4*) (oRow0 + row * qStride + cc * 8) = *(const uint4*) (qs + tc_at<D>(row, cc * 8));
    }
}

// Dynamic shared bytes of one block: Q tile plus two stages of K and V tiles.
#define TC_SHARED_BYTES(D, WARPS, MT, BN) ((WARPS * 16 * MT + 4 * BN) * D * 2)

#define TC_EXTEND_KERNEL(NAME, D, WARPS, MT, BN, QREG, MINBLOCKS)                                              \
extern "C" __global__ void __launch_bounds__(WARPS * 32, MINBLOCKS) NAME(                                     \
        const bf16* q, const bf16* kCache, const bf16* vCache, const int* reqToToken, int stride,              \
        const int* reqPool, const int* seqLens, const int* extendLens, const int* extendStarts, bf16* out,     \
        int numHeads, int numKvHeads, float scale) {                                                           \
    tc_extend_attention<D, WARPS, MT, BN, QREG>(q, kCache, vCache, reqToToken, stride, reqPool, seqLens,      \
                                                extendLens, extendStarts, out, numHeads, numKvHeads, scale);  \
}

TC_EXTEND_KERNEL(extend_attention_tc_128, 128, 4, 2, 64, false, 2)
TC_EXTEND_KERNEL(extend_attention_tc_64, 64, 4, 2, 64, true, 2)
