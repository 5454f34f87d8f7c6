// Sampling and log-softmax of F32 logit rows on the device, with the semantics of
// dev.sglj.engine.sampling.Sampler and Logprobs (contract in SamplingKernels.java). One block per row
// (blocks loop over rows); any blockDim that is a multiple of 32, up to 1024. Every decision a block
// takes is made from values all its threads read alike, so branches around __syncthreads are uniform.

typedef unsigned long long u64;

#define SMP_NEG_INF (-__int_as_float(0x7f800000))
#define SMP_POS_INF (__int_as_float(0x7f800000))
#define SMP_INF_D (__longlong_as_double(0x7ff0000000000000LL))
#define SMP_NAN_D (__longlong_as_double(0x7ff8000000000000LL))
// Candidates a block ranks in shared memory; rows needing more take slower exact paths (smp_draw_exact for
// sampling, passes of a block minimum for top logprobs).
#define SMP_CAP 4096
// Thresholds tried per pass over a row, and passes the threshold search may take.
#define SMP_PROBES 8
#define SMP_ROUNDS 12
// Slack on the top-p frontier so float32 masses never cut a token the exact cumsum keeps (as Sampler).
#define SMP_TOP_P_MARGIN 1e-4
#define SMP_NONE 0x7fffffff
#define SMP_FULL 0xffffffffu

struct SmpShared {
    u64 keys[SMP_CAP];
    double prefix[1025];
    double dsum[SMP_PROBES + 1][32];
    int isum[SMP_PROBES][32];
    u64 ksum[32];
    int flag[4];
};

__device__ __forceinline__ int smp_lane() { return threadIdx.x & 31; }
__device__ __forceinline__ int smp_warp() { return threadIdx.x >> 5; }
__device__ __forceinline__ int smp_warps() { return blockDim.x >> 5; }

// Ranking key: ascending unsigned order is value descending, then token id ascending (TopTokens.key).
__device__ __forceinline__ u64 smp_key(float v, int id) {
    unsigned b = __float_as_uint(v);
    unsigned ascending = (b & 0x80000000u) ? ~b : (b | 0x80000000u);
    return ((u64) ~ascending << 32) | (unsigned) id;
}

__device__ __forceinline__ float smp_value(u64 key) {
    unsigned ascending = ~(unsigned) (key >> 32);
    return __uint_as_float((ascending & 0x80000000u) ? (ascending & 0x7fffffffu) : ~ascending);
}

__device__ __forceinline__ int smp_id(u64 key) { return (int) (unsigned) key; }

// Block reductions: every thread returns the same value (warp partials combined in one order).
__device__ double smp_sum(double v, SmpShared& sh) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(SMP_FULL, v, o);
    __syncthreads();
    if (smp_lane() == 0) sh.dsum[0][smp_warp()] = v;
    __syncthreads();
    double t = 0.0;
    for (int w = 0; w < smp_warps(); w++) t += sh.dsum[0][w];
    return t;
}

__device__ float smp_max(float v, SmpShared& sh) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(SMP_FULL, v, o));
    __syncthreads();
    if (smp_lane() == 0) sh.dsum[0][smp_warp()] = v;
    __syncthreads();
    float t = SMP_NEG_INF;
    for (int w = 0; w < smp_warps(); w++) t = fmaxf(t, (float) sh.dsum[0][w]);
    return t;
}

__device__ float smp_min(float v, SmpShared& sh) {
    for (int o = 16; o > 0; o >>= 1) v = fminf(v, __shfl_xor_sync(SMP_FULL, v, o));
    __syncthreads();
    if (smp_lane() == 0) sh.dsum[0][smp_warp()] = v;
    __syncthreads();
    float t = SMP_POS_INF;
    for (int w = 0; w < smp_warps(); w++) t = fminf(t, (float) sh.dsum[0][w]);
    return t;
}

