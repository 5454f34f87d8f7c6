// Causal attention over KV slots read through the request-to-token table (page size 1), BF16 in and
// out (and F32 instances of the CUDA-core extend kernel, the per-dim decode kernel and the merge for
// --dtype float32, accurate expf there), F32 scores and accumulators, online (flash) softmax. Grouped-query: q head h reads kv head
// h / (numHeads / numKvHeads). Head dimension D <= 32 * NI: in extend, lane l owns dims l + 32 i; in
// decode, dims l * NI + i (one vector load per row).

#define EXT_ROWS_PER_WARP 4
#define EXT_WARPS 4
#define EXT_BM (EXT_ROWS_PER_WARP * EXT_WARPS)
#define EXT_BN 32
#define NEG_INF (-__int_as_float(0x7f800000))

// q . k of a staged key row: BF16 rows are read as packed pairs.
__device__ __forceinline__ float tile_dot(const float* qr, const bf16* kr, int D) {
    const unsigned int* pairs = (const unsigned int*) kr;
    float dot = 0.0f;
    for (int d = 0; d < D; d += 2) {
        unsigned int pair = pairs[d >> 1];
        dot += qr[d] * bf2f((bf16) (pair & 0xffffu)) + qr[d + 1] * bf2f((bf16) (pair >> 16));
    }
    return dot;
}

__device__ __forceinline__ float tile_dot(const float* qr, const float* kr, int D) {
    float dot = 0.0f;
    for (int d = 0; d < D; d++) dot += qr[d] * kr[d];
    return dot;
}

// EXTEND (CUDA cores; head dims without a tensor-core tile, and the F32 path): block (query tile of EXT_BM
// new tokens, q head, request). K/V tiles of EXT_BN keys are
// staged in shared memory; lane j scores key j of the tile for each of its warp's rows.
template <typename T, int NI>
__device__ void extend_attention(const T* q, const T* kCache, const T* vCache, const int* reqToToken,
                                 int stride, const int* reqPool, const int* seqLens, const int* extendLens,
                                 const int* extendStarts, T* out, int numHeads, int numKvHeads, int D,
                                 float scale) {
    int r = blockIdx.z, head = blockIdx.y;
    int ext = extendLens[r];
    int j0 = blockIdx.x * EXT_BM;
    if (j0 >= ext) return;
    int prefix = seqLens[r] - ext;
    i64 firstRow = extendStarts[r] + j0;
    int rows = min(EXT_BM, ext - j0);
    int kvHead = head / (numHeads / numKvHeads);
    int kStride = D + Elem<T>::TILE_PAD;

    extern __shared__ float smem[];
    float* qs = smem;
    T* ks = (T*) (qs + EXT_BM * D);
    T* vs = ks + EXT_BN * kStride;
    int* slots = (int*) (vs + EXT_BN * kStride);

    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    i64 qStride = (i64) numHeads * D;
    for (int i = threadIdx.x; i < EXT_BM * D; i += blockDim.x) {
        int t = i / D, d = i - t * D;
        qs[i] = t < rows ? Elem<T>::load(q[(firstRow + t) * qStride + head * D + d]) * scale : 0.0f;
    }
    float m[EXT_ROWS_PER_WARP], l[EXT_ROWS_PER_WARP], acc[EXT_ROWS_PER_WARP][NI];
    #pragma unroll
    for (int rr = 0; rr < EXT_ROWS_PER_WARP; rr++) {
        m[rr] = NEG_INF;
        l[rr] = 0.0f;
        #pragma unroll
        for (int i = 0; i < NI; i++) acc[rr][i] = 0.0f;
    }
    int lastKey = prefix + j0 + rows - 1;
    const int* table = reqToToken + (i64) reqPool[r] * stride;
    i64 kvStride = (i64) numKvHeads * D;

    for (int kt = 0; kt <= lastKey; kt += EXT_BN) {
        __syncthreads();
        if (threadIdx.x < EXT_BN) slots[threadIdx.x] = kt + threadIdx.x <= lastKey ? table[kt + threadIdx.x] : -1;
        __syncthreads();
        for (int i = threadIdx.x; i < EXT_BN * D; i += blockDim.x) {
            int j = i / D, d = i - j * D;
            int s = slots[j];
            T kv = 0, vv = 0;
            if (s >= 0) {
                kv = kCache[(i64) s * kvStride + kvHead * D + d];
                vv = vCache[(i64) s * kvStride + kvHead * D + d];
            }
            ks[j * kStride + d] = kv;
            vs[j * kStride + d] = vv;
        }
        __syncthreads();
        #pragma unroll
        for (int rr = 0; rr < EXT_ROWS_PER_WARP; rr++) {
            int t = warp * EXT_ROWS_PER_WARP + rr;
            if (t < rows) {
                int qpos = prefix + j0 + t;
                int key = kt + lane;
                float s = NEG_INF;
                if (key <= qpos) {
                    s = tile_dot(qs + t * D, ks + lane * kStride, D);
                }
                float tileMax = warp_max(s);
                if (tileMax != NEG_INF) {
                    float mNew = fmaxf(m[rr], tileMax);
                    float corr = Elem<T>::softmax_exp(m[rr] - mNew);
                    float p = key <= qpos ? Elem<T>::softmax_exp(s - mNew) : 0.0f;
                    l[rr] = l[rr] * corr + warp_sum(p);
                    #pragma unroll
                    for (int i = 0; i < NI; i++) acc[rr][i] *= corr;
                    int keys = min(EXT_BN, qpos - kt + 1);
                    for (int j = 0; j < keys; j++) {
                        float pj = __shfl_sync(0xffffffffu, p, j);
                        const T* vr = vs + j * kStride;
                        #pragma unroll
                        for (int i = 0; i < NI; i++) {
                            int d = lane + 32 * i;
                            if (d < D) acc[rr][i] += pj * Elem<T>::load(vr[d]);
                        }
                    }
                    m[rr] = mNew;
                }
            }
        }
    }
    #pragma unroll
    for (int rr = 0; rr < EXT_ROWS_PER_WARP; rr++) {
        int t = warp * EXT_ROWS_PER_WARP + rr;
        if (t < rows) {
            float inv = 1.0f / l[rr];
            T* o = out + (firstRow + t) * qStride + head * D;
            #pragma unroll
            for (int i = 0; i < NI; i++) {
                int d = lane + 32 * i;
                if (d < D) o[d] = Elem<T>::store(acc[rr][i] * inv);
            }
        }
    }
}

