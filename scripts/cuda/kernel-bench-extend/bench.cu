// Standalone harness for the EXTEND attention kernels: builds a paged ragged batch, runs the CUDA-core
// kernel of attention.cu and the tensor-core variants of extend_attention.cu, checks the variants against
// it and against a CPU reference (sampled rows), and times them with CUDA events. Also compiles
// extend_attention.cu with NVRTC as the engine does (common.cuh prepended, same options) when libnvrtc is
// found. Build and run: see build.sh; arguments: [kernel source folder [variant name]].
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <vector>
#include <string>
#include <random>
#include <algorithm>
#include <dlfcn.h>

#include "common.cuh"
#include "attention.cu"
#include "extend_attention.cu"

// Candidate configurations (D, warps, m-tiles per warp, keys per tile, Q in registers, min blocks/SM).
TC_EXTEND_KERNEL(v128_w4_m2_n64, 128, 4, 2, 64, false, 2)
TC_EXTEND_KERNEL(v128_w4_m2_n32, 128, 4, 2, 32, false, 2)
TC_EXTEND_KERNEL(v128_w8_m1_n64_q, 128, 8, 1, 64, true, 1)
TC_EXTEND_KERNEL(v128_w4_m1_n64_q, 128, 4, 1, 64, true, 2)
TC_EXTEND_KERNEL(v128_w8_m2_n64, 128, 8, 2, 64, false, 1)
TC_EXTEND_KERNEL(v128_w8_m1_n32_q, 128, 8, 1, 32, true, 1)
TC_EXTEND_KERNEL(v64_w4_m2_n64_q, 64, 4, 2, 64, true, 2)
TC_EXTEND_KERNEL(v64_w4_m2_n64, 64, 4, 2, 64, false, 2)
TC_EXTEND_KERNEL(v64_w8_m1_n64_q, 64, 8, 1, 64, true, 1)
TC_EXTEND_KERNEL(v64_w4_m1_n64_q, 64, 4, 1, 64, true, 3)

typedef void (*TcFn)(const bf16*, const bf16*, const bf16*, const int*, int, const int*, const int*, const int*,
                     const int*, bf16*, int, int, float);
struct Variant { const char* name; TcFn fn; int d, warps, mt, bn; };
static const Variant VARIANTS[] = {
    {"tc_128", extend_attention_tc_128, 128, 4, 2, 64},
    {"w4_m2_n64", v128_w4_m2_n64, 128, 4, 2, 64},
    {"w4_m2_n32", v128_w4_m2_n32, 128, 4, 2, 32},
    {"w8_m1_n64_q", v128_w8_m1_n64_q, 128, 8, 1, 64},
    {"w4_m1_n64_q", v128_w4_m1_n64_q, 128, 4, 1, 64},
    {"w8_m2_n64", v128_w8_m2_n64, 128, 8, 2, 64},
    {"w8_m1_n32_q", v128_w8_m1_n32_q, 128, 8, 1, 32},
    {"tc_64", extend_attention_tc_64, 64, 4, 2, 64},
    {"w4_m2_n64_q", v64_w4_m2_n64_q, 64, 4, 2, 64},
    {"w4_m2_n64", v64_w4_m2_n64, 64, 4, 2, 64},
    {"w8_m1_n64_q", v64_w8_m1_n64_q, 64, 8, 1, 64},
    {"w4_m1_n64_q", v64_w4_m1_n64_q, 64, 4, 1, 64},
};

#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { \
    fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); exit(1); } } while (0)

static float b2f(bf16 h) { unsigned u = (unsigned) h << 16; float f; memcpy(&f, &u, 4); return f; }
static bf16 f2b(float f) { unsigned u; memcpy(&u, &f, 4); u += 0x7fffu + ((u >> 16) & 1u); return (bf16) (u >> 16); }

struct Case {
    std::string name;
    int heads, kvHeads, d;
    std::vector<int> prefix, ext;
    bool timed;
};