__device__ int smp_max_int(int v, SmpShared& sh) {
    for (int o = 16; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(SMP_FULL, v, o));
    __syncthreads();
    if (smp_lane() == 0) sh.isum[0][smp_warp()] = v;
    __syncthreads();
    int t = sh.isum[0][0];
    for (int w = 1; w < smp_warps(); w++) t = max(t, sh.isum[0][w]);
    return t;
}

__device__ u64 smp_min_key(u64 v, SmpShared& sh) {
    for (int o = 16; o > 0; o >>= 1) {
        u64 other = __shfl_xor_sync(SMP_FULL, v, o);
        v = other < v ? other : v;
    }
    __syncthreads();
    if (smp_lane() == 0) sh.ksum[smp_warp()] = v;
    __syncthreads();
    u64 t = sh.ksum[0];
    for (int w = 1; w < smp_warps(); w++) t = sh.ksum[w] < t ? sh.ksum[w] : t;
    return t;
}

// Exclusive prefix sums of one value per thread: sh.prefix[t] before thread t, sh.prefix[blockDim.x] the total.
__device__ void smp_scan(double v, SmpShared& sh) {
    int lane = smp_lane();
    double inclusive = v;
    for (int o = 1; o < 32; o <<= 1) {
        double y = __shfl_up_sync(SMP_FULL, inclusive, o);
        if (lane >= o) inclusive += y;
    }
    double exclusive = __shfl_up_sync(SMP_FULL, inclusive, 1);
    if (lane == 0) exclusive = 0.0;
    __syncthreads();
    if (lane == 31) sh.dsum[0][smp_warp()] = inclusive;
    __syncthreads();
    double offset = 0.0;
    for (int w = 0; w < smp_warp(); w++) offset += sh.dsum[0][w];
    sh.prefix[threadIdx.x] = offset + exclusive;
    if (threadIdx.x == blockDim.x - 1) {
        double all = 0.0;
        for (int w = 0; w < smp_warps(); w++) all += sh.dsum[0][w];
        sh.prefix[blockDim.x] = all;
    }
    __syncthreads();
}

// Math.nextDown((float) (max - distance)): every token whose logit is within `distance` of max is at or above it.
__device__ __forceinline__ float smp_threshold(float m, double distance) {
    return nextafterf(__double2float_rn((double) m - distance), SMP_NEG_INF);
}

// Interior point j of n (1..n) between distances lo and hi: evenly spaced, or geometric over a wide interval.
__device__ __forceinline__ double smp_between(double lo, double hi, int j, int n) {
    if (hi <= 8.0 * fmax(lo, 1.0)) return lo + (hi - lo) * j / (n + 1);
    double a = fmax(lo, 0.25);
    return a * pow(hi / a, (double) j / (n + 1));
}

// Probe j of a pass: round 0 tries hi itself last (safe by construction), later rounds only interior points.
__device__ __forceinline__ double smp_probe(double lo, double hi, int round, int j) {
    int interior = round == 0 ? SMP_PROBES - 1 : SMP_PROBES;
    return j < interior ? smp_between(lo, hi, j + 1, interior) : hi;
}

// The warp sums of N probes' per-thread counts and masses (and of one more value, `extra`) into shared memory
// between two barriers: warp w's in sh.isum[j][w] and sh.dsum[j][w], extra's in sh.dsum[SMP_PROBES][w].
template <int N, typename Mass>
__device__ void smp_probe_sums(int (&cnt)[N], Mass (&mass)[N], double extra, SmpShared& sh) {
    #pragma unroll
    for (int j = 0; j < N; j++) {
        for (int o = 16; o > 0; o >>= 1) {
            cnt[j] += __shfl_xor_sync(SMP_FULL, cnt[j], o);
            mass[j] += __shfl_xor_sync(SMP_FULL, mass[j], o);
        }
    }
    for (int o = 16; o > 0; o >>= 1) extra += __shfl_xor_sync(SMP_FULL, extra, o);
    __syncthreads();
    if (smp_lane() == 0) {
        #pragma unroll
        for (int j = 0; j < N; j++) {
            sh.isum[j][smp_warp()] = cnt[j];
            sh.dsum[j][smp_warp()] = mass[j];
        }
        sh.dsum[SMP_PROBES][smp_warp()] = extra;
    }
    __syncthreads();
}