// NI consecutive BF16 values of one row, still packed (two per word), so that the next batch of
// K/V rows can be in flight while the current one is used without doubling the registers.
template <int NI> struct Raw { unsigned int w[(NI + 1) / 2]; };

// One NI-wide load (p aligned to 2 * NI bytes).
template <int NI> __device__ __forceinline__ void load_raw(const bf16* p, Raw<NI>& r);
template <> __device__ __forceinline__ void load_raw<1>(const bf16* p, Raw<1>& r) { r.w[0] = *p; }
template <> __device__ __forceinline__ void load_raw<2>(const bf16* p, Raw<2>& r) { r.w[0] = *(const unsigned int*) p; }
template <> __device__ __forceinline__ void load_raw<4>(const bf16* p, Raw<4>& r) {
    uint2 v = *(const uint2*) p;
    r.w[0] = v.x; r.w[1] = v.y;
}
template <> __device__ __forceinline__ void load_raw<8>(const bf16* p, Raw<8>& r) {
    uint4 v = *(const uint4*) p;
    r.w[0] = v.x; r.w[1] = v.y; r.w[2] = v.z; r.w[3] = v.w;
}

template <int NI> __device__ __forceinline__ void unpack_raw(const Raw<NI>& r, float* f) {
    #pragma unroll
    for (int i = 0; i < NI; i++) f[i] = bf2f((bf16) ((r.w[i / 2] >> (16 * (i % 2))) & 0xffffu));
}

// Row `base` of a cache (dims lane * NI ..) into r: one vector load when possible, else element-wise
// with zeros past D; all zeros when the slot is -1.
template <int NI>
__device__ __forceinline__ void fetch_row(const bf16* cache, int slot, i64 offset, int lane, int D, bool vec,
                                          i64 kvStride, Raw<NI>& r) {
    #pragma unroll
    for (int j = 0; j < (NI + 1) / 2; j++) r.w[j] = 0;
    if (slot < 0 || lane * NI >= D) return;
    const bf16* p = cache + (i64) slot * kvStride + offset + lane * NI;
    if (vec) {
        load_raw<NI>(p, r);
    } else {
        #pragma unroll
        for (int i = 0; i < NI; i++) {
            if (lane * NI + i < D) r.w[i / 2] |= ((unsigned int) p[i]) << (16 * (i % 2));
        }
    }
}

