// Kernels that read the outputs of the fused projections (q/k/v rows, gate/up rows), for BF16 and F32
// activations (Elem); math in F32.

// Head dims up to 2 * 32 * QKV_MAX_PAIRS: each lane of a head's warp holds up to this many rotary pairs.
#define QKV_MAX_PAIRS 4

// One warp per (token, head) of a fused q/k/v row ([numHeads q | numKvHeads k | numKvHeads v] heads of headDim).
// q and k heads: optional per-head RMSNorm (rounded as the separate norm op stores it), then rotate-half RoPE
// with row positions[token] of cosSin ([*, headDim]: cos half, then sin half); q heads go to row token of q,
// k heads to row loc[token] of kCache. v heads are copied to row loc[token] of vCache.
// A warp per (token, head) of a fused q/k/v row: this warp's pair, false past the last one.
__device__ __forceinline__ bool qkv_warp(int tokens, int heads, int* token, int* head) {
    i64 w = (i64) blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (w >= (i64) tokens * heads) return false;
    *token = (int) (w / heads);
    *head = (int) (w - (i64) *token * heads);
    return true;
}

// Where head `head` of `token` goes, in units U of which a head has `width`: row token of q for a q head, row
// loc[token] of the k or v cache for a kv head.
template <typename U>
__device__ __forceinline__ U* qkv_target(U* q, U* kCache, U* vCache, const int* loc, int token, int head,
                                         int numHeads, int numKvHeads, int width) {
    if (head < numHeads) return q + ((i64) token * numHeads + head) * width;
    i64 row = (i64) loc[token] * numKvHeads * width;
    if (head < numHeads + numKvHeads) return kCache + row + (i64) (head - numHeads) * width;
    return vCache + row + (i64) (head - numHeads - numKvHeads) * width;
}

template <typename T>
__device__ void qkv_to_cache(const T* qkv, const T* qNorm, const T* kNorm, float eps, const int* positions,
                             const float* cosSin, T* q, T* kCache, T* vCache, const int* loc, int tokens,
                             int numHeads, int numKvHeads, int headDim) {
    int heads = numHeads + 2 * numKvHeads, token, head;
    if (!qkv_warp(tokens, heads, &token, &head)) return;
    int lane = threadIdx.x & 31;
    const T* src = qkv + ((i64) token * heads + head) * headDim;
    T* dst = qkv_target(q, kCache, vCache, loc, token, head, numHeads, numKvHeads, headDim);
    if (head >= numHeads + numKvHeads) {
        for (int j = lane; j < headDim; j += 32) dst[j] = src[j];
        return;
    }
    bool isQ = head < numHeads;
    const T* norm = isQ ? qNorm : kNorm;
    int half = headDim >> 1;
    float a[QKV_MAX_PAIRS], b[QKV_MAX_PAIRS];
    float ss = 0.0f;
    #pragma unroll
    for (int i = 0; i < QKV_MAX_PAIRS; i++) {
        int j = lane + 32 * i;
        a[i] = j < half ? Elem<T>::load(src[j]) : 0.0f;
        b[i] = j < half ? Elem<T>::load(src[j + half]) : 0.0f;
        ss += a[i] * a[i] + b[i] * b[i];
    }
    if (norm != nullptr) {
        float inv = Elem<T>::inv_sqrt(warp_sum(ss) / headDim + eps);
        #pragma unroll
        for (int i = 0; i < QKV_MAX_PAIRS; i++) {
            int j = lane + 32 * i;
            if (j < half) {
                a[i] = Elem<T>::as_stored(a[i] * inv * Elem<T>::load(norm[j]));
                b[i] = Elem<T>::as_stored(b[i] * inv * Elem<T>::load(norm[j + half]));
            }
        }
    }
    const float* cs = cosSin + (i64) positions[token] * headDim;
    #pragma unroll
    for (int i = 0; i < QKV_MAX_PAIRS; i++) {
        int j = lane + 32 * i;
        if (j < half) {
            float c = cs[j], s = cs[half + j];
            dst[j] = Elem<T>::store(rope_first(a[i], b[i], c, s));
            dst[j + half] = Elem<T>::store(rope_second(a[i], b[i], c, s));
        }
    }
}

extern "C" __global__ void qkv_to_cache(const bf16* qkv, const bf16* qNorm, const bf16* kNorm, float eps,
                                        const int* positions, const float* cosSin, bf16* q, bf16* kCache,
                                        bf16* vCache, const int* loc, int tokens, int numHeads, int numKvHeads,
                                        int headDim) {
    qkv_to_cache<bf16>(qkv, qNorm, kNorm, eps, positions, cosSin, q, kCache, vCache, loc, tokens, numHeads,
                       numKvHeads, headDim);
}

// qkv_to_cache for BF16 with 4-byte accesses: a lane holds two adjacent rotary pairs (or copies two v elements)
// at a time, for head dims divisible by 4 with qkv, q and the caches on 4-byte boundaries and cosSin on 8. Each
// element is computed as qkv_to_cache computes it; with q/k norms only the order of the sum of squares differs.
__device__ __forceinline__ unsigned int pack_bf16x2(float lo, float hi) {
    return (unsigned int) f2bf(lo) | ((unsigned int) f2bf(hi) << 16);
}