// Probe j's block count and mass from smp_probe_sums, warps added in order.
__device__ __forceinline__ void smp_probe_total(int j, const SmpShared& sh, int* count, double* mass) {
    int c = 0;
    double m = 0.0;
    for (int w = 0; w < smp_warps(); w++) {
        c += sh.isum[j][w];
        m += sh.dsum[j][w];
    }
    *count = c;
    *mass = m;
}

// Searches a threshold t such that {x >= t} holds every token the cut can keep and at most SMP_CAP tokens:
// count(x >= t) >= topK (byCount), mass(x >= t) > (topP + margin) * total (byMass), t at min-p's bound
// (minPDistance below max) or below every finite logit. Each pass tries SMP_PROBES distances below max
// and narrows the interval between the largest unsafe and the smallest safe one. Returns count(x >= t)
// with *t set, or -1. *total: the row's sum of expf(x - m) in double (computed when byMass).
__device__ int smp_search(const float* x, int vocab, float m, float mn, int topK, bool byCount, float topP,
                          bool byMass, double minPDistance, double* total, float* t, SmpShared& sh) {
    double lo = 0.0;
    double hi = fmin((double) m - (double) mn + 1.0, minPDistance);
    int countHi = -1;
    double topPMass = 0.0;
    *total = 0.0;
    for (int round = 0; round < SMP_ROUNDS; round++) {
        float th[SMP_PROBES];
        #pragma unroll
        for (int j = 0; j < SMP_PROBES; j++) th[j] = smp_threshold(m, smp_probe(lo, hi, round, j));
        int cnt[SMP_PROBES] = {};
        float mass[SMP_PROBES] = {};
        bool wantTotal = round == 0 && byMass;
        double tot = 0.0;
        float lowest = th[SMP_PROBES - 1];
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            float v = x[i];
            bool candidate = v >= lowest;
            float e = byMass && (wantTotal || candidate) ? expf(v - m) : 0.0f;
            tot += e;
            if (candidate) {
                #pragma unroll
                for (int j = 0; j < SMP_PROBES; j++) {
                    if (v >= th[j]) {
                        cnt[j]++;
                        mass[j] += e;
                    }
                }
            }
        }
        smp_probe_sums(cnt, mass, tot, sh);
        if (round == 0) {
            double all = 0.0;
            for (int w = 0; w < smp_warps(); w++) all += sh.dsum[SMP_PROBES][w];
            *total = all;
            topPMass = ((double) topP + SMP_TOP_P_MARGIN) * all;
        }
        int first = -1;
        int firstCount = 0;
        for (int j = 0; j < SMP_PROBES && first < 0; j++) {
            int c;
            double ms;
            smp_probe_total(j, sh, &c, &ms);
            if ((byCount && c >= topK) || (byMass && ms > topPMass) || (round == 0 && j == SMP_PROBES - 1)) {
                first = j;
                firstCount = c;
            }
        }
        double nextLo = first > 0 ? smp_probe(lo, hi, round, first - 1) : lo;
        if (first >= 0) {
            hi = smp_probe(lo, hi, round, first);
            countHi = firstCount;
            lo = nextLo;
        } else {
            lo = smp_probe(lo, hi, round, SMP_PROBES - 1);
        }
        if ((countHi >= 0 && countHi <= SMP_CAP) || !(byCount || byMass)
                || smp_threshold(m, lo) == smp_threshold(m, hi)) {
            break;
        }
    }
    *t = smp_threshold(m, hi);
    return countHi >= 0 && countHi <= SMP_CAP ? countHi : -1;
}

