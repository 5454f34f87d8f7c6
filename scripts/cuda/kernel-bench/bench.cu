// Decode-kernel harness: the resource kernels gemv.cu and attention.cu (decode part) against a
// baseline snapshot of the same files (namespace oldk, made by build.sh), on the Llama-3.1-8B batch-1
// shapes. Checks every new output against a float reference (and poisons outputs first), then times
// with CUDA graphs of back-to-back launches over buffers rotated past L2 and prints GB/s and the
// fraction of 3.0 TB/s. Usage: kbench [gemv] [chain] [layer] [layerm] [tail] [attn] [mixed] [layout] [splitcost] (default: all).
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace oldk {
#include "baseline_kernels.cuh"
}
#undef GEMV_WARPS
#undef GEMV_KERNELS
#undef EXT_ROWS_PER_WARP
#undef EXT_WARPS
#undef EXT_BM
#undef EXT_BN
#undef NEG_INF
#undef DEC_WARPS
#undef DEC_UNROLL
#undef EXTEND_KERNEL
#undef DECODE_KERNEL
namespace ldgk {
#include "gemv_ldg.cuh"
}
#undef GEMV_KERNELS
#undef GEMV_FUSED_KERNELS
#include "common.cuh"
#include "gemv.cu"
#include "attention.cu"
namespace eng {
#include "engine_ops.cuh"
}

#define CK(x)                                                                                        \
    do {                                                                                             \
        cudaError_t e_ = (x);                                                                        \
        if (e_ != cudaSuccess) {                                                                     \
            fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_));      \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

static const double PEAK = 3.0e12;
static cudaStream_t g_stream;
static int g_sms;
static int g_failures;

// ---------------------------------------------------------------------------------------------- utils

__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

__global__ void fill_bf16(bf16* p, size_t n, unsigned long long seed, float amp) {
    for (size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x; i < n; i += (size_t) gridDim.x * blockDim.x) {
        unsigned long long h = mix64(seed * 0x9e3779b97f4a7c15ull + i);
        float u = (float) (h >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f;
        p[i] = f2bf(u * amp);
    }
}

static void fill(bf16* p, size_t n, unsigned long long seed, float amp) {
    fill_bf16<<<4 * g_sms, 256, 0, g_stream>>>(p, n, seed, amp);
    CK(cudaGetLastError());
}

static void* dalloc(size_t bytes) {
    void* p;
    CK(cudaMalloc(&p, bytes));
    return p;
}

static std::vector<float> host_floats(const void* d, size_t n, bool isBf16) {
    std::vector<float> out(n);
    CK(cudaStreamSynchronize(g_stream));
    if (isBf16) {
        std::vector<unsigned short> h(n);
        CK(cudaMemcpy(h.data(), d, n * 2, cudaMemcpyDeviceToHost));
        for (size_t i = 0; i < n; i++) {
            unsigned int u = ((unsigned int) h[i]) << 16;
            memcpy(&out[i], &u, 4);
        }
    } else {
        CK(cudaMemcpy(out.data(), d, n * 4, cudaMemcpyDeviceToHost));
    }
    return out;
}

// Relative L2 error of a against reference b; NaN (an unwritten, poisoned element) counts as failure.
static double rel_err(const std::vector<float>& a, const std::vector<float>& b) {
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); i++) {
        if (std::isnan(a[i]) || std::isinf(a[i])) return INFINITY;
        double d = (double) a[i] - b[i];
        num += d * d;
        den += (double) b[i] * b[i];
    }
    return std::sqrt(num / std::max(den, 1e-30));
}

static bool check(const char* what, double err, double bound) {
    bool ok = err <= bound;
    if (!ok) {
        g_failures++;
        printf("  FAIL %s: rel err %.3g > %.1g\n", what, err, bound);
    }
    return ok;
}

