// The overlap schedule: a decode request's input id for step N+1 is a "future", -(i + 1) for the token
// that step N's sampler wrote at futures[i]; resolved on the device, in stream order after step N.

extern "C" __global__ void resolve_future_ids(int* ids, int n, const int* futures) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        int v = ids[i];
        if (v < 0) ids[i] = futures[-v - 1];
    }
}