// Dims lane * NI .. of a K/V row as loaded, until the row is used: BF16 stays packed (Raw), F32 as floats.
template <typename T, int NI> struct KvRow;
template <int NI> struct KvRow<bf16, NI> {
    Raw<NI> raw;
    __device__ __forceinline__ void fetch(const bf16* cache, int slot, i64 offset, int lane, int D, bool vec,
                                          i64 kvStride) {
        fetch_row<NI>(cache, slot, offset, lane, D, vec, kvStride, raw);
    }
    __device__ __forceinline__ void unpack(float* f) const { unpack_raw<NI>(raw, f); }
};
// One or two vector loads when vec, else element-wise with zeros past D; all zeros when the slot is -1.
template <int NI> struct KvRow<float, NI> {
    float v[NI];
    __device__ __forceinline__ void fetch(const float* cache, int slot, i64 offset, int lane, int D, bool vec,
                                          i64 kvStride) {
        #pragma unroll
        for (int i = 0; i < NI; i++) v[i] = 0.0f;
        if (slot < 0 || lane * NI >= D) return;
        const float* p = cache + (i64) slot * kvStride + offset + lane * NI;
        if (vec) {
            if constexpr (NI == 1) {
                v[0] = *p;
            } else if constexpr (NI == 2) {
                float2 x = *(const float2*) p;
                v[0] = x.x; v[1] = x.y;
            } else {
                #pragma unroll
                for (int c = 0; c < NI / 4; c++) {
                    float4 x = ((const float4*) p)[c];
                    v[4 * c] = x.x; v[4 * c + 1] = x.y; v[4 * c + 2] = x.z; v[4 * c + 3] = x.w;
                }
            }
        } else {
            #pragma unroll
            for (int i = 0; i < NI; i++) {
                if (lane * NI + i < D) v[i] = p[i];
            }
        }
    }
    __device__ __forceinline__ void unpack(float* f) const {
        #pragma unroll
        for (int i = 0; i < NI; i++) f[i] = v[i];
    }
};

#define DEC_WARPS 4
#define DEC_UNROLL 4

// A decode block's result for dim d of one q head: the output itself when the request uses one split,
// else its softmax state (max, sum, unnormalised output) in the head's merge cell `cell`.
template <typename T>
__device__ __forceinline__ void store_decode_result(T* out, float* partial, i64 outIndex, i64 cell, int used,
                                                    int D, int d, float bm, float sum, float o) {
    if (used == 1) {
        out[outIndex] = Elem<T>::store(o / sum);
    } else {
        partial[cell * (D + 2) + 2 + d] = o;
        if (d == 0) {
            partial[cell * (D + 2)] = bm;
            partial[cell * (D + 2) + 1] = sum;
        }
    }
}

