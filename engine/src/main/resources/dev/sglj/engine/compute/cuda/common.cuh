// Shared by every SGL-J kernel source; NVRTC gets it prepended (no system headers needed).
typedef unsigned short bf16;
typedef long long i64;

__device__ __forceinline__ float bf2f(bf16 h) { return __uint_as_float(((unsigned int) h) << 16); }

// Round to nearest even; NaN stays NaN.
__device__ __forceinline__ bf16 f2bf(float f) {
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16) ((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (bf16) (u >> 16);
}

// Eight BF16 values packed in 16 bytes (lowest address first) as floats.
__device__ __forceinline__ void unpack_bf16x8(uint4 v, float* f) {
    f[0] = __uint_as_float(v.x << 16); f[1] = __uint_as_float(v.x & 0xffff0000u);
    f[2] = __uint_as_float(v.y << 16); f[3] = __uint_as_float(v.y & 0xffff0000u);
    f[4] = __uint_as_float(v.z << 16); f[5] = __uint_as_float(v.z & 0xffff0000u);
    f[6] = __uint_as_float(v.w << 16); f[7] = __uint_as_float(v.w & 0xffff0000u);
}

// Eight floats rounded to BF16 and packed in 16 bytes (lowest address first), as eight f2bf stores would.
__device__ __forceinline__ uint4 pack_bf16x8(const float* f) {
    uint4 v;
    v.x = (unsigned int) f2bf(f[0]) | ((unsigned int) f2bf(f[1]) << 16);
    v.y = (unsigned int) f2bf(f[2]) | ((unsigned int) f2bf(f[3]) << 16);
    v.z = (unsigned int) f2bf(f[4]) | ((unsigned int) f2bf(f[5]) << 16);
    v.w = (unsigned int) f2bf(f[6]) | ((unsigned int) f2bf(f[7]) << 16);
    return v;
}

__device__ __forceinline__ float h2f(unsigned short h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

__device__ __forceinline__ float warp_sum(float v) {
    #pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    #pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
__device__ __forceinline__ float block_sum(float v) {
    __shared__ float partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    float t = lane < warps ? partial[lane] : 0.0f;
    return warp_sum(t);
}

// Rotate-half RoPE of the pair (a, b) by (cos c, sin s), with explicit roundings: qkv_to_cache and the fused
// q/k/v GEMV must give the same bits.
__device__ __forceinline__ float rope_first(float a, float b, float c, float s) { return __fmaf_rn(a, c, -__fmul_rn(b, s)); }
__device__ __forceinline__ float rope_second(float a, float b, float c, float s) { return __fmaf_rn(b, c, __fmul_rn(a, s)); }

// The two activation dtypes kernels are written for: BF16 (fast intrinsics; results rounded to BF16 where a
// separate op would store them) and F32 (--dtype float32: accurate expf and 1 / sqrtf, held to transformers'
// float32 outputs). TILE_PAD makes a staged K/V row's word stride odd, so lanes reading key j at the same dim
// hit distinct shared-memory banks.
template <typename T> struct Elem;
template <> struct Elem<bf16> {
    static __device__ __forceinline__ float load(bf16 v) { return bf2f(v); }
    static __device__ __forceinline__ bf16 store(float f) { return f2bf(f); }
    static __device__ __forceinline__ float as_stored(float f) { return bf2f(f2bf(f)); }
    static __device__ __forceinline__ float softmax_exp(float x) { return __expf(x); }
    static __device__ __forceinline__ float inv_sqrt(float x) { return rsqrtf(x); }
    static constexpr int TILE_PAD = 2;
};
template <> struct Elem<float> {
    static __device__ __forceinline__ float load(float v) { return v; }
    static __device__ __forceinline__ float store(float f) { return f; }
    static __device__ __forceinline__ float as_stored(float f) { return f; }
    static __device__ __forceinline__ float softmax_exp(float x) { return expf(x); }
    static __device__ __forceinline__ float inv_sqrt(float x) { return 1.0f / sqrtf(x); }
    static constexpr int TILE_PAD = 1;
};

// The splits a decode request of seq keys uses out of the launch's `splits` (attention.cu's kernels of
// both dtypes; AttentionKernels plans them): up to `spread` splits of at least minKeys keys (the
// parallelism a small batch needs), and at least one per balanceKeys keys, so that in a batch of mixed
// lengths the longest request's blocks are not left running alone. A launch shaped for a longer context
// (a CUDA graph's, captured for the whole context) leaves the extra blocks and merge cells idle.
__device__ __forceinline__ int decode_splits_used(int seq, int splits, int minKeys, int spread, int balanceKeys) {
    int forParallelism = min(spread, (seq + minKeys - 1) / minKeys);
    int forBalance = (seq + balanceKeys - 1) / balanceKeys;
    return max(1, min(splits, max(forParallelism, forBalance)));
}