// Writes the ranking keys of {x >= t} (at most SMP_CAP) to sh.keys, sorted ascending (bitonic); returns their count.
__device__ int smp_gather_sorted(const float* x, int vocab, float t, SmpShared& sh) {
    if (threadIdx.x == 0) sh.flag[0] = 0;
    __syncthreads();
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float v = x[i];
        if (v >= t) {
            int slot = atomicAdd(&sh.flag[0], 1);
            if (slot < SMP_CAP) sh.keys[slot] = smp_key(v, i);
        }
    }
    __syncthreads();
    int n = min(sh.flag[0], SMP_CAP);
    int p = 1;
    while (p < n) p <<= 1;
    for (int i = n + threadIdx.x; i < p; i += blockDim.x) sh.keys[i] = ~0ull;
    __syncthreads();
    for (int k = 2; k <= p; k <<= 1) {
        for (int j = k >> 1; j > 0; j >>= 1) {
            for (int i = threadIdx.x; i < p; i += blockDim.x) {
                int l = i ^ j;
                if (l > i) {
                    u64 a = sh.keys[i];
                    u64 b = sh.keys[l];
                    if ((a > b) == ((i & k) == 0)) {
                        sh.keys[i] = b;
                        sh.keys[l] = a;
                    }
                }
            }
            __syncthreads();
        }
    }
    return n;
}

// Sampler.drawFromAll: e_i = expf(x_i - m) over the whole row in id order; the first i whose cumulative
// (double) sum exceeds u * total with e_i > 0, else the last i with e_i > 0. Threads own contiguous chunks.
__device__ int smp_draw_all(const float* w, int vocab, float m, double u, SmpShared& sh) {
    int per = (vocab + blockDim.x - 1) / blockDim.x;
    int from = min(vocab, (int) threadIdx.x * per);
    int to = min(vocab, from + per);
    double s = 0.0;
    int last = -1;
    for (int i = from; i < to; i++) {
        float e = expf(w[i] - m);
        s += e;
        if (e > 0.0f) last = i;
    }
    if (threadIdx.x == 0) sh.flag[1] = SMP_NONE;
    smp_scan(s, sh);
    double target = u * sh.prefix[blockDim.x];
    double c = sh.prefix[threadIdx.x];
    if (s > 0.0 && c <= target && target < sh.prefix[threadIdx.x + 1]) {
        int pick = last;
        for (int i = from; i < to; i++) {
            float e = expf(w[i] - m);
            c += e;
            if (c > target && e > 0.0f) {
                pick = i;
                break;
            }
        }
        atomicMin(&sh.flag[1], pick);
    }
    int lastPositive = smp_max_int(last, sh);
    int token = sh.flag[1] != SMP_NONE ? sh.flag[1] : max(lastPositive, 0);
    __syncthreads();
    return token;
}

__device__ __forceinline__ double smp_weight(u64 key, float m) { return exp((double) smp_value(key) - (double) m); }