// DECODE for BF16 head dims that are not a multiple of 8 (decode_attention_rows below takes the others)
// and for every F32 head dim: block (request, group of G q heads sharing one kv head, split), so each K/V
// row is read once for the G heads. Split s covers keys [s * chunk, min(seqLen, (s + 1) * chunk)) with
// chunk = ceil(seqLen / used splits); each warp walks every DEC_WARPS-th batch of DEC_UNROLL keys.
template <typename T, int NI, int G>
__device__ void decode_attention(const T* q, const T* kCache, const T* vCache, const int* reqToToken,
                                 int stride, const int* reqPool, const int* seqLens, const int* extendStarts,
                                 T* out, float* partial, int numHeads, int numKvHeads, int D, float scale,
                                 int minKeys, int spread, int balanceKeys) {
    int r = blockIdx.x, head0 = blockIdx.y * G, split = blockIdx.z, splits = gridDim.z;
    int seq = seqLens[r];
    int used = decode_splits_used(seq, splits, minKeys, spread, balanceKeys);
    if (split >= used) return;
    int chunk = (seq + used - 1) / used;
    int begin = split * chunk, end = min(seq, begin + chunk);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int kvHead = head0 / (numHeads / numKvHeads);
    i64 row = extendStarts[r];
    i64 qStride = (i64) numHeads * D;
    i64 kvStride = (i64) numKvHeads * D;
    const int* table = reqToToken + (i64) reqPool[r] * stride;

    // Lane owns dims [lane * NI, lane * NI + NI): one NI-wide load per row when D % NI == 0.
    bool vec = D % NI == 0;
    float qv[G][NI], acc[G][NI], m[G], l[G];
    #pragma unroll
    for (int g = 0; g < G; g++) {
        m[g] = NEG_INF;
        l[g] = 0.0f;
        #pragma unroll
        for (int i = 0; i < NI; i++) {
            int d = lane * NI + i;
            qv[g][i] = d < D ? Elem<T>::load(q[row * qStride + (head0 + g) * D + d]) * scale : 0.0f;
            acc[g][i] = 0.0f;
        }
    }
    // Lane u < DEC_UNROLL holds the KV slot of key k0 + u. Software pipeline: while batch k0 is
    // scored, the K/V rows of the next batch are loading and the slots of the one after.
    const int step = DEC_WARPS * DEC_UNROLL;
    i64 offset = (i64) kvHead * D;
    int k0 = begin + warp * DEC_UNROLL;
    int slot = lane < DEC_UNROLL && k0 + lane < end ? table[k0 + lane] : -1;
    KvRow<T, NI> rk[DEC_UNROLL], rv[DEC_UNROLL];
    #pragma unroll
    for (int u = 0; u < DEC_UNROLL; u++) {
        int su = __shfl_sync(0xffffffffu, slot, u);
        rk[u].fetch(kCache, su, offset, lane, D, vec, kvStride);
        rv[u].fetch(vCache, su, offset, lane, D, vec, kvStride);
    }
    slot = lane < DEC_UNROLL && k0 + step + lane < end ? table[k0 + step + lane] : -1;
    for (; k0 < end; k0 += step) {
        float kk[DEC_UNROLL][NI], vv[DEC_UNROLL][NI];
        #pragma unroll
        for (int u = 0; u < DEC_UNROLL; u++) {
            rk[u].unpack(kk[u]);
            rv[u].unpack(vv[u]);
        }
        #pragma unroll
        for (int u = 0; u < DEC_UNROLL; u++) {
            int su = __shfl_sync(0xffffffffu, slot, u);
            rk[u].fetch(kCache, su, offset, lane, D, vec, kvStride);
            rv[u].fetch(vCache, su, offset, lane, D, vec, kvStride);
        }
        int k2 = k0 + 2 * step;
        slot = lane < DEC_UNROLL && k2 + lane < end ? table[k2 + lane] : -1;
        #pragma unroll
        for (int g = 0; g < G; g++) {
            float s[DEC_UNROLL];
            #pragma unroll
            for (int u = 0; u < DEC_UNROLL; u++) {
                float dot = 0.0f;
                #pragma unroll
                for (int i = 0; i < NI; i++) dot += qv[g][i] * kk[u][i];
                s[u] = dot;
            }
            #pragma unroll
            for (int u = 0; u < DEC_UNROLL; u++) s[u] = k0 + u < end ? warp_sum(s[u]) : NEG_INF;
            float mNew = m[g];
            #pragma unroll
            for (int u = 0; u < DEC_UNROLL; u++) mNew = fmaxf(mNew, s[u]);
            float corr = Elem<T>::softmax_exp(m[g] - mNew);
            l[g] *= corr;
            #pragma unroll
            for (int i = 0; i < NI; i++) acc[g][i] *= corr;
            #pragma unroll
            for (int u = 0; u < DEC_UNROLL; u++) {
                float p = Elem<T>::softmax_exp(s[u] - mNew);
                l[g] += p;
                #pragma unroll
                for (int i = 0; i < NI; i++) acc[g][i] += p * vv[u][i];
            }
            m[g] = mNew;
        }
    }

    __shared__ float wm[DEC_WARPS][G], wl[DEC_WARPS][G];
    __shared__ float wacc[DEC_WARPS][G][32 * NI];
    #pragma unroll
    for (int g = 0; g < G; g++) {
        if (lane == 0) {
            wm[warp][g] = m[g];
            wl[warp][g] = l[g];
        }
        #pragma unroll
        for (int i = 0; i < NI; i++) wacc[warp][g][lane * NI + i] = acc[g][i];
    }
    __syncthreads();
    for (int e = threadIdx.x; e < G * D; e += blockDim.x) {
        int g = e / D, d = e - g * D;
        float bm = NEG_INF;
        #pragma unroll
        for (int w = 0; w < DEC_WARPS; w++) bm = fmaxf(bm, wm[w][g]);
        float sum = 0.0f, o = 0.0f;
        #pragma unroll
        for (int w = 0; w < DEC_WARPS; w++) {
            float f = wm[w][g] == NEG_INF ? 0.0f : Elem<T>::softmax_exp(wm[w][g] - bm);
            sum += wl[w][g] * f;
            o += wacc[w][g][d] * f;
        }
        store_decode_result(out, partial, row * qStride + (head0 + g) * D + d,
                            ((i64) r * numHeads + head0 + g) * splits + split, used, D, d, bm, sum, o);
    }
}

#define DV_WARPS 4

__device__ __forceinline__ unsigned shared_address(const void* p) {
    unsigned a;
    asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
    return a;
}

// 16 bytes global -> shared without registers; zero-filled when !valid (src must still be mapped).
__device__ __forceinline__ void copy_async16(unsigned dst, const void* src, bool valid) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" :: "r"(dst), "l"(src), "r"(valid ? 16 : 0) : "memory");
}

__device__ __forceinline__ void copy_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }

template <int N> __device__ __forceinline__ void copy_async_wait() {
    asm volatile("cp.async.wait_group %0;" :: "n"(N) : "memory");
}

