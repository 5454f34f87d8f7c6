// Decode attention of the F32 compute path (--dtype float32): q, out and the KV cache F32, attention.cu's
// split-K per-dim kernel with F32 rows (its extend kernel and split merge serve F32 too). Launch shapes,
// split plans and the partial layout are attention.cu's, so AttentionKernels plans both paths alike (and a
// CUDA graph's whole-context plan skips empty splits here too). Accurate expf: this path is held to
// transformers' float32 outputs.

#define F32_NEG_INF (-__int_as_float(0x7f800000))

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

// DECODE: block (request, group of G q heads sharing one kv head, split), so each K/V row is read once for
// the G heads. Split s covers keys [s * chunk, min(seqLen, (s + 1) * chunk)) with chunk = ceil(seqLen / used
// splits); each warp walks every F32_DEC_WARPS-th batch of F32_DEC_UNROLL keys, loading the batch's K and V
// rows before scoring them. A request using one split writes its output; otherwise each split leaves its
// softmax state (max, sum, unnormalised output) in the head's merge cell for f32_decode_merge.
template <int NI, int G>
__device__ void f32_decode_attention(const float* q, const float* kCache, const float* vCache, const int* reqToToken,
                                     int stride, const int* reqPool, const int* seqLens, const int* extendStarts,
                                     float* out, float* partial, int numHeads, int numKvHeads, int D, float scale,
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

#define F32_DECODE_KERNEL(NI, G)                                                                               \
extern "C" __global__ void __launch_bounds__(F32_DEC_WARPS * 32) f32_decode_attention_##NI##_##G(             \
        const float* q, const float* kCache, const float* vCache, const int* reqToToken, int stride,           \
        const int* reqPool, const int* seqLens, const int* extendStarts, float* out, float* partial,           \
        int numHeads, int numKvHeads, int D, float scale, int minKeys, int spread, int balanceKeys) {                                       \
    f32_decode_attention<NI, G>(q, kCache, vCache, reqToToken, stride, reqPool, seqLens, extendStarts, out,   \
                                partial, numHeads, numKvHeads, D, scale, minKeys, spread, balanceKeys);                             \
}

// Instances with G * NI <= 32, as attention.cu's; AttentionKernels.decodeGroup picks among them.
F32_DECODE_KERNEL(1, 1) F32_DECODE_KERNEL(1, 2) F32_DECODE_KERNEL(1, 4) F32_DECODE_KERNEL(1, 8)
F32_DECODE_KERNEL(2, 1) F32_DECODE_KERNEL(2, 2) F32_DECODE_KERNEL(2, 4) F32_DECODE_KERNEL(2, 8)
F32_DECODE_KERNEL(4, 1) F32_DECODE_KERNEL(4, 2) F32_DECODE_KERNEL(4, 4) F32_DECODE_KERNEL(4, 8)
F32_DECODE_KERNEL(8, 1) F32_DECODE_KERNEL(8, 2) F32_DECODE_KERNEL(8, 4)