// Sampler.drawFromRanked over the sorted candidates: ranks r < min(n, topK) with w = exp(value - m) survive
// until (byMass && kept > topP * total) or w < minP; then the first survivor whose cumulative w exceeds
// u * kept (else rank 0). Threads own contiguous runs of ranks.
__device__ int smp_draw_ranked(int n, float m, int topK, bool byMass, float topP, double total, float minP, double u,
                               SmpShared& sh) {
    int limit = min(n, topK);
    int per = (limit + blockDim.x - 1) / blockDim.x;
    int r0 = min(limit, (int) threadIdx.x * per);
    int r1 = min(limit, r0 + per);
    double s = 0.0;
    for (int r = r0; r < r1; r++) s += smp_weight(sh.keys[r], m);
    if (threadIdx.x == 0) {
        sh.flag[1] = SMP_NONE;
        sh.flag[2] = SMP_NONE;
    }
    smp_scan(s, sh);
    double topPMass = (double) topP * total;
    double kept = sh.prefix[threadIdx.x];
    for (int r = r0; r < r1; r++) {
        double wr = smp_weight(sh.keys[r], m);
        if ((byMass && kept > topPMass) || wr < (double) minP) {
            atomicMin(&sh.flag[1], r);
            break;
        }
        kept += wr;
    }
    __syncthreads();
    int survivors = min(sh.flag[1], limit);
    int owner = survivors / per;
    double keptAll = sh.prefix[min(owner, (int) blockDim.x)];
    for (int r = owner * per; r < survivors; r++) keptAll += smp_weight(sh.keys[r], m);
    double target = u * keptAll;
    double c = sh.prefix[threadIdx.x];
    for (int r = r0; r < min(r1, survivors); r++) {
        c += smp_weight(sh.keys[r], m);
        if (c > target) {
            atomicMin(&sh.flag[2], r);
            break;
        }
    }
    __syncthreads();
    int rank = sh.flag[2] != SMP_NONE ? sh.flag[2] : 0;
    int token = smp_id(sh.keys[rank]);
    __syncthreads();
    return token;
}

// Probes a pass of smp_largest_key tries: 3 bits of the key a pass (within sh.dsum / sh.isum's rows).
#define SMP_KEY_BITS 3
#define SMP_KEY_PROBES ((1 << SMP_KEY_BITS) - 1)

// Over the row's finite tokens: the largest key K (of all 2^64) for which keep(count, mass) holds, count and mass
// (sum of exp(x - m) in double, Sampler's weights) being those of the tokens whose key is below K, for a keep that holds up to some K and fails
// above it. SMP_KEY_BITS bits a pass: the 32 value bits, then the id bits below idBits (the others are 0 in every
// key). *count and *mass: those of K. Without MASS, keep sees a mass of 0 and the passes compute no weights.
template <bool MASS, typename Keep>
__device__ u64 smp_largest_key(const float* w, int vocab, float m, int idBits, Keep keep, int* count, double* mass,
                               SmpShared& sh) {
    u64 key = 0;
    int keyCount = 0;
    double keyMass = 0.0;
    for (int hi = 63; hi >= 0;) {
        int width = min(SMP_KEY_BITS, hi - (hi >= 32 ? 32 : 0) + 1);
        int shift = hi - width + 1;
        int probes = (1 << width) - 1;
        u64 top = key | ((u64) probes << shift);
        int cnt[SMP_KEY_PROBES] = {};
        double ms[SMP_KEY_PROBES] = {};
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            float v = w[i];
            if (v == SMP_NEG_INF) continue;
            u64 k = smp_key(v, i);
            if (k >= top) continue;
            double e = MASS ? exp((double) v - (double) m) : 0.0;
            #pragma unroll
            for (int j = 0; j < SMP_KEY_PROBES; j++) {
                if (j < probes && k < (key | ((u64) (j + 1) << shift))) {
                    cnt[j]++;
                    ms[j] += e;
                }
            }
        }
        smp_probe_sums(cnt, ms, 0.0, sh);
        int chosen = 0;
        for (int j = 0; j < probes; j++) {
            int c;
            double total;
            smp_probe_total(j, sh, &c, &total);
            if (!keep(c, total)) break;
            chosen = j + 1;
            keyCount = c;
            keyMass = total;
        }
        key |= (u64) chosen << shift;
        hi = shift == 32 ? idBits - 1 : shift - 1;
    }
    __syncthreads();
    *count = keyCount;
    *mass = keyMass;
    return key;
}

