// Kernels that read the outputs of the fused projections (q/k/v rows, gate/up rows), for BF16 and F32
// activations (Elem); math in F32.

// Head dims up to 2 * 32 * QKV_MAX_PAIRS: each lane of a head's warp holds up to this many rotary pairs.
#define QKV_MAX_PAIRS 4

// One warp per (token, head) of a fused q/k/v row ([numHeads q | numKvHeads k | numKvHeads v] heads of headDim).
// q and k heads: optional per-head RMSNorm (rounded as the separate norm op stores it), then rotate-half RoPE
// with row positions[token] of cosSin ([*, headDim]: cos half, then sin half); q heads go to row token of q,
// k heads to row loc[token] of kCache. v heads are copied to row loc[token] of vCache.
template <typename T>
__device__ void qkv_to_cache(const T* qkv, const T* qNorm, const T* kNorm, float eps, const int* positions,
                             const float* cosSin, T* q, T* kCache, T* vCache, const int* loc, int tokens,
                             int numHeads, int numKvHeads, int headDim) {
    int heads = numHeads + 2 * numKvHeads;
    i64 w = (i64) blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (w >= (i64) tokens * heads) return;
    int lane = threadIdx.x & 31;
    int token = (int) (w / heads);
    int head = (int) (w - (i64) token * heads);
    const T* src = qkv + ((i64) token * heads + head) * headDim;
    i64 kvWidth = (i64) numKvHeads * headDim;
    if (head >= numHeads + numKvHeads) {
        T* dst = vCache + (i64) loc[token] * kvWidth + (i64) (head - numHeads - numKvHeads) * headDim;
        for (int j = lane; j < headDim; j += 32) dst[j] = src[j];
        return;
    }
    bool isQ = head < numHeads;
    T* dst = isQ ? q + ((i64) token * numHeads + head) * headDim
                    : kCache + (i64) loc[token] * kvWidth + (i64) (head - numHeads) * headDim;
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