// Dynamic shared memory of decode_attention_rows: each warp's ring of STAGES steps (U = min(L, UMAX)
// loads of K and of V per lane, 16 bytes each), then the warps' softmax states.
// AttentionKernels.decodeRowsSharedBytes must agree.
__host__ __device__ constexpr int decode_rows_shared_bytes(int L, int G, int stages, int umax) {
    return DV_WARPS * stages * (L < umax ? L : umax) * 2 * 32 * 16 + 2 * DV_WARPS * G * 4;
}

// DECODE for head dims D that are a multiple of 8, D <= 8 * L: block (request, group of G q heads
// sharing one kv head, split). L lanes (a power of two) hold a K/V row as 16-byte chunks, so a warp
// load covers P = 32 / L keys and a step of U = min(L, UMAX) loads KW = U * P keys (KW <= 32 for
// UMAX <= 32: one table entry per lane). Split s covers keys [s * chunk, min(seqLen, (s + 1) * chunk)), chunk = ceil(seqLen / used
// splits) rounded up to whole steps; warp w takes steps w, w + DV_WARPS, ... Each warp streams its K/V
// rows into its own shared-memory ring with cp.async, STAGES - 1 steps ahead of the one it scores; a
// lane only reads back what it copied, so no barrier is needed inside the loop. The P key rows of a
// load keep separate softmax states until the end.
template <int L, int G, int STAGES, int UMAX>
__device__ void decode_attention_rows(const bf16* q, const bf16* kCache, const bf16* vCache, const int* reqToToken,
                                      int stride, const int* reqPool, const int* seqLens, const int* extendStarts,
                                      bf16* out, float* partial, int numHeads, int numKvHeads, int D, float scale,
                                      int minKeys, int spread, int balanceKeys) {
    constexpr int P = 32 / L;
    constexpr int U = L < UMAX ? L : UMAX;
    constexpr int KW = U * P;
    int r = blockIdx.x, head0 = blockIdx.y * G, split = blockIdx.z, splits = gridDim.z;
    int seq = seqLens[r];
    int used = decode_splits_used(seq, splits, minKeys, spread, balanceKeys);
    if (split >= used) return;
    int chunk = ((seq + used - 1) / used + KW - 1) / KW * KW;
    int begin = min(seq, split * chunk), end = min(seq, begin + chunk);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int sub = lane / L, dl = lane % L;
    bool dimOk = dl * 8 < D;
    int kvHead = head0 / (numHeads / numKvHeads);
    i64 row = extendStarts[r];
    i64 qStride = (i64) numHeads * D;
    i64 kvStride = (i64) numKvHeads * D;
    i64 rowOffset = (i64) kvHead * D + dl * 8;
    const int* table = reqToToken + (i64) reqPool[r] * stride;

    float qv[G][8], acc[G][8], m[G], l[G];
    #pragma unroll
    for (int g = 0; g < G; g++) {
        m[g] = NEG_INF;
        l[g] = 0.0f;
        uint4 raw = dimOk ? *(const uint4*) (q + row * qStride + (head0 + g) * D + dl * 8) : uint4{};
        unpack_bf16x8(raw, qv[g]);
        #pragma unroll
        for (int i = 0; i < 8; i++) {
            qv[g][i] *= scale;
            acc[g][i] = 0.0f;
        }
    }

    extern __shared__ uint4 ring[];
    uint4* mine = ring + warp * STAGES * U * 2 * 32;
    unsigned mineAddr = shared_address(mine);
    int steps = (end - begin + KW - 1) / KW;
    int mySteps = steps > warp ? (steps - warp + DV_WARPS - 1) / DV_WARPS : 0;
    auto stepBase = [&](int j) { return begin + (j * DV_WARPS + warp) * KW; };
    auto loadSlot = [&](int j) {
        int key = stepBase(j) + lane;
        return lane < KW && j < mySteps && key < end ? table[key] : -1;
    };
    auto issue = [&](int j, int slots) {
        if (j < mySteps) {
            int stage = j % STAGES;
            #pragma unroll
            for (int u = 0; u < U; u++) {
                int slot = __shfl_sync(0xffffffffu, slots, u * P + sub);
                bool ok = slot >= 0 && dimOk;
                i64 at = ok ? (i64) slot * kvStride + rowOffset : 0;
                unsigned dst = mineAddr + (((stage * U + u) * 2) * 32 + lane) * 16;
                copy_async16(dst, kCache + at, ok);
                copy_async16(dst + 32 * 16, vCache + at, ok);
            }
        }
        copy_async_commit();
    };

    int ahead[STAGES - 1];
    #pragma unroll
    for (int s = 0; s < STAGES - 1; s++) ahead[s] = loadSlot(s);
    #pragma unroll
    for (int s = 0; s < STAGES - 1; s++) issue(s, ahead[s]);
    int next = loadSlot(STAGES - 1);
    for (int j = 0; j < mySteps; j++) {
        issue(j + STAGES - 1, next);
        next = loadSlot(j + STAGES);
        copy_async_wait<STAGES - 1>();
        const uint4* stage = mine + (j % STAGES) * U * 2 * 32;
        int base = stepBase(j);
        float s[U][G];
        #pragma unroll
        for (int u = 0; u < U; u++) {
            float kf[8];
            unpack_bf16x8(stage[u * 64 + lane], kf);
            #pragma unroll
            for (int g = 0; g < G; g++) {
                float dot = 0.0f;
                #pragma unroll
                for (int i = 0; i < 8; i++) dot += qv[g][i] * kf[i];
                s[u][g] = dot;
            }
        }
        #pragma unroll
        for (int off = L / 2; off > 0; off >>= 1) {
            #pragma unroll
            for (int u = 0; u < U; u++) {
                #pragma unroll
                for (int g = 0; g < G; g++) s[u][g] += __shfl_xor_sync(0xffffffffu, s[u][g], off);
            }
        }
        #pragma unroll
        for (int u = 0; u < U; u++) {
            if (base + u * P + sub >= end) {
                #pragma unroll
                for (int g = 0; g < G; g++) s[u][g] = NEG_INF;
            }
        }
        #pragma unroll
        for (int g = 0; g < G; g++) {
            float mNew = m[g];
            #pragma unroll
            for (int u = 0; u < U; u++) mNew = fmaxf(mNew, s[u][g]);
            if (mNew != m[g]) {
                float corr = __expf(m[g] - mNew);
                l[g] *= corr;
                #pragma unroll
                for (int i = 0; i < 8; i++) acc[g][i] *= corr;
                m[g] = mNew;
            }
        }
        #pragma unroll
        for (int u = 0; u < U; u++) {
            float vf[8];
            unpack_bf16x8(stage[u * 64 + 32 + lane], vf);
            #pragma unroll
            for (int g = 0; g < G; g++) {
                float p = s[u][g] == NEG_INF ? 0.0f : __expf(s[u][g] - m[g]);
                l[g] += p;
                #pragma unroll
                for (int i = 0; i < 8; i++) acc[g][i] += p * vf[i];
            }
        }
    }

    // The P rows of the warp into one state (lanes with sub 0), then the warps through shared memory.
    #pragma unroll
    for (int off = L; off < 32; off <<= 1) {
        #pragma unroll
        for (int g = 0; g < G; g++) {
            float mo = __shfl_xor_sync(0xffffffffu, m[g], off);
            float lo = __shfl_xor_sync(0xffffffffu, l[g], off);
            float mNew = fmaxf(m[g], mo);
            float f = m[g] == NEG_INF ? 0.0f : __expf(m[g] - mNew);
            float fo = mo == NEG_INF ? 0.0f : __expf(mo - mNew);
            l[g] = l[g] * f + lo * fo;
            #pragma unroll
            for (int i = 0; i < 8; i++) acc[g][i] = acc[g][i] * f + __shfl_xor_sync(0xffffffffu, acc[g][i], off) * fo;
            m[g] = mNew;
        }
    }
    copy_async_wait<0>();
    __syncthreads();
    float* wacc = (float*) ring;
    float* wm = (float*) (ring + DV_WARPS * STAGES * U * 2 * 32);
    float* wl = wm + DV_WARPS * G;
    #pragma unroll
    for (int g = 0; g < G; g++) {
        if (lane == 0) {
            wm[warp * G + g] = m[g];
            wl[warp * G + g] = l[g];
        }
        if (sub == 0 && dimOk) {
            #pragma unroll
            for (int i = 0; i < 8; i++) wacc[(warp * G + g) * D + dl * 8 + i] = acc[g][i];
        }
    }
    __syncthreads();
    for (int e = threadIdx.x; e < G * D; e += blockDim.x) {
        int g = e / D, d = e - g * D;
        float bm = NEG_INF;
        #pragma unroll
        for (int w = 0; w < DV_WARPS; w++) bm = fmaxf(bm, wm[w * G + g]);
        float sum = 0.0f, o = 0.0f;
        #pragma unroll
        for (int w = 0; w < DV_WARPS; w++) {
            float f = wm[w * G + g] == NEG_INF ? 0.0f : __expf(wm[w * G + g] - bm);
            sum += wl[w * G + g] * f;
            o += wacc[(w * G + g) * D + d] * f;
        }
        store_decode_result(out, partial, row * qStride + (head0 + g) * D + d,
                            ((i64) r * numHeads + head0 + g) * splits + split, used, D, d, bm, sum, o);
    }
}