struct Batch {
    int requests, tokens, stride, slots, maxExt;
    std::vector<int> seqLens, starts, table, pool;
    std::vector<bf16> q, k, v;
    int *dTable, *dPool, *dSeq, *dExt, *dStarts;
    bf16 *dq, *dk, *dv, *dOld, *dNew;
};

static Batch build(const Case& c, unsigned seed) {
    Batch b{};
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    b.requests = (int) c.ext.size();
    int maxSeq = 0, total = 0;
    for (int r = 0; r < b.requests; r++) {
        int seq = c.prefix[r] + c.ext[r];
        b.seqLens.push_back(seq);
        b.starts.push_back(b.tokens);
        b.tokens += c.ext[r];
        total += seq;
        maxSeq = std::max(maxSeq, seq);
        b.maxExt = std::max(b.maxExt, c.ext[r]);
    }
    b.slots = total + 7;
    std::vector<int> perm(b.slots);
    for (int i = 0; i < b.slots; i++) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    b.stride = maxSeq + 3;
    int tableRows = b.requests + 2, next = 0;
    b.table.assign((size_t) tableRows * b.stride, 0);
    for (int r = 0; r < b.requests; r++) {
        b.pool.push_back((r * 5 + 1) % tableRows);
        for (int j = 0; j < b.seqLens[r]; j++) b.table[(size_t) b.pool[r] * b.stride + j] = perm[next++];
    }
    size_t qn = (size_t) b.tokens * c.heads * c.d, kvn = (size_t) b.slots * c.kvHeads * c.d;
    b.q.resize(qn); b.k.resize(kvn); b.v.resize(kvn);
    for (auto& x : b.q) x = f2b(2 * u(rng));
    for (auto& x : b.k) x = f2b(2 * u(rng));
    for (auto& x : b.v) x = f2b(u(rng));
    auto upI = [](const std::vector<int>& h, int** d) {
        CK(cudaMalloc(d, h.size() * 4)); CK(cudaMemcpy(*d, h.data(), h.size() * 4, cudaMemcpyHostToDevice)); };
    auto upB = [](const std::vector<bf16>& h, bf16** d) {
        CK(cudaMalloc(d, h.size() * 2)); CK(cudaMemcpy(*d, h.data(), h.size() * 2, cudaMemcpyHostToDevice)); };
    upI(b.table, &b.dTable); upI(b.pool, &b.dPool); upI(b.seqLens, &b.dSeq); upI(c.ext, &b.dExt); upI(b.starts, &b.dStarts);
    upB(b.q, &b.dq); upB(b.k, &b.dk); upB(b.v, &b.dv);
    CK(cudaMalloc(&b.dOld, qn * 2)); CK(cudaMalloc(&b.dNew, qn * 2));
    return b;
}

static void freeBatch(Batch& b) {
    cudaFree(b.dTable); cudaFree(b.dPool); cudaFree(b.dSeq); cudaFree(b.dExt); cudaFree(b.dStarts);
    cudaFree(b.dq); cudaFree(b.dk); cudaFree(b.dv); cudaFree(b.dOld); cudaFree(b.dNew);
}

static void launchOld(const Case& c, const Batch& b) {
    int ni = (c.d + 31) / 32; ni = ni <= 1 ? 1 : ni <= 2 ? 2 : ni <= 4 ? 4 : 8;
    int smem = EXT_BM * c.d * 4 + 2 * EXT_BN * (c.d + 2) * 2 + EXT_BN * 4;
    dim3 grid((b.maxExt + EXT_BM - 1) / EXT_BM, c.heads, b.requests);
    float scale = 1.0f / sqrtf((float) c.d);
    auto f = ni == 4 ? extend_attention_4 : ni == 2 ? extend_attention_2 : ni == 8 ? extend_attention_8 : extend_attention_1;
    f<<<grid, EXT_WARPS * 32, smem>>>(b.dq, b.dk, b.dv, b.dTable, b.stride, b.dPool, b.dSeq, b.dExt, b.dStarts, b.dOld,
                                       c.heads, c.kvHeads, c.d, scale);
}

