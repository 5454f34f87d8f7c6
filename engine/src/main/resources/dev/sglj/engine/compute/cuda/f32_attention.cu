// Attention of the F32 compute path (--dtype float32): q, out and the KV cache F32. The extend kernel is
// attention.cu's tiled CUDA-core one with F32 K/V tiles; decode is its split-K per-dim kernel with F32
// rows, plus the merge. Launch shapes, split plans and the partial layout are attention.cu's, so
// AttentionKernels plans both paths alike (and a CUDA graph's whole-context plan skips empty splits here
// too). Accurate expf: this path is held to transformers' float32 outputs.

#define F32_EXT_ROWS_PER_WARP 4
#define F32_EXT_WARPS 4
#define F32_EXT_BM (F32_EXT_ROWS_PER_WARP * F32_EXT_WARPS)
#define F32_EXT_BN 32
#define F32_NEG_INF (-__int_as_float(0x7f800000))

// EXTEND: block (query tile of F32_EXT_BM new tokens, q head, request). K/V tiles of F32_EXT_BN keys are
// staged in shared memory with an odd row stride (D + 1 words: lanes reading key j, dim d hit distinct
// banks); lane j scores key j of the tile for each of its warp's rows. Lane l owns output dims l + 32 i.
// AttentionKernels.f32ExtendSharedBytes must agree with the layout.
template <int NI>
__device__ void f32_extend_attention(const float* q, const float* kCache, const float* vCache, const int* reqToToken,
                                     int stride, const int* reqPool, const int* seqLens, const int* extendLens,
                                     const int* extendStarts, float* out, int numHeads, int numKvHeads, int D,
                                     float scale) {
    int r = blockIdx.z, head = blockIdx.y;
    int ext = extendLens[r];
    int j0 = blockIdx.x * F32_EXT_BM;
    if (j0 >= ext) return;
    int prefix = seqLens[r] - ext;
    i64 firstRow = extendStarts[r] + j0;
    int rows = min(F32_EXT_BM, ext - j0);
    int kvHead = head / (numHeads / numKvHeads);
    int kStride = D + 1;

    extern __shared__ float smem[];
    float* qs = smem;
    float* ks = qs + F32_EXT_BM * D;
    float* vs = ks + F32_EXT_BN * kStride;
    int* slots = (int*) (vs + F32_EXT_BN * kStride);

    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    i64 qStride = (i64) numHeads * D;
    for (int i = threadIdx.x; i < F32_EXT_BM * D; i += blockDim.x) {
        int t = i / D, d = i - t * D;
        qs[i] = t < rows ? q[(firstRow + t) * qStride + head * D + d] * scale : 0.0f;
    }
    float m[F32_EXT_ROWS_PER_WARP], l[F32_EXT_ROWS_PER_WARP], acc[F32_EXT_ROWS_PER_WARP][NI];
    #pragma unroll
    for (int rr = 0; rr < F32_EXT_ROWS_PER_WARP; rr++) {
        m[rr] = F32_NEG_INF;
        l[rr] = 0.0f;
        #pragma unroll
        for (int i = 0; i < NI; i++) acc[rr][i] = 0.0f;
    }
    int lastKey = prefix + j0 + rows - 1;
    const int* table = reqToToken + (i64) reqPool[r] * stride;
    i64 kvStride = (i64) numKvHeads * D;

    for (int kt = 0; kt <= lastKey; kt += F32_EXT_BN) {
        __syncthreads();
        if (threadIdx.x < F32_EXT_BN) slots[threadIdx.x] = kt + threadIdx.x <= lastKey ? table[kt + threadIdx.x] : -1;
        __syncthreads();
        for (int i = threadIdx.x; i < F32_EXT_BN * D; i += blockDim.x) {
            int j = i / D, d = i - j * D;
            int s = slots[j];
            float kv = 0.0f, vv = 0.0f;
            if (s >= 0) {
                kv = kCache[(i64) s * kvStride + kvHead * D + d];
                vv = vCache[(i64) s * kvStride + kvHead * D + d];
            }
            ks[j * kStride + d] = kv;
            vs[j * kStride + d] = vv;
        }
        __syncthreads();
        #pragma unroll
        for (int rr = 0; rr < F32_EXT_ROWS_PER_WARP; rr++) {
            int t = warp * F32_EXT_ROWS_PER_WARP + rr;
            if (t < rows) {
                int qpos = prefix + j0 + t;
                int key = kt + lane;
                float s = F32_NEG_INF;
                if (key <= qpos) {
                    const float* qr = qs + t * D;
                    const float* kr = ks + lane * kStride;
                    float dot = 0.0f;
                    for (int d = 0; d < D; d++) dot += qr[d] * kr[d];
                    s = dot;
                }
                float tileMax = warp_max(s);
                if (tileMax != F32_NEG_INF) {
                    float mNew = fmaxf(m[rr], tileMax);
                    float corr = expf(m[rr] - mNew);
                    float p = key <= qpos ? expf(s - mNew) : 0.0f;
                    l[rr] = l[rr] * corr + warp_sum(p);
                    #pragma unroll
                    for (int i = 0; i < NI; i++) acc[rr][i] *= corr;
                    int keys = min(F32_EXT_BN, qpos - kt + 1);
                    for (int j = 0; j < keys; j++) {
                        float pj = __shfl_sync(0xffffffffu, p, j);
                        const float* vr = vs + j * kStride;
                        #pragma unroll
                        for (int i = 0; i < NI; i++) {
                            int d = lane + 32 * i;
                            if (d < D) acc[rr][i] += pj * vr[d];
                        }
                    }
                    m[rr] = mNew;
                }
            }
        }
    }
    #pragma unroll
    for (int rr = 0; rr < F32_EXT_ROWS_PER_WARP; rr++) {
        int t = warp * F32_EXT_ROWS_PER_WARP + rr;
        if (t < rows) {
            float inv = 1.0f / l[rr];
            float* o = out + (firstRow + t) * qStride + head * D;
            #pragma unroll
            for (int i = 0; i < NI; i++) {
                int d = lane + 32 * i;
                if (d < D) o[d] = acc[rr][i] * inv;
            }
        }
    }
}