extern "C" __global__ void qkv_to_cache_x2(const unsigned int* qkv, const bf16* qNorm, const bf16* kNorm, float eps,
                                           const int* positions, const float2* cosSin, unsigned int* q,
                                           unsigned int* kCache, unsigned int* vCache, const int* loc, int tokens,
                                           int numHeads, int numKvHeads, int headDim) {
    int heads = numHeads + 2 * numKvHeads, token, head;
    if (!qkv_warp(tokens, heads, &token, &head)) return;
    int lane = threadIdx.x & 31;
    int headWords = headDim >> 1, halfWords = headDim >> 2;
    const unsigned int* src = qkv + ((i64) token * heads + head) * headWords;
    unsigned int* dst = qkv_target(q, kCache, vCache, loc, token, head, numHeads, numKvHeads, headWords);
    if (head >= numHeads + numKvHeads) {
        for (int j = lane; j < headWords; j += 32) dst[j] = src[j];
        return;
    }
    bool isQ = head < numHeads;
    const bf16* norm = isQ ? qNorm : kNorm;
    float a[QKV_MAX_PAIRS], b[QKV_MAX_PAIRS];
    float ss = 0.0f;
    #pragma unroll
    for (int i = 0; i < QKV_MAX_PAIRS / 2; i++) {
        int p = lane + 32 * i;
        unsigned int first = p < halfWords ? src[p] : 0u, second = p < halfWords ? src[halfWords + p] : 0u;
        a[2 * i] = __uint_as_float(first << 16);
        a[2 * i + 1] = __uint_as_float(first & 0xffff0000u);
        b[2 * i] = __uint_as_float(second << 16);
        b[2 * i + 1] = __uint_as_float(second & 0xffff0000u);
        ss += a[2 * i] * a[2 * i] + b[2 * i] * b[2 * i];
        ss += a[2 * i + 1] * a[2 * i + 1] + b[2 * i + 1] * b[2 * i + 1];
    }
    int half = headDim >> 1;
    if (norm != nullptr) {
        float inv = rsqrtf(warp_sum(ss) / headDim + eps);
        #pragma unroll
        for (int i = 0; i < QKV_MAX_PAIRS; i++) {
            int j = 2 * (lane + 32 * (i >> 1)) + (i & 1);
            if (j < half) {
                a[i] = bf2f(f2bf(a[i] * inv * bf2f(norm[j])));
                b[i] = bf2f(f2bf(b[i] * inv * bf2f(norm[j + half])));
            }
        }
    }
    const float2* cs = cosSin + (i64) positions[token] * halfWords * 2;
    #pragma unroll
    for (int i = 0; i < QKV_MAX_PAIRS / 2; i++) {
        int p = lane + 32 * i;
        if (p < halfWords) {
            float2 c = cs[p], s = cs[halfWords + p];
            dst[p] = pack_bf16x2(rope_first(a[2 * i], b[2 * i], c.x, s.x), rope_first(a[2 * i + 1], b[2 * i + 1], c.y, s.y));
            dst[halfWords + p] = pack_bf16x2(rope_second(a[2 * i], b[2 * i], c.x, s.x),
                                             rope_second(a[2 * i + 1], b[2 * i + 1], c.y, s.y));
        }
    }
}

extern "C" __global__ void f32_qkv_to_cache(const float* qkv, const float* qNorm, const float* kNorm, float eps,
                                            const int* positions, const float* cosSin, float* q, float* kCache,
                                            float* vCache, const int* loc, int tokens, int numHeads, int numKvHeads,
                                            int headDim) {
    qkv_to_cache<float>(qkv, qNorm, kNorm, eps, positions, cosSin, q, kCache, vCache, loc, tokens, numHeads,
                        numKvHeads, headDim);
}

// out[r, c] = silu(gateUp[r, c]) * gateUp[r, inter + c]; blocks along x cover a row's columns, along y the rows
// (no per-element index division). gate_up_silu_and_mul (BF16) and f32_gate_up_silu_and_mul.
template <typename T>
__device__ void gate_up_silu_and_mul(const T* gateUp, T* out, int rows, int inter) {
    for (int r = blockIdx.y; r < rows; r += gridDim.y) {
        const T* g = gateUp + (i64) r * 2 * inter;
        T* o = out + (i64) r * inter;
        for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < inter; c += gridDim.x * blockDim.x) {
            float x = Elem<T>::load(g[c]);
            o[c] = Elem<T>::store(x / (1.0f + Elem<T>::softmax_exp(-x)) * Elem<T>::load(g[inter + c]));
        }
    }
}

extern "C" __global__ void gate_up_silu_and_mul(const bf16* gateUp, bf16* out, int rows, int inter) {
    gate_up_silu_and_mul<bf16>(gateUp, out, rows, inter);
}

// gate_up_silu_and_mul with 16-byte accesses, for inter % 8 == 0 and 16-byte aligned operands: a thread per
// 8 columns of a row (blocks along x over a row's vectors, along y the rows), each element as above.
extern "C" __global__ void gate_up_silu_and_mul_x8(const uint4* gateUp, uint4* out, int rows, int inter) {
    int vectors = inter >> 3;
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= vectors) return;
    for (int r = blockIdx.y; r < rows; r += gridDim.y) {
        float g[8], u[8];
        unpack_bf16x8(gateUp[(i64) r * 2 * vectors + c], g);
        unpack_bf16x8(gateUp[(i64) r * 2 * vectors + vectors + c], u);
        #pragma unroll
        for (int k = 0; k < 8; k++) g[k] = g[k] / (1.0f + __expf(-g[k])) * u[k];
        out[(i64) r * vectors + c] = pack_bf16x8(g);
    }
}

extern "C" __global__ void f32_gate_up_silu_and_mul(const float* gateUp, float* out, int rows, int inter) {
    gate_up_silu_and_mul<float>(gateUp, out, rows, inter);
}