// Median time of one call, in us: a graph of `calls` launches (launch(i, stream)) replayed `reps` times.
static double time_graph(const std::function<void(int, cudaStream_t)>& launch, int calls, int reps) {
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    CK(cudaStreamBeginCapture(g_stream, cudaStreamCaptureModeThreadLocal));
    for (int i = 0; i < calls; i++) launch(i, g_stream);
    CK(cudaStreamEndCapture(g_stream, &graph));
    CK(cudaGraphInstantiate(&exec, graph, 0));
    CK(cudaGraphLaunch(exec, g_stream));
    CK(cudaStreamSynchronize(g_stream));
    cudaEvent_t a, b;
    CK(cudaEventCreate(&a));
    CK(cudaEventCreate(&b));
    std::vector<float> ms;
    for (int r = 0; r < reps; r++) {
        CK(cudaEventRecord(a, g_stream));
        CK(cudaGraphLaunch(exec, g_stream));
        CK(cudaEventRecord(b, g_stream));
        CK(cudaEventSynchronize(b));
        float t;
        CK(cudaEventElapsedTime(&t, a, b));
        ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    CK(cudaGraphExecDestroy(exec));
    CK(cudaGraphDestroy(graph));
    CK(cudaEventDestroy(a));
    CK(cudaEventDestroy(b));
    return ms[ms.size() / 2] * 1e3 / calls;
}

// ---------------------------------------------------------------------------------------------- cuBLAS

typedef int (*CublasCreate)(void**);
typedef int (*CublasSetStream)(void*, cudaStream_t);
typedef int (*CublasSetWorkspace)(void*, void*, size_t);
typedef int (*CublasGemmEx)(void*, int, int, int, int, int, const void*, const void*, int, int, const void*, int,
                            int, const void*, void*, int, int, int, int);
static void* g_cublas;
static CublasGemmEx g_gemm;

static void open_cublas() {
    const char* names[] = {"libcublas.so.13", "/usr/local/cuda/lib64/libcublas.so.13", "libcublas.so.12", "libcublas.so"};
    void* lib = nullptr;
    for (const char* n : names) {
        if ((lib = dlopen(n, RTLD_NOW))) break;
    }
    if (!lib) {
        printf("cuBLAS not found: no cuBLAS column\n");
        return;
    }
    auto create = (CublasCreate) dlsym(lib, "cublasCreate_v2");
    auto setStream = (CublasSetStream) dlsym(lib, "cublasSetStream_v2");
    auto setWs = (CublasSetWorkspace) dlsym(lib, "cublasSetWorkspace_v2");
    g_gemm = (CublasGemmEx) dlsym(lib, "cublasGemmEx");
    if (!create || !setStream || !setWs || !g_gemm || create(&g_cublas) != 0) {
        g_cublas = nullptr;
        printf("cuBLAS unusable: no cuBLAS column\n");
        return;
    }
    setStream(g_cublas, g_stream);
    setWs(g_cublas, dalloc(32 << 20), 32 << 20);
}

static void cublas_linear(const bf16* x, const bf16* w, void* out, bool f32, int m, int o, int k) {
    float one = 1, zero = 0;
    int rc = g_gemm(g_cublas, 1, 0, o, m, k, &one, w, 14, k, x, 14, k, &zero, out, f32 ? 0 : 14, o, 68, -1);
    if (rc != 0) {
        fprintf(stderr, "cublasGemmEx %d\n", rc);
        exit(1);
    }
}

// ---------------------------------------------------------------------------------------------- GEMV

typedef void (*GemvBf16)(const bf16*, const bf16*, const bf16*, bf16*, int, int, int);
typedef void (*GemvF32)(const bf16*, const bf16*, const bf16*, float*, int, int, int);

template <int M, int R, int U, typename OUT>
__global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_variant(const bf16* x, const bf16* w, const bf16* bias,
                                                                 OUT* out, int K, int O, int S) {
    gemv<M, R, U, GEMV_PLAIN, OUT>(x, w, bias, out, K, O, S, 0, 0, 0, 0.0f);
}

// At most 40 registers: 12 blocks (48 warps) per SM (no spills at M = 1 only).
template <int M, int R, int U, typename OUT>
__global__ void __launch_bounds__(GEMV_WARPS * 32, 12) gemv_variant_lb(const bf16* x, const bf16* w,
                                                                        const bf16* bias, OUT* out, int K, int O, int S) {
    gemv<M, R, U, GEMV_PLAIN, OUT>(x, w, bias, out, K, O, S, 0, 0, 0, 0.0f);
}

template <int M, int R, int U, typename OUT>
__global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_variant_ldg(const bf16* x, const bf16* w, const bf16* bias,
                                                                     OUT* out, int K, int O, int S) {
    ldgk::gemv<M, R, U, GEMV_PLAIN, OUT>(x, w, bias, out, K, O, S, 0, 0, 0, 0.0f);
}

struct GemvKernel {
    std::string name;
    int m, rows, warps;  // rows per warp, warps per block
    bool old;
    GemvBf16 bf;
    GemvF32 f32;
};

// The launch shape Linears.gemv (Gemv.launch) uses: split K over S warps of a block until the grid has
// `fill` blocks per SM (baseline: 8 warps a block, fill 2).
static void gemv_launch(const GemvKernel& k, const bf16* x, const bf16* w, const bf16* bias, void* out, bool f32,
                        int K, int O, cudaStream_t s, int fill) {
    int groups = (O + k.rows - 1) / k.rows;
    int split = 1;
    auto blocks = [&](int sp) { return (groups + k.warps / sp - 1) / (k.warps / sp); };
    while (split < k.warps && blocks(split) < fill * g_sms) split *= 2;
    if (f32) {
        k.f32<<<blocks(split), 32 * k.warps, 0, s>>>(x, w, bias, (float*) out, K, O, split);
    } else {
        k.bf<<<blocks(split), 32 * k.warps, 0, s>>>(x, w, bias, (bf16*) out, K, O, split);
    }
}

static int gemv_fill(const GemvKernel& k) { return k.old ? 2 : 4; }

__global__ void ref_gemv(const bf16* x, const bf16* w, const bf16* bias, float* out, int M, int K, int O) {
    int o = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32, lane = threadIdx.x & 31;
    if (o >= O) return;
    for (int n = 0; n < M; n++) {
        float s = 0;
        for (int k = lane; k < K; k += 32) s += bf2f(x[(i64) n * K + k]) * bf2f(w[(i64) o * K + k]);
        s = warp_sum(s);
        if (lane == 0) out[(i64) n * O + o] = s + (bias ? bf2f(bias[o]) : 0.0f);
    }
}

static std::vector<GemvKernel> gemv_kernels(int m) {
    std::vector<GemvKernel> ks;
    auto old = [&](GemvBf16 bf, GemvF32 f) { ks.push_back({"old", m, m == 1 ? 1 : 2, 8, true, bf, f}); };
    auto cur = [&](int r, GemvBf16 bf, GemvF32 f) { ks.push_back({"new", m, r, GEMV_WARPS, false, bf, f}); };
#define VAR(M_, R_, U_) \
    ks.push_back({"R" #R_ "U" #U_, M_, R_, GEMV_WARPS, false, gemv_variant<M_, R_, U_, bf16>, gemv_variant<M_, R_, U_, float>})
#define VAR_LB(M_, R_, U_) \
    ks.push_back({"R" #R_ "U" #U_ "lb", M_, R_, GEMV_WARPS, false, gemv_variant_lb<M_, R_, U_, bf16>, gemv_variant_lb<M_, R_, U_, float>})
#define VAR_LDG(M_, R_, U_) \
    ks.push_back({"R" #R_ "U" #U_ "ldg", M_, R_, GEMV_WARPS, false, gemv_variant_ldg<M_, R_, U_, bf16>, gemv_variant_ldg<M_, R_, U_, float>})
    switch (m) {
        case 1:
            old((GemvBf16) oldk::gemv_bf16_1, (GemvF32) oldk::gemv_f32_1);
            cur(1, gemv_bf16_1, gemv_f32_1);
            VAR_LB(1, 1, 4); VAR_LDG(1, 1, 4); VAR(1, 1, 2); VAR(1, 1, 8); VAR(1, 2, 2);
            break;
        case 2:
            old((GemvBf16) oldk::gemv_bf16_2, (GemvF32) oldk::gemv_f32_2);
            cur(2, gemv_bf16_2, gemv_f32_2);
            VAR_LDG(2, 2, 2); VAR(2, 4, 1); VAR(2, 4, 2); VAR(2, 1, 4); VAR(2, 2, 4);
            break;
        case 3:
            old((GemvBf16) oldk::gemv_bf16_3, (GemvF32) oldk::gemv_f32_3);
            cur(2, gemv_bf16_3, gemv_f32_3);
            VAR_LDG(3, 2, 2); VAR(3, 4, 1); VAR(3, 1, 2); VAR(3, 4, 2);
            break;
        default:
            old((GemvBf16) oldk::gemv_bf16_4, (GemvF32) oldk::gemv_f32_4);
            cur(4, gemv_bf16_4, gemv_f32_4);
            VAR_LDG(4, 4, 1); VAR(4, 2, 2); VAR(4, 1, 2); VAR(4, 4, 2);
            break;
    }
#undef VAR_LB
#undef VAR_LDG
#undef VAR
    return ks;
}

struct Shape {
    const char* name;
    int o, k;
    bool f32;
};

static void gemv_correctness() {
    printf("\n== GEMV correctness (odd shapes, bias, every variant, vs float reference)\n");
    Shape shapes[] = {{"200x384", 200, 384, false}, {"5000x1024", 5000, 1024, true}, {"1000x1032", 1000, 1032, false},
                      {"77x4104", 77, 4104, true}, {"4096x14336", 4096, 14336, false}};
    for (const Shape& sh : shapes) {
        for (int m = 1; m <= 4; m++) {
            bf16* x = (bf16*) dalloc((size_t) m * sh.k * 2);
            bf16* w = (bf16*) dalloc((size_t) sh.o * sh.k * 2);
            bf16* b = (bf16*) dalloc((size_t) sh.o * 2);
            float* ref = (float*) dalloc((size_t) m * sh.o * 4);
            void* out = dalloc((size_t) m * sh.o * 4);
            fill(x, (size_t) m * sh.k, 11 + m, 1.0f);
            fill(w, (size_t) sh.o * sh.k, 12, 0.1f);
            fill(b, sh.o, 13, 1.0f);
            ref_gemv<<<(sh.o + 7) / 8, 256, 0, g_stream>>>(x, w, b, ref, m, sh.k, sh.o);
            CK(cudaGetLastError());
            std::vector<float> expect = host_floats(ref, (size_t) m * sh.o, false);
            for (const GemvKernel& k : gemv_kernels(m)) {
                for (int f32 = 0; f32 < 2; f32++) {
                    CK(cudaMemsetAsync(out, 0xff, (size_t) m * sh.o * 4, g_stream));
                    gemv_launch(k, x, w, b, out, f32, sh.k, sh.o, g_stream, gemv_fill(k));
                    CK(cudaGetLastError());
                    double err = rel_err(host_floats(out, (size_t) m * sh.o, !f32), expect);
                    std::string what = std::string(k.name) + " M=" + std::to_string(m) + " " + sh.name + (f32 ? " f32" : " bf16");
                    check(what.c_str(), err, f32 ? 1e-4 : 1e-2);
                }
            }
            CK(cudaFree(x)); CK(cudaFree(w)); CK(cudaFree(b)); CK(cudaFree(ref)); CK(cudaFree(out));
        }
    }
    printf("  done (%d failures so far)\n", g_failures);
}

static const Shape kShapes[] = {{"qkv", 6144, 4096, false},
                                {"o", 4096, 4096, false},
                                {"gate_up", 28672, 4096, false},
                                {"down", 4096, 14336, false},
                                {"lm_head", 128256, 4096, true}};

static void gemv_bench() {
    printf("\n== GEMV weight-read GB/s (graph of 40 back-to-back calls, weights rotated past L2; %% of 3.0 TB/s)\n");
    for (const Shape& sh : kShapes) {
        size_t bytes = (size_t) sh.o * sh.k * 2;
        int copies = (int) std::max<size_t>(2, std::min<size_t>(8, ((size_t) 512 << 20) / bytes + 1));
        std::vector<bf16*> w(copies);
        for (int i = 0; i < copies; i++) {
            w[i] = (bf16*) dalloc(bytes);
            fill(w[i], bytes / 2, 100 + i, 0.05f);
        }
        bf16* x = (bf16*) dalloc((size_t) 4 * sh.k * 2);
        fill(x, (size_t) 4 * sh.k, 7, 1.0f);
        void* out = dalloc((size_t) 4 * sh.o * 4);
        float* ref = (float*) dalloc((size_t) 4 * sh.o * 4);
        for (int m = 1; m <= 4; m++) {
            ref_gemv<<<(sh.o + 7) / 8, 256, 0, g_stream>>>(x, w[0], nullptr, ref, m, sh.k, sh.o);
            std::vector<float> expect = host_floats(ref, (size_t) m * sh.o, false);
            printf("%-8s %6d x %5d M=%d:", sh.name, sh.o, sh.k, m);
            for (const GemvKernel& k : gemv_kernels(m)) {
                CK(cudaMemsetAsync(out, 0xff, (size_t) m * sh.o * 4, g_stream));
                gemv_launch(k, x, w[0], nullptr, out, sh.f32, sh.k, sh.o, g_stream, gemv_fill(k));
                CK(cudaGetLastError());
                double err = rel_err(host_floats(out, (size_t) m * sh.o, !sh.f32), expect);
                std::string what = k.name + " " + sh.name + " M=" + std::to_string(m);
                check(what.c_str(), err, sh.f32 ? 1e-4 : 1e-2);
                double us = time_graph([&](int i, cudaStream_t s) {
                    gemv_launch(k, x, w[i % copies], nullptr, out, sh.f32, sh.k, sh.o, s, gemv_fill(k));
                }, 40, 7);
                printf("  %s %.0f (%.2f)", k.name.c_str(), bytes / us / 1e3, bytes / us / 1e-6 / PEAK);
            }
            if (g_cublas) {
                double us = time_graph([&](int i, cudaStream_t s) {
                    cublas_linear(x, w[i % copies], out, sh.f32, m, sh.o, sh.k);
                }, 40, 7);
                printf("  cublas %.0f (%.2f)", bytes / us / 1e3, bytes / us / 1e-6 / PEAK);
            }
            printf("\n");
            fflush(stdout);
        }
        for (bf16* p : w) CK(cudaFree(p));
        CK(cudaFree(x)); CK(cudaFree(out)); CK(cudaFree(ref));
    }
}

// ------------------------------------------------------------------------- batch-1 layer chain

// Stands in for the one-block ops between the linears (norms, SiLU, RoPE): reads n values, writes n.
__global__ void small_op(const bf16* in, bf16* out, int n) {
    float ss = 0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) ss += bf2f(in[i]) * bf2f(in[i]);
    float inv = rsqrtf(block_sum(ss) / n + 1e-5f);
    for (int i = threadIdx.x; i < n; i += blockDim.x) out[i] = f2bf(bf2f(in[i]) * inv);
}

// The Llama-3.1-8B layer's linears (qkv, o, gate_up, down): outputs and inputs.
static const int H8B = 4096, I8B = 14336;
static const int LAYER_OUTS[4] = {6144, 4096, 2 * I8B, H8B}, LAYER_INS[4] = {H8B, H8B, H8B, I8B};

// Weights of `layers` such layers, w[l * 4 + j]; *layerBytes gets one layer's bytes.
static std::vector<bf16*> layer_weights(int layers, size_t* layerBytes) {
    std::vector<bf16*> w(layers * 4);
    *layerBytes = 0;
    for (int l = 0; l < layers; l++) {
        for (int j = 0; j < 4; j++) {
            size_t n = (size_t) LAYER_OUTS[j] * LAYER_INS[j];
            if (l == 0) *layerBytes += 2 * n;
            w[l * 4 + j] = (bf16*) dalloc(2 * n);
            fill(w[l * 4 + j], n, 300 + l * 4 + j, 0.02f);
        }
    }
    return w;
}

static void chain_bench() {
    printf("\n== Batch-1 layer chain: qkv, o, gate_up, down GEMVs with a one-block op before each (4 layers of\n"
           "   distinct weights, graph); us per layer, weight GB/s; floor = 436 MB / 3.0 TB/s = 145 us\n");
    const int layers = 4, I = I8B;
    const int *outs = LAYER_OUTS, *ins = LAYER_INS;
    size_t layerBytes;
    std::vector<bf16*> w = layer_weights(layers, &layerBytes);
    bf16* act = (bf16*) dalloc(2 * 2 * I * 2);
    bf16* normed = (bf16*) dalloc(2 * I * 2);
    fill(act, 2 * 2 * I, 5, 1.0f);
    std::vector<GemvKernel> ks = gemv_kernels(1);
    for (int v = 0; v < 2; v++) {
        const GemvKernel& k = ks[v];
        auto layer = [&](int l, cudaStream_t s) {
            for (int j = 0; j < 4; j++) {
                small_op<<<1, 1024, 0, s>>>(act, normed, ins[j]);
                gemv_launch(k, normed, w[l * 4 + j], nullptr, act, false, ins[j], outs[j], s, gemv_fill(k));
            }
        };
        double us = time_graph([&](int i, cudaStream_t s) { layer(i % layers, s); }, 4 * layers, 7);
        CK(cudaGetLastError());
        printf("  %-10s %7.1f us/layer  %5.0f GB/s (%.2f)\n", k.name.c_str(), us, layerBytes / us / 1e3,
               layerBytes / us / 1e-6 / PEAK);
        fflush(stdout);
    }
    for (bf16* p : w) CK(cudaFree(p));
    CK(cudaFree(act)); CK(cudaFree(normed));
}

// ------------------------------------------------------------------------------------ decode attention

typedef void (*DecodeNew)(const bf16*, const bf16*, const bf16*, const int*, int, const int*, const int*, const int*,
                          bf16*, float*, int, int, int, float, int, int, int);
typedef void (*DecodeOld)(const bf16*, const bf16*, const bf16*, const int*, int, const int*, const int*, const int*,
                          bf16*, float*, int, int, int, float);

template <int L, int G, int ST, int UMAX>
__global__ void __launch_bounds__(DV_WARPS * 32) decode_variant(const bf16* q, const bf16* kCache, const bf16* vCache,
        const int* reqToToken, int stride, const int* reqPool, const int* seqLens, const int* extendStarts, bf16* out,
        float* partial, int numHeads, int numKvHeads, int D, float scale, int minKeys, int spread, int balanceKeys) {
    decode_attention_rows<L, G, ST, UMAX>(q, kCache, vCache, reqToToken, stride, reqPool, seqLens, extendStarts, out,
                                    partial, numHeads, numKvHeads, D, scale, minKeys, spread, balanceKeys);
}

struct DecodeKernel {
    std::string name;
    int l, g, stages, umax;
    DecodeNew fn;
};

static DecodeNew production_rows(int l, int g) {
#define P_(L_)                                                                 \
    if (l == L_) return g == 4 ? decode_attention_rows_##L_##_4                \
                       : g == 2 ? decode_attention_rows_##L_##_2 : decode_attention_rows_##L_##_1;
    P_(1) P_(2) P_(4) P_(8) P_(16) P_(32)
#undef P_
    return nullptr;
}

static int lanes_for(int D) {
    int l = 1;
    while (l * 8 < D) l *= 2;
    return l;
}

// AttentionKernels.decodeRowsGroup.
static int group_for(int requests, int heads, int kv) {
    int group = heads / kv;
    if (group % 4 == 0 && requests * kv > 64) return 4;
    return group % 2 == 0 ? 2 : 1;
}

// Host side of a decode call, as AttentionKernels does it.
struct Batch {
    int requests, heads, kvHeads, D, stride, maxSeq;
    float scale;
    const bf16 *q, *k, *v;
    const int *table, *pool, *seqLens, *starts;
    bf16* out;
};

static float* g_partial;

// decode_merge as it was before the warp-parallel one (one L2 round trip per split), to time the change.
__global__ void serial_merge(const float* partial, const int* seqLens, const int* extendStarts, bf16* out,
                             int numHeads, int D, int splits, int minKeys, int spread, int balanceKeys) {
    int r = blockIdx.x, head = blockIdx.y;
    int used = decode_splits_used(seqLens[r], splits, minKeys, spread, balanceKeys);
    if (used == 1) return;
    i64 base = ((i64) r * numHeads + head) * splits;
    float bm = NEG_INF;
    for (int s = 0; s < used; s++) bm = fmaxf(bm, partial[(base + s) * (D + 2)]);
    i64 row = extendStarts[r];
    for (int d = threadIdx.x; d < D; d += blockDim.x) {
        float sum = 0.0f, o = 0.0f;
        for (int s = 0; s < used; s++) {
            const float* cell = partial + (base + s) * (D + 2);
            float f = cell[0] == NEG_INF ? 0.0f : __expf(cell[0] - bm);
            sum += cell[1] * f;
            o += cell[2 + d] * f;
        }
        out[row * (i64) numHeads * D + head * D + d] = f2bf(o / sum);
    }
}
static const size_t PARTIAL_BYTES = (size_t) 256 << 20;

struct Plan {
    int fill;       // blocks wanted per SM
    int minKeys;
    int planSeq;    // 0: the batch's max context; else a graph's fixed context
    int balanceKeys = 1024;  // 0: no balance splits
    bool serialMerge = false;  // serial_merge instead of decode_merge
};

static int plan_splits(const Batch& b, int groups, const Plan& p) {
    int blocks = b.requests * groups;
    int wanted = (p.fill * g_sms + blocks - 1) / blocks;
    int seq = p.planSeq ? p.planSeq : b.maxSeq;
    int byLength = (seq + p.minKeys - 1) / p.minKeys;
    return std::max(1, std::min(32, std::min(wanted, byLength)));
}

// A launch of `splits` blocks per (request, head group): each request uses up to `spread` splits of at
// least minKeys keys and at least one per balanceKeys keys (decode_splits_used).
static bool g_skipMerge = false;  // time the attention kernel alone (its output is then incomplete)

static void run_splits(const DecodeKernel& k, const Batch& b, int splits, int spread, int minKeys, int balanceKeys,
                       bool serialMerge, cudaStream_t s) {
    int groups = b.heads / k.g;
    if ((size_t) b.requests * b.heads * splits * (b.D + 2) * 4 > PARTIAL_BYTES) { fprintf(stderr, "partials\n"); exit(1); }
    int smem = decode_rows_shared_bytes(k.l, k.g, k.stages, k.umax);
    k.fn<<<dim3(b.requests, groups, splits), DV_WARPS * 32, smem, s>>>(b.q, b.k, b.v, b.table, b.stride, b.pool,
            b.seqLens, b.starts, b.out, g_partial, b.heads, b.kvHeads, b.D, b.scale, minKeys, spread, balanceKeys);
    if (splits > 1 && !g_skipMerge) {
        typedef void (*Merge)(const float*, const int*, const int*, bf16*, int, int, int, int, int, int);
        Merge merge = serialMerge ? serial_merge : (Merge) decode_merge;
        merge<<<dim3(b.requests, b.heads), std::min(1024, (b.D + 31) / 32 * 32), 0, s>>>(g_partial, b.seqLens,
                b.starts, b.out, b.heads, b.D, splits, minKeys, spread, balanceKeys);
    }
}

// AttentionKernels' plan: spread for parallelism, plus, with a block per SM or more, up to 16 splits of at
// most 1024 keys for balance (balanceKeys 0: the plan before the balance rule).
static void run_new(const DecodeKernel& k, const Batch& b, const Plan& p, cudaStream_t s) {
    int spread = plan_splits(b, b.heads / k.g, p);
    int seq = p.planSeq ? p.planSeq : b.maxSeq;
    bool balance = p.balanceKeys && b.requests * (b.heads / k.g) >= g_sms;
    int balanced = balance ? std::max(1, std::min(16, (seq + p.balanceKeys - 1) / p.balanceKeys)) : 1;
    run_splits(k, b, std::max(spread, balanced), spread, p.minKeys, p.balanceKeys ? p.balanceKeys : 1 << 30,
               p.serialMerge, s);
}

static DecodeOld old_decode(int ni, int g) {
#define O_(NI_)                                                                               \
    if (ni == NI_) return g == 8 ? (DecodeOld) oldk::decode_attention_##NI_##_8                \
                        : g == 4 ? (DecodeOld) oldk::decode_attention_##NI_##_4                \
                        : g == 2 ? (DecodeOld) oldk::decode_attention_##NI_##_2 : (DecodeOld) oldk::decode_attention_##NI_##_1;
    O_(1) O_(2) O_(4)
#undef O_
    if (ni == 8) return g == 4 ? (DecodeOld) oldk::decode_attention_8_4 : g == 2 ? (DecodeOld) oldk::decode_attention_8_2
                                                                        : (DecodeOld) oldk::decode_attention_8_1;
    return nullptr;
}

// The baseline AttentionKernels decode plan (splits from the host's max seqLen, 2 blocks per SM).
static void run_old(const Batch& b, int planSeq, cudaStream_t s) {
    int ni = (b.D + 31) / 32;
    ni = ni <= 1 ? 1 : ni <= 2 ? 2 : ni <= 4 ? 4 : 8;
    int group = b.heads / b.kvHeads, g = 1;
    for (int c = 8; c > 1; c /= 2) {
        if (group % c == 0 && c * ni <= 32) { g = c; break; }
    }
    int blocks = b.requests * (b.heads / g);
    int wanted = (2 * g_sms + blocks - 1) / blocks;
    int seq = planSeq ? planSeq : b.maxSeq;
    int splits = std::max(1, std::min(32, std::min(wanted, (seq + 63) / 64)));
    old_decode(ni, g)<<<dim3(b.requests, b.heads / g, splits), 128, 0, s>>>(b.q, b.k, b.v, b.table, b.stride, b.pool,
            b.seqLens, b.starts, b.out, g_partial, b.heads, b.kvHeads, b.D, b.scale);
    if (splits > 1) {
        oldk::decode_merge<<<dim3(b.requests, b.heads), std::min(1024, (b.D + 31) / 32 * 32), 0, s>>>(g_partial, b.starts,
                b.out, b.heads, b.D, splits);
    }
}

__global__ void ref_decode(const bf16* q, const bf16* kc, const bf16* vc, const int* table, int stride, const int* pool,
                           const int* seqLens, const int* starts, float* out, int heads, int kvHeads, int D, float scale) {
    extern __shared__ float sc[];
    int r = blockIdx.x, h = blockIdx.y, kvh = h / (heads / kvHeads);
    int seq = seqLens[r];
    const int* t = table + (i64) pool[r] * stride;
    const bf16* qr = q + (i64) starts[r] * heads * D + h * D;
    for (int j = threadIdx.x; j < seq; j += blockDim.x) {
        const bf16* kr = kc + (i64) t[j] * kvHeads * D + kvh * D;
        float dot = 0;
        for (int d = 0; d < D; d++) dot += bf2f(qr[d]) * bf2f(kr[d]);
        sc[j] = dot * scale;
    }
    __syncthreads();
    float mx = -INFINITY;
    for (int j = 0; j < seq; j++) mx = fmaxf(mx, sc[j]);
    for (int d = threadIdx.x; d < D; d += blockDim.x) {
        float sum = 0, o = 0;
        for (int j = 0; j < seq; j++) {
            float p = expf(sc[j] - mx);
            sum += p;
            o += p * bf2f(vc[(i64) t[j] * kvHeads * D + kvh * D + d]);
        }
        out[(i64) starts[r] * heads * D + h * D + d] = o / sum;
    }
}

// How a case's keys sit in the cache. Shuffled pages: each request's keys in runs of `page` slots, the
// runs at shuffled places. Decode-like: the first (1 - generated) of each request's keys contiguous (its
// prompt, prefilled at once), the rest written step by step as a decode batch writes them: one slot per
// running request per step, or `page` slots per request at a time when page > 1.
struct Layout {
    int page = 16;
    double generated = -1;  // < 0: shuffled pages
};

// A decode batch with its own caches: request r's keys at slots laid out by `layout`.
struct Case {
    Batch b;
    std::vector<void*> owned;
    size_t kvBytes;  // K and V bytes one call reads
};

static Case make_case(const std::vector<int>& seqs, int heads, int kvHeads, int D, unsigned seed, int copies = 1,
                      Layout layout = {}) {
    Case c{};
    Batch& b = c.b;
    b.requests = (int) seqs.size();
    b.heads = heads;
    b.kvHeads = kvHeads;
    b.D = D;
    b.scale = 1.0f / std::sqrt((float) D);
    b.maxSeq = *std::max_element(seqs.begin(), seqs.end());
    b.stride = b.maxSeq + 3;
    size_t tokens = 0;
    for (int s : seqs) tokens += s;
    int page = layout.page;
    size_t pages = (tokens + page - 1) / page + b.requests + 1;
    size_t slots = pages * page;
    std::vector<int> table((size_t) (b.requests + 1) * b.stride, 0), pool(b.requests), starts(b.requests);
    for (int r = 0; r < b.requests; r++) {
        pool[r] = (r * 7 + 1) % (b.requests + 1);
        starts[r] = r;
    }
    std::mt19937 rng(seed);
    auto at = [&](int r, int j) -> int& { return table[(size_t) pool[r] * b.stride + j]; };
    if (layout.generated < 0) {
        std::vector<int> perm(pages);
        for (size_t i = 0; i < pages; i++) perm[i] = (int) i;
        std::shuffle(perm.begin(), perm.end(), rng);
        size_t t = 0;
        for (int r = 0; r < b.requests; r++) {
            for (int j = 0; j < seqs[r]; j++, t++) at(r, j) = perm[t / page] * page + (int) (t % page);
        }
    } else {
        std::vector<int> prompt(b.requests), order(b.requests);
        int next = 0, longest = 0;
        for (int r = 0; r < b.requests; r++) order[r] = r;
        std::shuffle(order.begin(), order.end(), rng);
        for (int r : order) {
            prompt[r] = std::max(1, (int) std::lround(seqs[r] * (1 - layout.generated)));
            for (int j = 0; j < prompt[r]; j++) at(r, j) = next++;
            longest = std::max(longest, seqs[r] - prompt[r]);
        }
        next = (next + page - 1) / page * page;
        for (int step = 0; step < longest; step += page) {
            for (int r = 0; r < b.requests; r++) {
                int j0 = prompt[r] + step;
                if (j0 >= seqs[r]) continue;
                for (int j = j0; j < std::min(seqs[r], j0 + page); j++) at(r, j) = next + (j - j0);
                next += page;
            }
        }
        slots = std::max(slots, (size_t) next);
    }
    size_t width = (size_t) kvHeads * D;
    auto own = [&](size_t bytes) { void* p = dalloc(bytes); c.owned.push_back(p); return p; };
    bf16* k = (bf16*) own(slots * width * 2 * copies);
    bf16* v = (bf16*) own(slots * width * 2 * copies);
    fill(k, slots * width * copies, seed + 1, 1.0f);
    fill(v, slots * width * copies, seed + 2, 1.0f);
    b.k = k;
    b.v = v;
    bf16* q = (bf16*) own((size_t) b.requests * heads * D * 2);
    fill(q, (size_t) b.requests * heads * D, seed + 3, 1.0f);
    b.q = q;
    int* dt = (int*) own(table.size() * 4);
    int* dp = (int*) own(pool.size() * 4);
    int* ds = (int*) own(seqs.size() * 4);
    int* dst = (int*) own(starts.size() * 4);
    CK(cudaMemcpy(dt, table.data(), table.size() * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(dp, pool.data(), pool.size() * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(ds, seqs.data(), seqs.size() * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(dst, starts.data(), starts.size() * 4, cudaMemcpyHostToDevice));
    b.table = dt;
    b.pool = dp;
    b.seqLens = ds;
    b.starts = dst;
    b.out = (bf16*) own((size_t) b.requests * heads * D * 2);
    c.kvBytes = tokens * width * 2 * 2;
    return c;
}

static void free_case(Case& c) {
    for (void* p : c.owned) CK(cudaFree(p));
}

static std::vector<float> reference(const Batch& b) {
    float* ref = (float*) dalloc((size_t) b.requests * b.heads * b.D * 4);
    ref_decode<<<dim3(b.requests, b.heads), 128, b.maxSeq * 4, g_stream>>>(b.q, b.k, b.v, b.table, b.stride, b.pool,
            b.seqLens, b.starts, ref, b.heads, b.kvHeads, b.D, b.scale);
    CK(cudaGetLastError());
    std::vector<float> h = host_floats(ref, (size_t) b.requests * b.heads * b.D, false);
    CK(cudaFree(ref));
    return h;
}

static std::vector<float> decode_out(const Batch& b, const std::function<void(cudaStream_t)>& run) {
    size_t n = (size_t) b.requests * b.heads * b.D;
    CK(cudaMemsetAsync(b.out, 0xff, n * 2, g_stream));
    CK(cudaMemsetAsync(g_partial, 0xff, PARTIAL_BYTES, g_stream));
    run(g_stream);
    CK(cudaGetLastError());
    return host_floats(b.out, n, true);
}

// The production kernel for this batch (as AttentionKernels plans it) first, then for D 128 and GQA 4 the
// variants: q heads per block 4 and 2, 3 pipeline stages, 8 loads per step.
static std::vector<DecodeKernel> decode_kernels(int D, int requests, int heads, int kv) {
    int l = lanes_for(D), g = group_for(requests, heads, kv);
    std::vector<DecodeKernel> ks = {{"new", l, g, DECODE_ROWS_STAGES, DECODE_ROWS_LOADS, production_rows(l, g)}};
    if (l == 16 && heads == 4 * kv) {
        ks.push_back({"g4", 16, 4, DECODE_ROWS_STAGES, DECODE_ROWS_LOADS, production_rows(16, 4)});
        ks.push_back({"g2", 16, 2, DECODE_ROWS_STAGES, DECODE_ROWS_LOADS, production_rows(16, 2)});
        ks.push_back({"st3", 16, 4, 3, 4, decode_variant<16, 4, 3, 4>});
        ks.push_back({"u8", 16, 4, 2, 8, decode_variant<16, 4, 2, 8>});
    }
    for (const DecodeKernel& k : ks) {
        CK(cudaFuncSetAttribute(k.fn, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                decode_rows_shared_bytes(k.l, k.g, k.stages, k.umax)));
    }
    return ks;
}

static void attn_correctness() {
    printf("\n== Decode attention correctness (ragged, vs float reference; bf16 bound 1e-2)\n");
    struct C { int heads, kv, D; };
    C cs[] = {{32, 8, 128}, {8, 1, 64}, {4, 2, 16}, {16, 4, 256}, {12, 4, 128}, {4, 2, 32}, {4, 4, 8}, {8, 8, 96}};
    std::vector<int> seqs = {1, 16, 201, 3001, 65, 1024, 7, 129};
    Plan plans[] = {{2, 64, 0}, {2, 64, 131072}, {4, 32, 0}, {2, 64, 131072, 1024, true}};
    for (const C& c : cs) {
        Case cc = make_case(seqs, c.heads, c.kv, c.D, 1000 + c.D + c.heads);
        std::vector<float> ref = reference(cc.b);
        char what[160];
        double eo = rel_err(decode_out(cc.b, [&](cudaStream_t s) { run_old(cc.b, 0, s); }), ref);
        snprintf(what, sizeof what, "old D=%d %d/%d", c.D, c.heads, c.kv);
        check(what, eo, 1e-2);
        for (const DecodeKernel& k : decode_kernels(c.D, (int) seqs.size(), c.heads, c.kv)) {
            for (const Plan& p : plans) {
                double e = rel_err(decode_out(cc.b, [&](cudaStream_t s) { run_new(k, cc.b, p, s); }), ref);
                snprintf(what, sizeof what, "%s D=%d %d/%d fill %d minKeys %d planSeq %d", k.name.c_str(), c.D, c.heads,
                         c.kv, p.fill, p.minKeys, p.planSeq);
                check(what, e, 1e-2);
            }
        }
        printf("  D=%-3d heads %2d/%d: old err %.2e, ok\n", c.D, c.heads, c.kv, eo);
        free_case(cc);
    }
    // Batch 1, one long request, single request past every split size.
    for (int seq : {1, 63, 64, 65, 511, 4095, 8000}) {
        Case cc = make_case({seq}, 32, 8, 128, 77 + seq);
        std::vector<float> ref = reference(cc.b);
        for (const DecodeKernel& k : decode_kernels(128, 1, 32, 8)) {
            for (const Plan& p : plans) {
                double e = rel_err(decode_out(cc.b, [&](cudaStream_t s) { run_new(k, cc.b, p, s); }), ref);
                char what[160];
                snprintf(what, sizeof what, "%s batch 1 seq %d plan %d/%d/%d", k.name.c_str(), seq, p.fill, p.minKeys,
                         p.planSeq);
                check(what, e, 1e-2);
            }
        }
        free_case(cc);
    }
    printf("  done (%d failures so far)\n", g_failures);
}

static void attn_bench() {
    printf("\n== Decode attention, 32/8 heads, D 128: us per call and K/V GB/s (graph of back-to-back calls over\n"
           "   rotated caches); graph = splits planned for a 131072 context as a captured graph does\n");
    struct B { int batch, ctx; };
    B bs[] = {{1, 512}, {1, 1024}, {1, 4096}, {2, 1024}, {4, 1024}, {8, 1024}, {32, 1024}, {32, 2048}, {64, 2048},
              {128, 1024}, {256, 1024}, {256, 6000}};
    for (const B& c : bs) {
        size_t kv = (size_t) c.batch * c.ctx * 8 * 128 * 2 * 2;
        int copies = (int) std::max<size_t>(1, std::min<size_t>(8, ((size_t) 256 << 20) / kv + 1));
        Case cc = make_case(std::vector<int>(c.batch, c.ctx), 32, 8, 128, 5000 + c.batch, copies);
        size_t slotsBytes = ((c.batch * (size_t) c.ctx + 15) / 16 + 1) * 16 * 8 * 128 * 2;
        auto rotated = [&](int i) {
            Batch b = cc.b;
            b.k = (const bf16*) ((const char*) cc.b.k + (i % copies) * slotsBytes);
            b.v = (const bf16*) ((const char*) cc.b.v + (i % copies) * slotsBytes);
            return b;
        };
        int calls = c.batch * (size_t) c.ctx >= 100000 ? 10 : 40;
        std::vector<float> oldOut = decode_out(cc.b, [&](cudaStream_t s) { run_old(cc.b, 0, s); });
        printf("batch %3d x %4d (%6.1f MB):", c.batch, c.ctx, kv / 1e6);
        auto report = [&](const char* name, const std::function<void(const Batch&, cudaStream_t)>& run) {
            double err = rel_err(decode_out(cc.b, [&](cudaStream_t s) { run(cc.b, s); }), oldOut);
            std::string what = std::string(name) + " vs old, batch " + std::to_string(c.batch);
            check(what.c_str(), err, 1e-2);
            double us = time_graph([&](int i, cudaStream_t s) { run(rotated(i), s); }, calls, 5);
            printf("  %s %.1f us %.0f GB/s (%.2f)", name, us, kv / us / 1e3, kv / us / 1e-6 / PEAK);
        };
        report("old", [&](const Batch& b, cudaStream_t s) { run_old(b, 0, s); });
        report("old-graph", [&](const Batch& b, cudaStream_t s) { run_old(b, 131072, s); });
        std::vector<DecodeKernel> ks = decode_kernels(128, c.batch, 32, 8);
        for (const DecodeKernel& k : ks) {
            report(k.name.c_str(), [&](const Batch& b, cudaStream_t s) { run_new(k, b, {2, 64, 0}, s); });
        }
        report("new-graph", [&](const Batch& b, cudaStream_t s) { run_new(ks[0], b, {2, 64, 131072}, s); });
        report("graph-serial-merge", [&](const Batch& b, cudaStream_t s) {
            run_new(ks[0], b, {2, 64, 131072, 1024, true}, s);
        });
        report("graph-unbalanced", [&](const Batch& b, cudaStream_t s) { run_new(ks[0], b, {2, 64, 131072, 0}, s); });
        report("new-fill4", [&](const Batch& b, cudaStream_t s) { run_new(ks[0], b, {4, 64, 0}, s); });
        printf("\n");
        fflush(stdout);
        free_case(cc);
    }
}


// ------------------------------------------------------------ batch-1 layer without its one-block ops

// Which one-block ops a layer launches; a fused kernel would do their work inside a GEMV, so leaving them
// out bounds what folding them in can save (the outputs are then wrong: timing only).
struct LayerPlan {
    const char* name;
    bool norms, rope, silu;
    bool fused;  // the norms and SiLU done by gemv.cu's fused forms (residual, normed, normed_silu)
    bool pdl;    // the fused GEMVs launched as programmatic dependents of the kernel before
};

// k<<<grid, block, smem, s>>>, as a programmatic dependent launch when pdl is set.
template <typename... Params, typename... Args>
static void launch_ex(void (*k)(Params...), dim3 grid, int block, int smem, bool pdl, cudaStream_t s, Args... args) {
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = grid;
    cfg.blockDim = dim3(block);
    cfg.dynamicSmemBytes = smem;
    cfg.stream = s;
    cudaLaunchAttribute at[1];
    at[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    at[0].val.programmaticStreamSerializationAllowed = 1;
    cfg.attrs = at;
    cfg.numAttrs = pdl ? 1 : 0;
    CK(cudaLaunchKernelEx(&cfg, k, static_cast<Params>(args)...));
}

// Launches k<<<grid, 128>>> on s, as a programmatic dependent launch when pdl is set.
template <typename... Params, typename... Args>
static void launch_gemv(void (*k)(Params...), int grid, bool pdl, cudaStream_t s, Args... args) {
    launch_ex(k, dim3(grid), GEMV_WARPS * 32, 0, pdl, s, args...);
}

// Blocks of a batch-1 GEMV launch over `groups` warp groups, split as Gemv.split does (4 blocks an SM).
static int gemv1_blocks(int groups, int* split) {
    *split = 1;
    auto blocks = [&](int sp) { return (groups + GEMV_WARPS / sp - 1) / (GEMV_WARPS / sp); };
    while (*split < GEMV_WARPS && blocks(*split) < 4 * g_sms) *split *= 2;
    return blocks(*split);
}

static void layer_fusion_bench() {
    printf("\n== Batch-1 layer as decoded (norm, qkv, rope/store, attention 1 x 1024 graph plan, o, norm, gate_up,\n"
           "   silu, down), 4 layers of distinct weights, graph; without some of the one-block ops\n");
    const int layers = 4, H = H8B, I = I8B;
    size_t layerBytes;
    std::vector<bf16*> w = layer_weights(layers, &layerBytes);
    bf16* act = (bf16*) dalloc(2 * 2 * I * 2);
    bf16* normed = (bf16*) dalloc(2 * I * 2);
    bf16* qkv = (bf16*) dalloc(6144 * 2);
    fill(act, 2 * 2 * I, 5, 1.0f);
    fill(normed, 2 * I, 6, 1.0f);
    Case cc = make_case({1024}, 32, 8, 128, 4242, layers);
    size_t slotsBytes = ((1024 + 15) / 16 + 1) * 16 * 8 * 128 * 2;
    std::vector<DecodeKernel> dks = decode_kernels(128, 1, 32, 8);
    GemvKernel k = gemv_kernels(1)[0];
    bf16* normWeight = (bf16*) dalloc(2 * H);
    fill(normWeight, H, 7, 1.0f);
    unsigned long long* stats = (unsigned long long*) dalloc(8 * 4);
    CK(cudaMemset(stats, 0, 8 * 4));
    LayerPlan plans[] = {{"all", true, true, true, false, false},     {"no-norms", false, true, true, false, false},
                         {"no-norms-silu", false, true, false, false, false},
                         {"no-norms-silu-rope", false, false, false, false, false},
                         {"fused", false, false, false, true, false},  {"fused+pdl", false, false, false, true, true},
                         {"all", true, true, true, false, false},      {"fused", false, false, false, true, false},
                         {"fused+pdl", false, false, false, true, true}};
    int qkvS, resS, siluS;
    int qkvBlocks = gemv1_blocks(6144, &qkvS), resBlocks = gemv1_blocks(H, &resS), siluBlocks = gemv1_blocks(I, &siluS);
    for (const LayerPlan& p : plans) {
        auto fusedLayer = [&](int l, cudaStream_t s) {
            launch_gemv(gemv_normed_1, qkvBlocks, p.pdl, s, act, w[l * 4], nullptr, qkv, H, 6144, qkvS, stats, 1,
                        normWeight, 1e-5f);
            if (p.rope) small_op<<<1, 1024, 0, s>>>(qkv, qkv, 6144);
            Batch b = cc.b;
            b.k = (const bf16*) ((const char*) cc.b.k + l * slotsBytes);
            b.v = (const bf16*) ((const char*) cc.b.v + l * slotsBytes);
            run_new(dks[0], b, {2, 64, 131072}, s);
            launch_gemv(gemv_residual_1, resBlocks, p.pdl, s, b.out, w[l * 4 + 1], nullptr, act, H, H, resS, stats, 0);
            launch_gemv(gemv_normed_silu_1, siluBlocks, p.pdl, s, act, w[l * 4 + 2], normed, H, 2 * I, siluS, stats, 0,
                        normWeight, 1e-5f);
            launch_gemv(gemv_residual_1, resBlocks, p.pdl, s, normed, w[l * 4 + 3], nullptr, act, I, H, resS, stats, 1);
        };
        auto layer = [&](int l, cudaStream_t s) {
            if (p.fused) {
                fusedLayer(l, s);
                return;
            }
            if (p.norms) small_op<<<1, 1024, 0, s>>>(act, normed, H);
            gemv_launch(k, normed, w[l * 4], nullptr, qkv, false, H, 6144, s, gemv_fill(k));
            if (p.rope) small_op<<<1, 1024, 0, s>>>(qkv, qkv, 6144);
            Batch b = cc.b;
            b.k = (const bf16*) ((const char*) cc.b.k + l * slotsBytes);
            b.v = (const bf16*) ((const char*) cc.b.v + l * slotsBytes);
            run_new(dks[0], b, {2, 64, 131072}, s);
            gemv_launch(k, b.out, w[l * 4 + 1], nullptr, act, false, H, H, s, gemv_fill(k));
            if (p.norms) small_op<<<1, 1024, 0, s>>>(act, normed, H);
            gemv_launch(k, normed, w[l * 4 + 2], nullptr, act + 2 * I, false, H, 2 * I, s, gemv_fill(k));
            if (p.silu) small_op<<<1, 1024, 0, s>>>(act + 2 * I, normed, I);
            gemv_launch(k, normed, w[l * 4 + 3], nullptr, act, false, I, H, s, gemv_fill(k));
        };
        double us = time_graph([&](int i, cudaStream_t s) { layer(i % layers, s); }, 4 * layers, 9);
        CK(cudaGetLastError());
        printf("  %-20s %7.1f us/layer  %5.0f GB/s of weights (%.2f)\n", p.name, us, layerBytes / us / 1e3,
               layerBytes / us / 1e-6 / PEAK);
        fflush(stdout);
    }
    free_case(cc);
    for (bf16* q : w) CK(cudaFree(q));
    CK(cudaFree(act)); CK(cudaFree(normed)); CK(cudaFree(qkv)); CK(cudaFree(normWeight)); CK(cudaFree(stats));
}

// ------------------------------------------- decode layer at 1-4 rows: the engine's kernels, composed and fused

template <int M, int R, int U>
__global__ void __launch_bounds__(GEMV_WARPS * 32) lm_plain(const bf16* x, const bf16* w, bf16* out, int K, int O, int S) {
    gemv<M, R, U, GEMV_PLAIN, bf16>(x, w, nullptr, out, K, O, S, 0, 0, 0, 0.0f);
}
template <int M, int R, int U>
__global__ void __launch_bounds__(GEMV_WARPS * 32) lm_residual(const bf16* x, const bf16* w, bf16* res, int K, int O,
                                                               int S, unsigned long long* stats, int slot) {
    gemv<M, R, U, GEMV_RESIDUAL, bf16>(x, w, nullptr, res, K, O, S, stats, slot, 0, 0.0f);
}
template <int M, int R, int U>
__global__ void __launch_bounds__(GEMV_WARPS * 32) lm_silu(const bf16* x, const bf16* w, bf16* out, int K, int O, int S,
                                                           unsigned long long* stats, int slot, const bf16* nw) {
    gemv<M, R, U, GEMV_NORMED_SILU, bf16>(x, w, nullptr, out, K, O, S, stats, slot, nw, 1e-5f);
}
template <int M, int R, int U>
__global__ void __launch_bounds__(GEMV_WARPS * 32) lm_qkv(const bf16* x, const bf16* w, int K, int O, int S,
                                                          unsigned long long* stats, int slot, const bf16* nw,
                                                          QkvTargets t) {
    gemv<M, R, U, GEMV_NORMED_QKV, bf16>(x, w, nullptr, (bf16*) nullptr, K, O, S, stats, slot, nw, 1e-5f, t);
}

// Grid of a GEMV over `groups` warp groups, split as Gemv.split does for `fill` blocks wanted per SM (the
// engine's BLOCKS_PER_SM is 4); *split gets the split.
static int gemv_grid(int groups, int* split, int fill = 4) {
    *split = 1;
    auto blocks = [&](int sp) { return (groups + GEMV_WARPS / sp - 1) / (GEMV_WARPS / sp); };
    while (*split < GEMV_WARPS && blocks(*split) < fill * g_sms) *split *= 2;
    return blocks(*split);
}

// What a fused batch-M decode layer of the 8B (32 q / 8 kv heads of 128, contexts of 1024) reads and
// writes besides its weights: the residual and its statistics, the MLP activation, a norm weight, K/V cache
// slots and RoPE table for the q/k/v epilogue, and `layers` copies of the attention case.
template <int M>
struct LayerBuffers {
    static const int H = H8B, I = I8B, heads = 32, kv = 8, D = 128, slots = 64;
    bf16 *residual, *act, *nw, *kc, *vc;
    unsigned long long* stats;
    float* cosSin;
    int* ints;
    Case cc;
    size_t slotsBytes;
    QkvTargets t;

    LayerBuffers(int layers, unsigned seed) {
        residual = (bf16*) dalloc((size_t) M * H * 2);
        act = (bf16*) dalloc((size_t) M * I * 2);
        nw = (bf16*) dalloc(H * 2);
        fill(residual, (size_t) M * H, 3, 1.0f);
        fill(nw, H, 5, 1.0f);
        stats = (unsigned long long*) dalloc(8 * 4 * M);
        CK(cudaMemset(stats, 0, 8 * 4 * M));
        kc = (bf16*) dalloc((size_t) slots * kv * D * 2);
        vc = (bf16*) dalloc((size_t) slots * kv * D * 2);
        cosSin = (float*) dalloc((size_t) 2048 * D * 4);
        CK(cudaMemset(cosSin, 0, (size_t) 2048 * D * 4));
        ints = (int*) dalloc(8 * 4);
        std::vector<int> host = {1024, 1025, 1026, 1027, 3, 9, 17, 33};
        CK(cudaMemcpy(ints, host.data(), 8 * 4, cudaMemcpyHostToDevice));
        cc = make_case(std::vector<int>(M, 1024), heads, kv, D, seed, layers);
        slotsBytes = (((size_t) M * 1024 + 15) / 16 * 16 + 16) * kv * D * 2;
        t = {ints, cosSin, const_cast<bf16*>(cc.b.q), kc, vc, ints + 4, heads, kv, D};
    }

    // The attention case of layer l (its own K/V copy).
    Batch batch(int l) const {
        Batch b = cc.b;
        b.k = (const bf16*) ((const char*) cc.b.k + l * slotsBytes);
        b.v = (const bf16*) ((const char*) cc.b.v + l * slotsBytes);
        return b;
    }

    ~LayerBuffers() {
        free_case(cc);
        for (void* q : std::vector<void*>{residual, act, nw, stats, kc, vc, cosSin, ints}) CK(cudaFree(q));
    }
};

// One batch-M decode layer of the 8B (32 q / 8 kv heads of 128, contexts of 1024): the engine's composed
// ops (add_rms_norm, plain GEMV, qkv_to_cache, attention, silu_and_mul) and the fused forms with R rows and
// U loads a warp (R >= 2), all GEMVs as programmatic dependents.
template <int M, int RP, int UP, int R, int U>
struct LayerAtM {
    static void run(bool fused, const char* name) {
        const int layers = 4;
        typedef LayerBuffers<M> B;
        const int H = B::H, I = B::I, heads = B::heads, kv = B::kv, D = B::D;
        size_t layerBytes;
        std::vector<bf16*> w = layer_weights(layers, &layerBytes);
        B buf(layers, 6000 + M);
        bf16* h = (bf16*) dalloc((size_t) M * H * 2);
        bf16* proj = (bf16*) dalloc((size_t) M * H * 2);
        bf16* qkv = (bf16*) dalloc((size_t) M * 6144 * 2);
        bf16* gateUp = (bf16*) dalloc((size_t) M * 2 * I * 2);
        fill(proj, (size_t) M * H, 4, 0.1f);
        const QkvTargets& t = buf.t;
        DecodeKernel dk = decode_kernels(D, M, heads, kv)[0];
        int sQkv, sO, sGu, sDown, sRes, sPqkv, sPsilu;
        int gQkv = gemv_grid((6144 + RP - 1) / RP, &sQkv), gO = gemv_grid((H + RP - 1) / RP, &sO);
        int gGu = gemv_grid((2 * I + RP - 1) / RP, &sGu), gDown = gemv_grid((H + RP - 1) / RP, &sDown);
        int gRes = gemv_grid((H + R - 1) / R, &sRes);
        int gPqkv = gemv_grid(3072 / (R / 2), &sPqkv), gPsilu = gemv_grid(I / (R / 2), &sPsilu);
        auto layer = [&](int l, cudaStream_t s) {
            Batch b = buf.batch(l);
            if (!fused) {
                eng::add_rms_norm<<<M, 1024, 0, s>>>(proj, buf.residual, buf.nw, 1e-5f, h, H);
                launch_gemv(lm_plain<M, RP, UP>, gQkv, true, s, h, w[l * 4], qkv, H, 6144, sQkv);
                eng::qkv_to_cache<<<(M * 48 + 3) / 4, 128, 0, s>>>(qkv, nullptr, nullptr, 1e-5f, t.positions, t.cosSin,
                                                                   t.q, t.kCache, t.vCache, t.loc, M, heads, kv, D);
                run_new(dk, b, {2, 64, 131072}, s);
                launch_gemv(lm_plain<M, RP, UP>, gO, true, s, b.out, w[l * 4 + 1], proj, H, H, sO);
                eng::add_rms_norm<<<M, 1024, 0, s>>>(proj, buf.residual, buf.nw, 1e-5f, h, H);
                launch_gemv(lm_plain<M, RP, UP>, gGu, true, s, h, w[l * 4 + 2], gateUp, H, 2 * I, sGu);
                eng::gate_up_silu_and_mul<<<dim3((I + 255) / 256, M), 256, 0, s>>>(gateUp, buf.act, M, I);
                launch_gemv(lm_plain<M, RP, UP>, gDown, true, s, buf.act, w[l * 4 + 3], proj, I, H, sDown);
            } else {
                launch_gemv(lm_qkv<M, R, U>, gPqkv, true, s, buf.residual, w[l * 4], H, 6144, sPqkv, buf.stats, 1,
                            buf.nw, t);
                run_new(dk, b, {2, 64, 131072}, s);
                launch_gemv(lm_residual<M, R, U>, gRes, true, s, b.out, w[l * 4 + 1], buf.residual, H, H, sRes,
                            buf.stats, 0);
                launch_gemv(lm_silu<M, R, U>, gPsilu, true, s, buf.residual, w[l * 4 + 2], buf.act, H, 2 * I, sPsilu,
                            buf.stats, 0, buf.nw);
                launch_gemv(lm_residual<M, R, U>, gRes, true, s, buf.act, w[l * 4 + 3], buf.residual, I, H, sRes,
                            buf.stats, 1);
            }
        };
        double us = time_graph([&](int i, cudaStream_t s) { layer(i % layers, s); }, 4 * layers, 9);
        CK(cudaGetLastError());
        printf("  M=%d %-26s %7.1f us/layer  %5.0f GB/s of weights (%.2f)\n", M, name, us, layerBytes / us / 1e3,
               layerBytes / us / 1e-6 / PEAK);
        fflush(stdout);
        for (bf16* q : w) CK(cudaFree(q));
        for (void* q : std::vector<void*>{h, proj, qkv, gateUp}) CK(cudaFree(q));
    }
};

// ------------------------------------- fused decode layer: the handovers around attention, the short GEMVs' splits

// Decode attention and merge with a chosen prologue: 0 none (a plain launch), 1 wait then trigger,
// 2 trigger then wait (dependents scheduled at once; they still wait for this grid to finish), 3 trigger
// only (a plain launch whose dependents are scheduled at once).
template <int P>
__device__ __forceinline__ void ov_prologue() {
    if (P == 3) asm volatile("griddepcontrol.launch_dependents;");
    if (P == 1) {
        asm volatile("griddepcontrol.wait;" ::: "memory");
        asm volatile("griddepcontrol.launch_dependents;");
    }
    if (P == 2) {
        asm volatile("griddepcontrol.launch_dependents;");
        asm volatile("griddepcontrol.wait;" ::: "memory");
    }
}
template <int P, int L, int G>
__global__ void __launch_bounds__(DV_WARPS * 32) ov_attention(const bf16* q, const bf16* kCache, const bf16* vCache,
        const int* reqToToken, int stride, const int* reqPool, const int* seqLens, const int* extendStarts, bf16* out,
        float* partial, int numHeads, int numKvHeads, int D, float scale, int minKeys, int spread, int balanceKeys) {
    ov_prologue<P>();
    decode_attention_rows<L, G, DECODE_ROWS_STAGES, DECODE_ROWS_LOADS>(q, kCache, vCache, reqToToken, stride, reqPool,
            seqLens, extendStarts, out, partial, numHeads, numKvHeads, D, scale, minKeys, spread, balanceKeys);
}
template <int P>
__global__ void ov_merge(const float* partial, const int* seqLens, const int* extendStarts, bf16* out, int numHeads,
                         int D, int splits, int minKeys, int spread, int balanceKeys) {
    ov_prologue<P>();
    decode_merge<bf16>(partial, seqLens, extendStarts, out, numHeads, D, splits, minKeys, spread, balanceKeys);
}


// How the kernels around a fused batch-M layer's attention hand over, and how the short GEMVs split K: the
// attention and the merge launched plainly or as programmatic dependents, each with an ov_prologue (the merge's
// 3: scheduling its dependent, the o GEMV, at its start); the q/k/v, o and down GEMVs split for `fill` blocks
// wanted per SM (Gemv.BLOCKS_PER_SM is 4; Gemv.qkvSplit wants 16 at one row).
struct HandoverPlan {
    const char* name;
    int attnPrologue, mergePrologue;
    int fillQkv, fillO, fillDown;
};

// The attention or merge kernel of prologue P, picked at run time among the instantiated ones.
template <int G>
static auto attention_with(int prologue) {
    return prologue == 2 ? ov_attention<2, 16, G> : prologue == 1 ? ov_attention<1, 16, G> : ov_attention<0, 16, G>;
}
static auto merge_with(int prologue) {
    return prologue == 3 ? ov_merge<3> : prologue == 2 ? ov_merge<2> : prologue == 1 ? ov_merge<1> : ov_merge<0>;
}

// The engine's fused batch-M layer (RR rows a warp in the residual GEMVs, R in the paired ones, U loads in flight,
// US for gate/up; contexts of 1024, graph plan, 4 layers of distinct weights) handing over as p says.
template <int M, int RR, int R, int U, int US = U>
static void layer_handover_run(const HandoverPlan& p) {
    const int layers = 4;
    typedef LayerBuffers<M> B;
    const int H = B::H, I = B::I, heads = B::heads, kv = B::kv, D = B::D;
    size_t layerBytes;
    std::vector<bf16*> w = layer_weights(layers, &layerBytes);
    B buf(layers, 8000 + M);
    int sO, sDown, sPqkv, sPsilu;
    int gO = gemv_grid((H + RR - 1) / RR, &sO, p.fillO), gDown = gemv_grid((H + RR - 1) / RR, &sDown, p.fillDown);
    int gPqkv = gemv_grid(3072 / (R / 2), &sPqkv, p.fillQkv), gPsilu = gemv_grid(I / (R / 2), &sPsilu);
    const int G = group_for(M, heads, kv);
    auto attn = G == 4 ? attention_with<4>(p.attnPrologue) : attention_with<2>(p.attnPrologue);
    auto merge = merge_with(p.mergePrologue);
    int smem = decode_rows_shared_bytes(16, G, DECODE_ROWS_STAGES, DECODE_ROWS_LOADS);
    CK(cudaFuncSetAttribute(attn, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    Plan plan = {2, 64, 131072};
    const Batch& b0 = buf.cc.b;
    int splits = plan_splits(b0, heads / G, plan);
    bool attnPdl = p.attnPrologue == 1 || p.attnPrologue == 2, mergePdl = p.mergePrologue == 1 || p.mergePrologue == 2;
    auto layer = [&](int l, cudaStream_t s) {
        Batch b = buf.batch(l);
        launch_gemv(lm_qkv<M, R, U>, gPqkv, true, s, buf.residual, w[l * 4], H, 6144, sPqkv, buf.stats, 1, buf.nw,
                    buf.t);
        launch_ex(attn, dim3(M, heads / G, splits), DV_WARPS * 32, smem, attnPdl, s, b.q, b.k, b.v, b.table, b.stride,
                  b.pool, b.seqLens, b.starts, b.out, g_partial, heads, kv, D, b.scale, plan.minKeys, splits,
                  plan.balanceKeys);
        launch_ex(merge, dim3(M, heads), D, 0, mergePdl, s, (const float*) g_partial, b.seqLens, b.starts, b.out, heads,
                  D, splits, plan.minKeys, splits, plan.balanceKeys);
        launch_gemv(lm_residual<M, RR, U>, gO, true, s, b.out, w[l * 4 + 1], buf.residual, H, H, sO, buf.stats, 0);
        launch_gemv(lm_silu<M, R, US>, gPsilu, true, s, buf.residual, w[l * 4 + 2], buf.act, H, 2 * I, sPsilu,
                    buf.stats, 0, buf.nw);
        launch_gemv(lm_residual<M, RR, U>, gDown, true, s, buf.act, w[l * 4 + 3], buf.residual, I, H, sDown,
                    buf.stats, 1);
    };
    double us = time_graph([&](int i, cudaStream_t s) { layer(i % layers, s); }, 4 * layers, 9);
    CK(cudaGetLastError());
    printf("  M=%d %-44s S %d/%d/%d %7.1f us/layer  %5.0f GB/s of weights (%.2f)\n", M, p.name, sPqkv, sO, sDown, us,
           layerBytes / us / 1e3, layerBytes / us / 1e-6 / PEAK);
    fflush(stdout);
    for (bf16* q : w) CK(cudaFree(q));
}

// Measured 2026-11-27 (H100, results/2026-11-27-h100-kbench-merge-trigger*.log, ...-kbench-qkv-split.log), M=1:
// main 161.9-163.8 us a layer; the merge scheduling o at its start 161.6-163.0; with it, q/k/v split in two
// 160.7-161.9, in four 159.9-160.2 (the engine now), o or down split in two 163.6-165.3; gate/up with 2 or 8
// loads in flight no change; attention and merge as wait-first dependents 165.4-165.7 (trigger-first, the older
// `overlap` section: 172.9 against 165.1 plain). At M=2, q/k/v split in two costs 1.1-1.5 us, in four nothing.
static void layer_handover_bench() {
    printf("\n== Fused decode layer as the engine runs it at 1-2 rows (4 layers of distinct weights, graph, contexts of\n"
           "   1024): attention and merge plain or as dependents, the merge scheduling o at its start, K split in\n"
           "   the q/k/v, o and down GEMVs (S q/k/v/o/down)\n");
    HandoverPlan plans[] = {{"before (merge plain, fill 4)", 0, 0, 4, 4, 4},
                            {"merge triggers o", 0, 3, 4, 4, 4},
                            {"merge triggers o, fill 8 for q/k/v", 0, 3, 8, 4, 4},
                            {"merge triggers o, fill 16 for q/k/v (engine)", 0, 3, 16, 4, 4},
                            {"merge triggers o, fill 8 for o", 0, 3, 4, 8, 4},
                            {"merge triggers o, fill 8 for down", 0, 3, 4, 4, 8},
                            {"attention + merge wait-first PDL", 1, 1, 4, 4, 4},
                            {"attention + merge trigger-first PDL", 2, 2, 4, 4, 4}};
    for (int round = 0; round < 2; round++) {
        for (const HandoverPlan& p : plans) layer_handover_run<1, 1, 2, 4>(p);
        layer_handover_run<1, 1, 2, 4, 2>({"engine, gate/up U2", 0, 3, 16, 4, 4});
        layer_handover_run<1, 1, 2, 4, 8>({"engine, gate/up U8", 0, 3, 16, 4, 4});
        for (const HandoverPlan& p : plans) layer_handover_run<2, 2, 2, 2>(p);
    }
}

static void layer_rows_bench() {
    printf("\n== Decode layer at M rows with the engine's kernels (4 layers of distinct weights, graph, GEMVs as PDL):\n"
           "   composed (add_rms_norm, GEMV, qkv_to_cache, attention, GEMV, add_rms_norm, GEMV, silu_and_mul, GEMV)\n"
           "   against the fused forms (normed q/k/v + RoPE, attention, residual o, normed gate/up + SiLU, residual down)\n");
    LayerAtM<1, 1, 4, 2, 4>::run(false, "composed (R1 U4)");
    LayerAtM<1, 1, 4, 2, 4>::run(true, "fused (R2 U4, as the engine)");
    LayerAtM<2, 2, 2, 2, 2>::run(false, "composed (R2 U2)");
    LayerAtM<2, 2, 2, 2, 2>::run(true, "fused (R2 U2, as the engine)");
    LayerAtM<3, 2, 2, 2, 2>::run(false, "composed (R2 U2)");
    LayerAtM<3, 2, 2, 2, 2>::run(true, "fused R2 U2");
    LayerAtM<3, 2, 2, 2, 1>::run(true, "fused R2 U1");
    LayerAtM<4, 4, 1, 4, 1>::run(false, "composed (R4 U1)");
    LayerAtM<4, 4, 1, 4, 1>::run(true, "fused R4 U1");
    LayerAtM<4, 4, 1, 2, 2>::run(true, "fused R2 U2");
    LayerAtM<4, 4, 1, 2, 1>::run(true, "fused R2 U1");
}

// ------------------------------------------------------- decode attention over contexts of mixed length

// `batch` context lengths drawn uniformly in [minCtx, maxCtx], the same draw for a batch size in every bench.
static std::vector<int> mixed_lengths(int batch, int minCtx, int maxCtx) {
    std::mt19937 rng(7 + batch);
    std::uniform_int_distribution<int> len(minCtx, maxCtx);
    std::vector<int> seqs(batch);
    for (int& x : seqs) x = len(rng);
    return seqs;
}

static void attn_mixed_bench() {
    printf("\n== Decode attention over contexts drawn uniformly in [min, max], 32/8 heads, D 128: us per call,\n"
           "   K/V GB/s; the plan for a graph (131072) without balance splits, with them (one per 1024 keys, and\n"
           "   one per 2048), and the eager plan. The narrow ranges are bench one-batch's contexts (1024 + 1..128)\n");
    struct B { int batch, minCtx, maxCtx; };
    B bs[] = {{150, 64, 6144}, {100, 64, 6144}, {64, 64, 4096}, {256, 64, 3072}, {32, 64, 6144},
              {256, 1025, 1152}, {128, 1025, 1152}, {64, 2049, 2176}};
    for (const B& c : bs) {
        std::vector<int> seqs = mixed_lengths(c.batch, c.minCtx, c.maxCtx);
        Case cc = make_case(seqs, 32, 8, 128, 9000 + c.batch);
        std::vector<float> ref = reference(cc.b);
        std::vector<DecodeKernel> ks = decode_kernels(128, c.batch, 32, 8);
        printf("batch %3d, [%d, %d] (%7.1f MB):", c.batch, c.minCtx, c.maxCtx, cc.kvBytes / 1e6);
        auto report = [&](const char* name, const std::function<void(const Batch&, cudaStream_t)>& run) {
            double err = rel_err(decode_out(cc.b, [&](cudaStream_t s) { run(cc.b, s); }), ref);
            check((std::string(name) + " mixed batch " + std::to_string(c.batch)).c_str(), err, 1e-2);
            double us = time_graph([&](int, cudaStream_t s) { run(cc.b, s); }, 10, 5);
            printf("  %s %.0f us %.0f GB/s (%.2f)", name, us, cc.kvBytes / us / 1e3, cc.kvBytes / us / 1e-6 / PEAK);
        };
        report("unbalanced", [&](const Batch& b, cudaStream_t s) { run_new(ks[0], b, {2, 64, 131072, 0}, s); });
        report("graph", [&](const Batch& b, cudaStream_t s) { run_new(ks[0], b, {2, 64, 131072}, s); });
        report("graph, serial merge", [&](const Batch& b, cudaStream_t s) {
            run_new(ks[0], b, {2, 64, 131072, 1024, true}, s);
        });
        report("graph/2048", [&](const Batch& b, cudaStream_t s) { run_new(ks[0], b, {2, 64, 131072, 2048}, s); });
        report("eager", [&](const Batch& b, cudaStream_t s) { run_new(ks[0], b, {2, 64, 0}, s); });
        printf("\n");
        fflush(stdout);
        free_case(cc);
    }
}

// ------------------------------------------------------- decode attention by where the keys sit in the cache

static void attn_layout_bench() {
    printf("\n== Decode attention, graph plan, by cache layout: us per call, K/V GB/s. Shuffled pages of 1, 16,\n"
           "   256 slots; decode-like: a prompt's keys contiguous, the last quarter (half) written a step at a time,\n"
           "   one slot per request per step (page 1) or 16 at a time (page 16)\n");
    struct B { int batch, minCtx, maxCtx; };
    B bs[] = {{150, 64, 6144}, {256, 1025, 1152}, {32, 64, 6144}};
    struct L { const char* name; Layout layout; };
    L ls[] = {{"shuffled/1", {1, -1}}, {"shuffled/16", {16, -1}}, {"shuffled/256", {256, -1}},
              {"decode 1/4, page 1", {1, 0.25}}, {"decode 1/4, page 16", {16, 0.25}},
              {"decode 1/2, page 1", {1, 0.5}}, {"decode 1/2, page 16", {16, 0.5}}};
    for (const B& c : bs) {
        std::vector<int> seqs = mixed_lengths(c.batch, c.minCtx, c.maxCtx);
        std::vector<DecodeKernel> ks = decode_kernels(128, c.batch, 32, 8);
        printf("batch %3d, [%d, %d]:\n", c.batch, c.minCtx, c.maxCtx);
        for (const L& l : ls) {
            Case cc = make_case(seqs, 32, 8, 128, 9000 + c.batch, 1, l.layout);
            std::vector<float> ref = reference(cc.b);
            auto run = [&](const Batch& b, cudaStream_t s) { run_new(ks[0], b, {2, 64, 131072}, s); };
            double err = rel_err(decode_out(cc.b, [&](cudaStream_t s) { run(cc.b, s); }), ref);
            check((std::string(l.name) + " layout batch " + std::to_string(c.batch)).c_str(), err, 1e-2);
            double us = time_graph([&](int, cudaStream_t s) { run(cc.b, s); }, 10, 5);
            printf("  %-22s %6.0f us %5.0f GB/s (%.2f)\n", l.name, us, cc.kvBytes / us / 1e3, cc.kvBytes / us / 1e-6 / PEAK);
            fflush(stdout);
            free_case(cc);
        }
    }
}

// ------------------------------------------------------- where the split attention's time goes

static void attn_split_cost_bench() {
    printf("\n== Decode attention, graph plan: with and without the merge launch, by balance split size: us per call\n");
    struct B { int batch, minCtx, maxCtx; };
    B bs[] = {{150, 64, 6144}, {100, 64, 6144}, {256, 1025, 1152}, {256, 6000, 6000}, {64, 2049, 2176}};
    for (const B& c : bs) {
        std::vector<int> seqs = mixed_lengths(c.batch, c.minCtx, c.maxCtx);
        Case cc = make_case(seqs, 32, 8, 128, 9000 + c.batch);
        DecodeKernel k = decode_kernels(128, c.batch, 32, 8)[0];
        printf("batch %3d, [%d, %d] (%7.1f MB):", c.batch, c.minCtx, c.maxCtx, cc.kvBytes / 1e6);
        for (int keys : {0, 512, 768, 1024, 1536, 2048, 3072}) {
            Plan p{2, 64, 131072, keys};
            double us = time_graph([&](int, cudaStream_t s) { run_new(k, cc.b, p, s); }, 10, 5);
            g_skipMerge = true;
            double alone = time_graph([&](int, cudaStream_t s) { run_new(k, cc.b, p, s); }, 10, 5);
            g_skipMerge = false;
            printf("  %d: %.1f (%.2f) alone %.1f", keys, us, cc.kvBytes / us / 1e-6 / PEAK, alone);
        }
        printf("\n");
        fflush(stdout);
        free_case(cc);
    }
}

int main(int argc, char** argv) {
    bool all = argc == 1;
    auto want = [&](const char* w) {
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], w)) return true;
        }
        return all;
    };
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));
    g_sms = prop.multiProcessorCount;
    printf("%s, %d SMs, L2 %d MB\n", prop.name, g_sms, prop.l2CacheSize >> 20);
    CK(cudaStreamCreateWithFlags(&g_stream, cudaStreamNonBlocking));
    {
        size_t n = (size_t) 1 << 30;
        void* a = dalloc(n);
        void* b = dalloc(n);
        double us = time_graph([&](int, cudaStream_t s) { CK(cudaMemcpyAsync(b, a, n, cudaMemcpyDeviceToDevice, s)); }, 10, 5);
        printf("device-to-device copy of 1 GiB: %.2f TB/s read + write\n", 2.0 * n / us / 1e6);
        CK(cudaFree(a));
        CK(cudaFree(b));
    }
    struct Named { const char* name; const void* fn; };
    Named kernels[] = {{"gemv_bf16_1", (const void*) gemv_bf16_1}, {"gemv_bf16_2", (const void*) gemv_bf16_2},
                       {"gemv_bf16_4", (const void*) gemv_bf16_4}, {"gemv_f32_1", (const void*) gemv_f32_1},
                       {"decode_attention_rows_16_4", (const void*) decode_attention_rows_16_4},
                       {"old gemv_bf16_1", (const void*) oldk::gemv_bf16_1},
                       {"old decode_attention_4_4", (const void*) oldk::decode_attention_4_4}};
    for (const Named& k : kernels) {
        cudaFuncAttributes a;
        CK(cudaFuncGetAttributes(&a, k.fn));
        printf("%-28s %3d registers, %5zu B static shared, %zu B local\n", k.name, a.numRegs, a.sharedSizeBytes,
               a.localSizeBytes);
    }
    g_partial = (float*) dalloc(PARTIAL_BYTES);
    open_cublas();
    if (want("gemv")) {
        gemv_correctness();
        gemv_bench();
    }
    if (want("chain")) chain_bench();
    if (want("layer")) layer_fusion_bench();
    if (want("layerm")) layer_rows_bench();
    if (want("tail")) layer_handover_bench();
    if (want("mixed")) attn_mixed_bench();
    if (want("layout")) attn_layout_bench();
    if (want("splitcost")) attn_split_cost_bench();
    if (want("attn")) {
        attn_correctness();
        attn_bench();
    }
    CK(cudaDeviceSynchronize());
    printf("\n%s: %d failures\n", g_failures ? "FAILED" : "OK", g_failures);
    return g_failures ? 1 : 0;
}