// Dims [lane * NI, lane * NI + NI) of row `slot` of a cache (from `offset`): one or two vector loads when
// vec (D % NI == 0, so every row chunk is aligned), else element-wise with zeros past D; all zeros when the
// slot is -1.
template <int NI>
__device__ __forceinline__ void f32_fetch_row(const float* cache, int slot, i64 offset, int lane, int D, bool vec,
                                              i64 kvStride, float* r) {
    #pragma unroll
    for (int i = 0; i < NI; i++) r[i] = 0.0f;
    if (slot < 0 || lane * NI >= D) return;
    const float* p = cache + (i64) slot * kvStride + offset + lane * NI;
    if (vec) {
        if constexpr (NI == 1) {
            r[0] = *p;
        } else if constexpr (NI == 2) {
            float2 v = *(const float2*) p;
            r[0] = v.x; r[1] = v.y;
        } else {
            #pragma unroll
            for (int c = 0; c < NI / 4; c++) {
                float4 v = ((const float4*) p)[c];
                r[4 * c] = v.x; r[4 * c + 1] = v.y; r[4 * c + 2] = v.z; r[4 * c + 3] = v.w;
            }
        }
    } else {
        #pragma unroll
        for (int i = 0; i < NI; i++) {
            if (lane * NI + i < D) r[i] = p[i];
        }
    }
}

#define F32_DEC_WARPS 4
#define F32_DEC_UNROLL 4

// attention.cu's decode_splits_used: the splits a request of seq keys uses out of the launch's `splits`.
__device__ __forceinline__ int f32_decode_splits_used(int seq, int splits, int minKeys) {
    return max(1, min(splits, (seq + minKeys - 1) / minKeys));
}