// Sampler.drawFromRanked for rows whose cut keeps more candidates than SMP_CAP, without ranking them in shared
// memory: the survivors are the first S ranks, S = min(finite tokens, topK, tokens of weight >= minP, the ranks
// before the kept weight exceeds topP * total), and the draw is the first rank whose cumulative weight exceeds u
// times the survivors'. Each rank is found as the largest key below which a count or a weight stays within a
// bound (smp_largest_key), so the row is read ~17 times a search instead of sorted; sums run in another order
// than the CPU's, as in smp_draw_ranked.
__device__ int smp_draw_exact(const float* w, int vocab, float m, int topK, bool byMass, float topP, double total,
                              float minP, double u, SmpShared& sh) {
    int idBits = max(1, 32 - __clz(vocab - 1));
    double finite = 0.0, heavy = 0.0;
    u64 first = ~0ull;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float v = w[i];
        if (v == SMP_NEG_INF) continue;
        finite += 1.0;
        if (minP > 0.0f && exp((double) v - (double) m) >= (double) minP) heavy += 1.0;
        u64 k = smp_key(v, i);
        first = k < first ? k : first;
    }
    int survivors = min((int) smp_sum(finite, sh), topK);
    if (minP > 0.0f) survivors = min(survivors, (int) smp_sum(heavy, sh));
    int rankZero = smp_id(smp_min_key(first, sh));
    int count;
    double mass;
    double kept = -1.0;
    if (byMass) {
        double topPMass = (double) topP * total;
        u64 last = smp_largest_key<true>(w, vocab, m, idBits, [&](int, double k) { return k <= topPMass; }, &count,
                                         &mass, sh);
        // When top_p decides, the survivors end with the key found: their weight is the mass below it plus its own.
        if (count + 1 <= survivors) kept = mass + exp((double) smp_value(last) - (double) m);
        survivors = min(survivors, count + 1);
    }
    if (kept < 0.0) {
        u64 end = smp_largest_key<false>(w, vocab, m, idBits, [&](int c, double) { return c <= survivors; }, &count,
                                         &mass, sh);
        double below = 0.0;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            float v = w[i];
            if (v != SMP_NEG_INF && smp_key(v, i) < end) below += exp((double) v - (double) m);
        }
        kept = smp_sum(below, sh);
    }
    double target = u * kept;
    u64 pick = smp_largest_key<true>(w, vocab, m, idBits, [&](int, double k) { return k <= target; }, &count, &mass,
                                     sh);
    return count < survivors ? smp_id(pick) : rankZero;
}

// One row: copy (NaN as -inf), sparse changes, greedy argmax or temperature and the draw.
__device__ int smp_sample_row(const float* x, float* w, int vocab, float temperature, int topK, float topP, float minP,
                              double u, int changeFrom, int changeTo, const int* changeTokens,
                              const float* changeSubtract, const int* changeMask, const float* changeRepetition,
                              const float* changeBias, SmpShared& sh) {
    if (topK <= 0 || topK > vocab) topK = vocab;
    bool greedy = temperature < 1e-6f || topK == 1;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float v = x[i];
        w[i] = v != v ? SMP_NEG_INF : v;
    }
    __syncthreads();
    // Explicitly rounded ops: NVRTC would contract x * repetition + bias into an FMA, which Java never does.
    for (int j = changeFrom + threadIdx.x; j < changeTo; j += blockDim.x) {
        int token = changeTokens[j];
        float v = changeMask[j] ? SMP_NEG_INF : __fsub_rn(w[token], changeSubtract[j]);
        float repetition = changeRepetition[j];
        if (repetition != 1.0f) v = v < 0.0f ? __fmul_rn(v, repetition) : v / repetition;
        w[token] = __fadd_rn(v, changeBias[j]);
    }
    __syncthreads();
    bool scale = !greedy && temperature != 1.0f;
    float m = SMP_NEG_INF;
    float mn = SMP_POS_INF;
    u64 best = ~0ull;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float v = w[i];
        if (scale) {
            v = v / temperature;
            w[i] = v;
        }
        m = fmaxf(m, v);
        if (v != SMP_NEG_INF) mn = fminf(mn, v);
        if (greedy) {
            u64 k = smp_key(v == 0.0f ? 0.0f : v, i);
            best = k < best ? k : best;
        }
    }
    if (greedy) return smp_id(smp_min_key(best, sh));
    m = smp_max(m, sh);
    mn = smp_min(mn, sh);
    if (m == SMP_NEG_INF) return 0;
    if (topK == vocab && topP >= 1.0f && minP <= 0.0f) return smp_draw_all(w, vocab, m, u, sh);
    bool byCount = topK < vocab;
    bool byMass = topP < 1.0f;
    double minPDistance = minP > 0.0f ? -log((double) minP) : SMP_INF_D;
    double total;
    float t;
    if (smp_search(w, vocab, m, mn, topK, byCount, topP, byMass, minPDistance, &total, &t, sh) < 0) {
        return smp_draw_exact(w, vocab, m, topK, byMass, topP, total, minP, u, sh);
    }
    int n = smp_gather_sorted(w, vocab, t, sh);
    return smp_draw_ranked(n, m, topK, byMass, topP, total, minP, u, sh);
}