static void launchNew(const Case& c, const Batch& b, const Variant& v) {
    int bm = v.warps * 16 * v.mt;
    int smem = TC_SHARED_BYTES(v.d, v.warps, v.mt, v.bn);
    static bool attrDone[64] = {};
    int idx = (int) (&v - VARIANTS);
    if (!attrDone[idx]) {
        CK(cudaFuncSetAttribute((const void*) v.fn, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
        attrDone[idx] = true;
    }
    dim3 grid(c.heads, b.requests, (b.maxExt + bm - 1) / bm);
    v.fn<<<grid, v.warps * 32, smem>>>(b.dq, b.dk, b.dv, b.dTable, b.stride, b.dPool, b.dSeq, b.dExt, b.dStarts, b.dNew,
                                       c.heads, c.kvHeads, 1.0f / sqrtf((float) c.d));
}

// CPU reference (double) for token row t, q head h.
static void reference(const Case& c, const Batch& b, int r, int t, int h, std::vector<double>& o) {
    int d = c.d, kvh = h / (c.heads / c.kvHeads);
    int pos = b.seqLens[r] - c.ext[r] + t;
    const bf16* qr = &b.q[((size_t) (b.starts[r] + t) * c.heads + h) * d];
    std::vector<double> s(pos + 1);
    double mx = -1e300, scale = 1.0 / sqrt((double) d);
    for (int j = 0; j <= pos; j++) {
        const bf16* kr = &b.k[((size_t) b.table[(size_t) b.pool[r] * b.stride + j] * c.kvHeads + kvh) * d];
        double dot = 0;
        for (int i = 0; i < d; i++) dot += (double) b2f(qr[i]) * b2f(kr[i]);
        s[j] = dot * scale;
        mx = std::max(mx, s[j]);
    }
    o.assign(d, 0.0);
    double sum = 0;
    for (int j = 0; j <= pos; j++) {
        double p = exp(s[j] - mx);
        sum += p;
        const bf16* vr = &b.v[((size_t) b.table[(size_t) b.pool[r] * b.stride + j] * c.kvHeads + kvh) * d];
        for (int i = 0; i < d; i++) o[i] += p * b2f(vr[i]);
    }
    for (int i = 0; i < d; i++) o[i] /= sum;
}

struct Err { double rel, maxAbs; bool nan; };

// Relative L2 error (as GpuData.relativeError) of `got` against `want` over all rows.
static Err compare(const std::vector<bf16>& got, const std::vector<bf16>& want) {
    double num = 0, den = 0, mx = 0; bool nan = false;
    for (size_t i = 0; i < got.size(); i++) {
        double a = b2f(got[i]), e = b2f(want[i]);
        if (std::isnan(a)) nan = true;
        num += (a - e) * (a - e); den += e * e; mx = std::max(mx, fabs(a - e));
    }
    return {sqrt(num / std::max(den, 1e-30)), mx, nan};
}

// Against the CPU reference on sampled (request, row, head) triples.
static Err compareRef(const Case& c, const Batch& b, const std::vector<bf16>& got, int samples, unsigned seed) {
    std::mt19937 rng(seed);
    double num = 0, den = 0, mx = 0; bool nan = false;
    std::vector<double> o;
    for (int s = 0; s < samples; s++) {
        // Every request's first and last new row, then random rows.
        int r = s < 2 * b.requests ? s / 2 : (int) (rng() % b.requests);
        if (c.ext[r] == 0) continue;
        int t = s < 2 * b.requests ? (s % 2 == 0 ? 0 : c.ext[r] - 1) : (int) (rng() % c.ext[r]);
        int h = rng() % c.heads;
        reference(c, b, r, t, h, o);
        for (int i = 0; i < c.d; i++) {
            double a = b2f(got[((size_t) (b.starts[r] + t) * c.heads + h) * c.d + i]);
            if (std::isnan(a)) nan = true;
            num += (a - o[i]) * (a - o[i]); den += o[i] * o[i]; mx = std::max(mx, fabs(a - o[i]));
        }
    }
    return {sqrt(num / std::max(den, 1e-30)), mx, nan};
}

static double flops(const Case& c) {
    double pairs = 0;
    for (size_t r = 0; r < c.ext.size(); r++)
        pairs += (double) c.ext[r] * c.prefix[r] + (double) c.ext[r] * (c.ext[r] + 1) / 2;
    return 4.0 * pairs * c.d * c.heads;
}

template <typename F> static float timeIt(F f, int reps) {
    cudaEvent_t a, z;
    CK(cudaEventCreate(&a)); CK(cudaEventCreate(&z));
    for (int i = 0; i < 3; i++) f();
    CK(cudaEventRecord(a));
    for (int i = 0; i < reps; i++) f();
    CK(cudaEventRecord(z));
    CK(cudaEventSynchronize(z));
    float ms; CK(cudaEventElapsedTime(&ms, a, z));
    CK(cudaGetLastError());
    return ms / reps;
}

// NVRTC as KernelCompiler: common.cuh prepended, --gpu-architecture=sm_XY --std=c++17 -default-device.
static void nvrtcCheck(const char* dir, int major, int minor) {
    void* lib = nullptr;
    for (const char* n : {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"}) if ((lib = dlopen(n, RTLD_NOW))) break;
    if (!lib) { printf("NVRTC: libnvrtc not found, skipped\n"); return; }
    typedef int (*Create)(void**, const char*, const char*, int, const char* const*, const char* const*);
    typedef int (*Compile)(void*, int, const char* const*);
    typedef int (*Size)(void*, size_t*);
    typedef int (*Get)(void*, char*);
    auto create = (Create) dlsym(lib, "nvrtcCreateProgram");
    auto compile = (Compile) dlsym(lib, "nvrtcCompileProgram");
    auto logSize = (Size) dlsym(lib, "nvrtcGetProgramLogSize");
    auto getLog = (Get) dlsym(lib, "nvrtcGetProgramLog");
    auto read = [&](const char* name) {
        std::string p = std::string(dir) + "/" + name, s;
        FILE* f = fopen(p.c_str(), "rb");
        if (!f) { printf("NVRTC: cannot read %s\n", p.c_str()); return s; }
        char buf[4096]; size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
        fclose(f);
        return s;
    };
    std::string src = read("common.cuh") + "\n#line 1 \"extend_attention.cu\"\n" + read("extend_attention.cu");
    std::string arch = "--gpu-architecture=sm_" + std::to_string(major) + std::to_string(minor);
    const char* opts[] = {arch.c_str(), "--std=c++17", "-default-device", "--ptxas-options=-v"};
    void* prog;
    create(&prog, src.c_str(), "extend_attention.cu", 0, nullptr, nullptr);
    int rc = compile(prog, 4, opts);
    size_t n; logSize(prog, &n);
    std::string log(n, '\0'); getLog(prog, &log[0]);
    printf("NVRTC compile of extend_attention.cu: %s\n%s\n", rc == 0 ? "OK" : "FAILED", log.c_str());
}

int main(int argc, char** argv) {
    const char* srcDir = argc > 1 ? argv[1] : "engine/src/main/resources/dev/sglj/engine/compute/cuda";
    const char* only = argc > 2 ? argv[2] : nullptr;  // one variant by name, else all
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));
    printf("device: %s, %d SMs, cc %d.%d\n", prop.name, prop.multiProcessorCount, prop.major, prop.minor);
    nvrtcCheck(srcDir, prop.major, prop.minor);
    for (const Variant& v : VARIANTS) {
        cudaFuncAttributes a;
        CK(cudaFuncGetAttributes(&a, (const void*) v.fn));
        int blocks = 0, smem = TC_SHARED_BYTES(v.d, v.warps, v.mt, v.bn);
        CK(cudaFuncSetAttribute((const void*) v.fn, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
        CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, v.fn, v.warps * 32, smem));
        printf("  %-16s regs %3d local %4zu B smem %6d B blocks/SM %d\n", v.name, a.numRegs, a.localSizeBytes, smem, blocks);
    }
    std::vector<Case> cases;
    for (int d : {128, 64}) {
        cases.push_back({"1x1024", 32, 8, d, {0}, {1024}, true});
        cases.push_back({"1x4096", 32, 8, d, {0}, {4096}, true});
        cases.push_back({"8x512+512", 32, 8, d, std::vector<int>(8, 512), std::vector<int>(8, 512), true});
        cases.push_back({"ragged", 32, 8, d, {0, 37, 5, 0, 300, 129, 1000}, {17, 1, 64, 100, 33, 255, 130}, false});
        cases.push_back({"ragged-mha", 4, 4, d, {0, 3, 64, 0}, {1, 70, 129, 200}, false});
        cases.push_back({"ragged-gqa8", 16, 2, d, {0, 511, 7}, {300, 2, 0}, false});
    }
    bool ok = true;
    for (const Case& c : cases) {
        Batch b = build(c, 1234 + c.d);
        double gf = flops(c);
        size_t qn = (size_t) b.tokens * c.heads * c.d;
        std::vector<bf16> old(qn), got(qn);
        launchOld(c, b);
        CK(cudaDeviceSynchronize());
        CK(cudaMemcpy(old.data(), b.dOld, qn * 2, cudaMemcpyDeviceToHost));
        int samples = c.timed ? 48 : 160;
        Err eo = compareRef(c, b, old, samples, 99);
        float tOld = c.timed ? timeIt([&] { launchOld(c, b); }, c.d == 128 && b.tokens >= 4096 ? 5 : 10) : 0;
        printf("\n%s hd %d heads %d/%d tokens %d, %.2f GFLOP\n", c.name.c_str(), c.d, c.heads, c.kvHeads, b.tokens, gf / 1e9);
        printf("  %-16s vs ref %.2e (max %.3f)%s", "old (CUDA cores)", eo.rel, eo.maxAbs, eo.nan ? " NaN!" : "");
        if (c.timed) printf("  %9.1f us  %6.1f TFLOP/s", tOld * 1e3, gf / (tOld * 1e-3) / 1e12);
        printf("\n");
        for (const Variant& v : VARIANTS) {
            if (v.d != c.d || (only && strcmp(only, v.name) != 0)) continue;
            CK(cudaMemset(b.dNew, 0xff, qn * 2));  // NaN pattern: unwritten rows show up
            launchNew(c, b, v);
            CK(cudaDeviceSynchronize());
            CK(cudaMemcpy(got.data(), b.dNew, qn * 2, cudaMemcpyDeviceToHost));
            Err e = compare(got, old), er = compareRef(c, b, got, samples, 99);
            bool pass = !e.nan && !er.nan && e.rel <= 1e-2 && er.rel <= 1e-2;
            ok &= pass;
            printf("  %-16s vs old %.2e (max %.3f) vs ref %.2e (max %.3f) %s", v.name, e.rel, e.maxAbs, er.rel, er.maxAbs,
                   pass ? "ok" : "FAIL");
            if (c.timed) {
                float t = timeIt([&] { launchNew(c, b, v); }, 20);
                printf("  %9.1f us  %6.1f TFLOP/s  x%.1f", t * 1e3, gf / (t * 1e-3) / 1e12, tOld / t);
            }
            printf("\n");
        }
        freeBatch(b);
    }
    printf("\n%s\n", ok ? "ALL OK" : "SOME FAILED");
    return ok ? 0 : 1;
}