// DECODE: block (request, group of G q heads sharing one kv head, split), so each K/V row is read once for
// the G heads. Split s covers keys [s * chunk, min(seqLen, (s + 1) * chunk)) with chunk = ceil(seqLen / used
// splits); each warp walks every F32_DEC_WARPS-th batch of F32_DEC_UNROLL keys, loading the batch's K and V
// rows before scoring them. A request using one split writes its output; otherwise each split leaves its
// softmax state (max, sum, unnormalised output) in the head's merge cell for f32_decode_merge.
template <int NI, int G>
__device__ void f32_decode_attention(const float* q, const float* kCache, const float* vCache, const int* reqToToken,
                                     int stride, const int* reqPool, const int* seqLens, const int* extendStarts,
                                     float* out, float* partial, int numHeads, int numKvHeads, int D, float scale,
                                     int minKeys) {
    int r = blockIdx.x, head0 = blockIdx.y * G, split = blockIdx.z, splits = gridDim.z;
    int seq = seqLens[r];
    int used = f32_decode_splits_used(seq, splits, minKeys);
    if (split >= used) return;
    int chunk = (seq + used - 1) / used;
    int begin = split * chunk, end = min(seq, begin + chunk);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int kvHead = head0 / (numHeads / numKvHeads);
    i64 row = extendStarts[r];
    i64 qStride = (i64) numHeads * D;
    i64 kvStride = (i64) numKvHeads * D;
    const int* table = reqToToken + (i64) reqPool[r] * stride;

    bool vec = D % NI == 0;
    float qv[G][NI], acc[G][NI], m[G], l[G];
    #pragma unroll
    for (int g = 0; g < G; g++) {
        m[g] = F32_NEG_INF;
        l[g] = 0.0f;
        #pragma unroll
        for (int i = 0; i < NI; i++) {
            int d = lane * NI + i;
            qv[g][i] = d < D ? q[row * qStride + (head0 + g) * D + d] * scale : 0.0f;
            acc[g][i] = 0.0f;
        }
    }
    const int step = F32_DEC_WARPS * F32_DEC_UNROLL;
    i64 offset = (i64) kvHead * D;
    for (int k0 = begin + warp * F32_DEC_UNROLL; k0 < end; k0 += step) {
        int slot = lane < F32_DEC_UNROLL && k0 + lane < end ? table[k0 + lane] : -1;
        float kk[F32_DEC_UNROLL][NI], vv[F32_DEC_UNROLL][NI];
        #pragma unroll
        for (int u = 0; u < F32_DEC_UNROLL; u++) {
            int su = __shfl_sync(0xffffffffu, slot, u);
            f32_fetch_row<NI>(kCache, su, offset, lane, D, vec, kvStride, kk[u]);
            f32_fetch_row<NI>(vCache, su, offset, lane, D, vec, kvStride, vv[u]);
        }
        #pragma unroll
        for (int g = 0; g < G; g++) {
            float s[F32_DEC_UNROLL];
            #pragma unroll
            for (int u = 0; u < F32_DEC_UNROLL; u++) {
                float dot = 0.0f;
                #pragma unroll
                for (int i = 0; i < NI; i++) dot += qv[g][i] * kk[u][i];
                s[u] = dot;
            }
            #pragma unroll
            for (int u = 0; u < F32_DEC_UNROLL; u++) s[u] = k0 + u < end ? warp_sum(s[u]) : F32_NEG_INF;
            float mNew = m[g];
            #pragma unroll
            for (int u = 0; u < F32_DEC_UNROLL; u++) mNew = fmaxf(mNew, s[u]);
            float corr = expf(m[g] - mNew);
            l[g] *= corr;
            #pragma unroll
            for (int i = 0; i < NI; i++) acc[g][i] *= corr;
            #pragma unroll
            for (int u = 0; u < F32_DEC_UNROLL; u++) {
                float p = expf(s[u] - mNew);
                l[g] += p;
                #pragma unroll
                for (int i = 0; i < NI; i++) acc[g][i] += p * vv[u][i];
            }
            m[g] = mNew;
        }
    }

    __shared__ float wm[F32_DEC_WARPS][G], wl[F32_DEC_WARPS][G];
    __shared__ float wacc[F32_DEC_WARPS][G][32 * NI];
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
        float bm = F32_NEG_INF;
        #pragma unroll
        for (int w = 0; w < F32_DEC_WARPS; w++) bm = fmaxf(bm, wm[w][g]);
        float sum = 0.0f, o = 0.0f;
        #pragma unroll
        for (int w = 0; w < F32_DEC_WARPS; w++) {
            float f = wm[w][g] == F32_NEG_INF ? 0.0f : expf(wm[w][g] - bm);
            sum += wl[w][g] * f;
            o += wacc[w][g][d] * f;
        }
        if (used == 1) {
            out[row * qStride + (head0 + g) * D + d] = o / sum;
        } else {
            i64 cell = ((i64) r * numHeads + head0 + g) * splits + split;
            partial[cell * (D + 2) + 2 + d] = o;
            if (d == 0) {
                partial[cell * (D + 2)] = bm;
                partial[cell * (D + 2) + 1] = sum;
            }
        }
    }
}