// out[r] = the token sampled for row r of the batch. Row r reads logits row
// logitRows[r] ([*, vocab], not modified) and its changes [changeStart[r], changeStart[r + 1]); block b
// works in work[b * vocab, (b + 1) * vocab).
extern "C" __global__ void __launch_bounds__(1024) sample_rows(
        const float* logits, int vocab, float* work, int rows, const int* logitRows, const float* temperatures,
        const int* topKs, const float* topPs, const float* minPs, const double* uniforms, const int* changeStart,
        const int* changeTokens, const float* changeSubtract, const int* changeMask, const float* changeRepetition,
        const float* changeBias, int* out) {
    __shared__ SmpShared sh;
    float* w = work + (i64) blockIdx.x * vocab;
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        int token = smp_sample_row(logits + (i64) logitRows[r] * vocab, w, vocab, temperatures[r], topKs[r], topPs[r],
                                   minPs[r], uniforms[r], changeStart[r], changeStart[r + 1], changeTokens,
                                   changeSubtract, changeMask, changeRepetition, changeBias, sh);
        if (threadIdx.x == 0) out[r] = token;
        __syncthreads();
    }
}

// Greedy rows without logit changes (bench one-batch, temperature 0 requests): out[r] = the first maximum of
// logits row logitRows[r] (r itself when logitRows is null), NaN as -inf, as sample_rows' greedy path picks
// it. Grid (ARGMAX_SLICES, rows): block b keys the values of its slice; the last block of a row to finish
// (counters[r], zero between calls) takes the least of the slices' keys and resets the counter.
#define ARGMAX_SLICES 32
#define ARGMAX_THREADS 256
extern "C" __global__ void __launch_bounds__(ARGMAX_THREADS) argmax_rows(
        const float* logits, int vocab, const int* logitRows, u64* partial, unsigned* counters, int* out) {
    __shared__ u64 warpKeys[ARGMAX_THREADS / 32];
    __shared__ bool last;
    int r = blockIdx.y, slice = blockIdx.x;
    const float* x = logits + (i64) (logitRows != 0 ? logitRows[r] : r) * vocab;
    int per = (vocab + ARGMAX_SLICES - 1) / ARGMAX_SLICES;
    int from = slice * per, to = min(vocab, from + per);
    u64 best = ~0ull;
    for (int i = from + threadIdx.x; i < to; i += ARGMAX_THREADS) {
        float v = x[i];
        v = v != v ? SMP_NEG_INF : v;
        u64 k = smp_key(v == 0.0f ? 0.0f : v, i);
        best = k < best ? k : best;
    }
    for (int o = 16; o > 0; o >>= 1) {
        u64 other = __shfl_xor_sync(SMP_FULL, best, o);
        best = other < best ? other : best;
    }
    if (smp_lane() == 0) warpKeys[smp_warp()] = best;
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int w = 1; w < ARGMAX_THREADS / 32; w++) best = warpKeys[w] < best ? warpKeys[w] : best;
        partial[(i64) r * ARGMAX_SLICES + slice] = best;
        __threadfence();
        last = atomicAdd(&counters[r], 1u) == ARGMAX_SLICES - 1;
    }
    __syncthreads();
    if (!last || threadIdx.x >= 32) return;
    __threadfence();
    u64 k = __ldcg(partial + (i64) r * ARGMAX_SLICES + threadIdx.x);
    for (int o = 16; o > 0; o >>= 1) {
        u64 other = __shfl_xor_sync(SMP_FULL, k, o);
        k = other < k ? other : k;
    }
    if (threadIdx.x == 0) {
        out[r] = smp_id(k);
        counters[r] = 0;
    }
}