// Most splits a decode launch has: one per lane of decode_merge's warps (AttentionKernels.MAX_SPLITS and
// MAX_BALANCE_SPLITS keep within it).
#define DECODE_MAX_SPLITS 32

// decode_merge for up to N used splits: block of at least D threads, thread d for dim d. Thread d issues
// its dim's loads of every split at once while the first warp reads the splits' maxima and sums, a lane
// each, and reduces them with shuffles: the merge waits for about one L2 round trip, not one per split
// (at batch 1 it follows every layer's attention). N bounds the unrolled loads, which cost instructions
// even where a split is unused.
template <typename T, int N>
__device__ void merge_splits(const float* cells, int used, int D, T* outRow) {
    __shared__ float weight[N];
    __shared__ float total;
    int d = threadIdx.x;
    float part[N];
    #pragma unroll
    for (int s = 0; s < N; s++) part[s] = s < used && d < D ? cells[(i64) s * (D + 2) + 2 + d] : 0.0f;
    if (threadIdx.x < 32) {
        int lane = threadIdx.x;
        float m = lane < used ? cells[(i64) lane * (D + 2)] : NEG_INF;
        float l = lane < used ? cells[(i64) lane * (D + 2) + 1] : 0.0f;
        float bm = warp_max(m);
        float f = m == NEG_INF ? 0.0f : Elem<T>::softmax_exp(m - bm);
        float sum = warp_sum(l * f);
        if (lane < N) weight[lane] = f;
        if (lane == 0) total = sum;
    }
    __syncthreads();
    if (d >= D) return;
    float o = 0.0f;
    #pragma unroll
    for (int s = 0; s < N; s++) o += part[s] * weight[s];
    outRow[d] = Elem<T>::store(o / total);
}