// Merges the used splits' softmax states: block (request, q head), threads over D; requests that used one
// split were written by the decode kernel.
extern "C" __global__ void f32_decode_merge(const float* partial, const int* seqLens, const int* extendStarts,
                                            float* out, int numHeads, int D, int splits, int minKeys) {
    int r = blockIdx.x, head = blockIdx.y;
    int used = f32_decode_splits_used(seqLens[r], splits, minKeys);
    if (used == 1) return;
    i64 base = ((i64) r * numHeads + head) * splits;
    float bm = F32_NEG_INF;
    for (int s = 0; s < used; s++) bm = fmaxf(bm, partial[(base + s) * (D + 2)]);
    i64 row = extendStarts[r];
    for (int d = threadIdx.x; d < D; d += blockDim.x) {
        float sum = 0.0f, o = 0.0f;
        for (int s = 0; s < used; s++) {
            const float* cell = partial + (base + s) * (D + 2);
            float f = cell[0] == F32_NEG_INF ? 0.0f : expf(cell[0] - bm);
            sum += cell[1] * f;
            o += cell[2 + d] * f;
        }
        out[row * (i64) numHeads * D + head * D + d] = o / sum;
    }
}

#define F32_EXTEND_KERNEL(NI)                                                                                  \
extern "C" __global__ void __launch_bounds__(F32_EXT_WARPS * 32) f32_extend_attention_##NI(                   \
        const float* q, const float* kCache, const float* vCache, const int* reqToToken, int stride,           \
        const int* reqPool, const int* seqLens, const int* extendLens, const int* extendStarts, float* out,    \
        int numHeads, int numKvHeads, int D, float scale) {                                                    \
    f32_extend_attention<NI>(q, kCache, vCache, reqToToken, stride, reqPool, seqLens, extendLens,             \
                             extendStarts, out, numHeads, numKvHeads, D, scale);                               \
}

#define F32_DECODE_KERNEL(NI, G)                                                                               \
extern "C" __global__ void __launch_bounds__(F32_DEC_WARPS * 32) f32_decode_attention_##NI##_##G(             \
        const float* q, const float* kCache, const float* vCache, const int* reqToToken, int stride,           \
        const int* reqPool, const int* seqLens, const int* extendStarts, float* out, float* partial,           \
        int numHeads, int numKvHeads, int D, float scale, int minKeys) {                                       \
    f32_decode_attention<NI, G>(q, kCache, vCache, reqToToken, stride, reqPool, seqLens, extendStarts, out,   \
                                partial, numHeads, numKvHeads, D, scale, minKeys);                             \
}

F32_EXTEND_KERNEL(1)
F32_EXTEND_KERNEL(2)
F32_EXTEND_KERNEL(4)
F32_EXTEND_KERNEL(8)
// Instances with G * NI <= 32, as attention.cu's; AttentionKernels.decodeGroup picks among them.
F32_DECODE_KERNEL(1, 1) F32_DECODE_KERNEL(1, 2) F32_DECODE_KERNEL(1, 4) F32_DECODE_KERNEL(1, 8)
F32_DECODE_KERNEL(2, 1) F32_DECODE_KERNEL(2, 2) F32_DECODE_KERNEL(2, 4) F32_DECODE_KERNEL(2, 8)
F32_DECODE_KERNEL(4, 1) F32_DECODE_KERNEL(4, 2) F32_DECODE_KERNEL(4, 4) F32_DECODE_KERNEL(4, 8)
F32_DECODE_KERNEL(8, 1) F32_DECODE_KERNEL(8, 2) F32_DECODE_KERNEL(8, 4)