// The topN best tokens of a raw row (NaN ranked as -inf): gathered above a searched threshold, else
// (ties or -inf among them, or topN > SMP_CAP) by topN exact passes of a block minimum over keys.
__device__ void smp_top(const float* x, int vocab, float m, float mn, int topN, double lse, int* ids, float* logprobs,
                        SmpShared& sh) {
    int count = -1;
    float t = 0.0f;
    if (m != SMP_NEG_INF && topN <= SMP_CAP) {
        double unused;
        count = smp_search(x, vocab, m, mn, topN, true, 1.0f, false, SMP_INF_D, &unused, &t, sh);
    }
    if (count >= topN) {
        smp_gather_sorted(x, vocab, t, sh);
        for (int k = threadIdx.x; k < topN; k += blockDim.x) {
            u64 key = sh.keys[k];
            ids[k] = smp_id(key);
            logprobs[k] = (float) ((double) smp_value(key) - lse);
        }
        __syncthreads();
        return;
    }
    u64 previous = 0;
    for (int k = 0; k < topN; k++) {
        u64 best = ~0ull;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            float v = x[i];
            u64 key = smp_key(v != v ? SMP_NEG_INF : v, i);
            if ((k == 0 || key > previous) && key < best) best = key;
        }
        best = smp_min_key(best, sh);
        if (threadIdx.x == 0) {
            ids[k] = smp_id(best);
            logprobs[k] = (float) ((double) smp_value(best) - lse);
        }
        previous = best;
    }
}

// Logprobs.of per row of raw logits: lse = max + log(sum expf(x - max)) (NaN in the row: NaN; all -inf:
// -inf); chosen[r] = x[tokens[r]] - lse; the row's topN (value desc, id asc) to topIds/topLogprobs [rows, topN].
extern "C" __global__ void __launch_bounds__(1024) logprob_rows(
        const float* logits, int vocab, int rows, const int* logitRows, const int* tokens, int topN, float* chosen,
        int* topIds, float* topLogprobs) {
    __shared__ SmpShared sh;
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* x = logits + (i64) logitRows[r] * vocab;
        float m = SMP_NEG_INF;
        float mn = SMP_POS_INF;
        int nan = 0;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            float v = x[i];
            if (v != v) {
                nan = 1;
            } else {
                m = fmaxf(m, v);
                if (v != SMP_NEG_INF) mn = fminf(mn, v);
            }
        }
        m = smp_max(m, sh);
        mn = smp_min(mn, sh);
        nan = smp_max_int(nan, sh);
        double lse;
        if (nan) {
            lse = SMP_NAN_D;
        } else if (m == SMP_NEG_INF) {
            lse = (double) m;
        } else {
            double s = 0.0;
            for (int i = threadIdx.x; i < vocab; i += blockDim.x) s += expf(x[i] - m);
            lse = (double) m + log(smp_sum(s, sh));
        }
        if (threadIdx.x == 0) chosen[r] = (float) ((double) x[tokens[r]] - lse);
        if (topN > 0) smp_top(x, vocab, m, mn, topN, lse, topIds + (i64) r * topN, topLogprobs + (i64) r * topN, sh);
        __syncthreads();
    }
}