// Merges the used splits' softmax states: block (request, q head) of at least D threads; requests that
// used one split were written by the decode kernel.
template <typename T>
__device__ void decode_merge(const float* partial, const int* seqLens, const int* extendStarts, T* out,
                             int numHeads, int D, int splits, int minKeys, int spread, int balanceKeys) {
    // The o GEMV after it is a programmatic dependent that waits for this grid before reading: scheduled
    // now, it requests its first weights while the merge runs. Needs sm_90; below it, a no-op.
#if __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;");
#endif
    int r = blockIdx.x, head = blockIdx.y;
    int used = decode_splits_used(seqLens[r], splits, minKeys, spread, balanceKeys);
    if (used == 1) return;
    const float* cells = partial + ((i64) r * numHeads + head) * splits * (D + 2);
    T* outRow = out + extendStarts[r] * (i64) numHeads * D + head * D;
    if (used <= 8) {
        merge_splits<T, 8>(cells, used, D, outRow);
    } else {
        merge_splits<T, DECODE_MAX_SPLITS>(cells, used, D, outRow);
    }
}

extern "C" __global__ void decode_merge(const float* partial, const int* seqLens, const int* extendStarts, bf16* out,
                                        int numHeads, int D, int splits, int minKeys, int spread, int balanceKeys) {
    decode_merge<bf16>(partial, seqLens, extendStarts, out, numHeads, D, splits, minKeys, spread, balanceKeys);
}

extern "C" __global__ void f32_decode_merge(const float* partial, const int* seqLens, const int* extendStarts,
                                            float* out, int numHeads, int D, int splits, int minKeys, int spread, int balanceKeys) {
    decode_merge<float>(partial, seqLens, extendStarts, out, numHeads, D, splits, minKeys, spread, balanceKeys);
}

// Each head-dim class NI in both dtypes: extend_attention_NI (BF16) and f32_extend_attention_NI (F32).
#define EXTEND_KERNEL(NI)                                                                                      \
extern "C" __global__ void __launch_bounds__(EXT_WARPS * 32) extend_attention_##NI(                           \
        const bf16* q, const bf16* kCache, const bf16* vCache, const int* reqToToken, int stride,              \
        const int* reqPool, const int* seqLens, const int* extendLens, const int* extendStarts, bf16* out,     \
        int numHeads, int numKvHeads, int D, float scale) {                                                    \
    extend_attention<bf16, NI>(q, kCache, vCache, reqToToken, stride, reqPool, seqLens, extendLens,           \
                               extendStarts, out, numHeads, numKvHeads, D, scale);                             \
}                                                                                                              \
extern "C" __global__ void __launch_bounds__(EXT_WARPS * 32) f32_extend_attention_##NI(                       \
        const float* q, const float* kCache, const float* vCache, const int* reqToToken, int stride,           \
        const int* reqPool, const int* seqLens, const int* extendLens, const int* extendStarts, float* out,    \
        int numHeads, int numKvHeads, int D, float scale) {                                                    \
    extend_attention<float, NI>(q, kCache, vCache, reqToToken, stride, reqPool, seqLens, extendLens,          \
                                extendStarts, out, numHeads, numKvHeads, D, scale);                            \
}

// decode_attention_NI_G (BF16) and f32_decode_attention_NI_G (F32, with f32_decode_merge).
#define DECODE_KERNEL(NI, G)                                                                                   \
extern "C" __global__ void __launch_bounds__(DEC_WARPS * 32) decode_attention_##NI##_##G(                     \
        const bf16* q, const bf16* kCache, const bf16* vCache, const int* reqToToken, int stride,              \
        const int* reqPool, const int* seqLens, const int* extendStarts, bf16* out, float* partial,            \
        int numHeads, int numKvHeads, int D, float scale, int minKeys, int spread, int balanceKeys) {          \
    decode_attention<bf16, NI, G>(q, kCache, vCache, reqToToken, stride, reqPool, seqLens, extendStarts, out, \
                                  partial, numHeads, numKvHeads, D, scale, minKeys, spread, balanceKeys);      \
}                                                                                                              \
extern "C" __global__ void __launch_bounds__(DEC_WARPS * 32) f32_decode_attention_##NI##_##G(                 \
        const float* q, const float* kCache, const float* vCache, const int* reqToToken, int stride,           \
        const int* reqPool, const int* seqLens, const int* extendStarts, float* out, float* partial,           \
        int numHeads, int numKvHeads, int D, float scale, int minKeys, int spread, int balanceKeys) {          \
    decode_attention<float, NI, G>(q, kCache, vCache, reqToToken, stride, reqPool, seqLens, extendStarts, out, \
                                   partial, numHeads, numKvHeads, D, scale, minKeys, spread, balanceKeys);     \
}

#define DECODE_ROWS_STAGES 2
#define DECODE_ROWS_LOADS 4
#define DECODE_ROWS_KERNEL(L, G)                                                                               \
extern "C" __global__ void __launch_bounds__(DV_WARPS * 32) decode_attention_rows_##L##_##G(                  \
        const bf16* q, const bf16* kCache, const bf16* vCache, const int* reqToToken, int stride,              \
        const int* reqPool, const int* seqLens, const int* extendStarts, bf16* out, float* partial,            \
        int numHeads, int numKvHeads, int D, float scale, int minKeys, int spread, int balanceKeys) {                                       \
    decode_attention_rows<L, G, DECODE_ROWS_STAGES, DECODE_ROWS_LOADS>(q, kCache, vCache, reqToToken, stride, \
            reqPool, seqLens, extendStarts, out, partial, numHeads, numKvHeads, D, scale, minKeys, spread, balanceKeys);            \
}

EXTEND_KERNEL(1)
EXTEND_KERNEL(2)
EXTEND_KERNEL(4)
EXTEND_KERNEL(8)
// Instances with G * NI <= 32 (the per-thread state); AttentionKernels.decodeGroup picks among them.
DECODE_KERNEL(1, 1) DECODE_KERNEL(1, 2) DECODE_KERNEL(1, 4) DECODE_KERNEL(1, 8)
DECODE_KERNEL(2, 1) DECODE_KERNEL(2, 2) DECODE_KERNEL(2, 4) DECODE_KERNEL(2, 8)
DECODE_KERNEL(4, 1) DECODE_KERNEL(4, 2) DECODE_KERNEL(4, 4) DECODE_KERNEL(4, 8)
DECODE_KERNEL(8, 1) DECODE_KERNEL(8, 2) DECODE_KERNEL(8, 4)
// Head dims that are a multiple of 8: L = 8-value chunks per row (a power of two), G q heads per block.
DECODE_ROWS_KERNEL(1, 1) DECODE_ROWS_KERNEL(1, 2) DECODE_ROWS_KERNEL(1, 4)
DECODE_ROWS_KERNEL(2, 1) DECODE_ROWS_KERNEL(2, 2) DECODE_ROWS_KERNEL(2, 4)
DECODE_ROWS_KERNEL(4, 1) DECODE_ROWS_KERNEL(4, 2) DECODE_ROWS_KERNEL(4, 4)
DECODE_ROWS_KERNEL(8, 1) DECODE_ROWS_KERNEL(8, 2) DECODE_ROWS_KERNEL(8, 4)
DECODE_ROWS_KERNEL(16, 1) DECODE_ROWS_KERNEL(16, 2) DECODE_ROWS_KERNEL(16, 4)
DECODE_ROWS_KERNEL(32, 1) DECODE_ROWS_KERNEL(32, 2) DECODE_ROWS_KERNEL(32, 4)
