/**
 * The CUDA backend: {@link dev.sglj.engine.compute.cuda.CudaBackend} implements the compute SPI on
 * an NVIDIA GPU through the Java FFM API alone (no JNI): the driver API ({@code libcuda.so.1}),
 * NVRTC and cuBLAS are bound with {@code java.lang.foreign}, and every non-zero return code becomes
 * a {@link dev.sglj.engine.compute.cuda.CudaException} naming the function and the error.
 *
 * <p>Activations and the KV cache are BF16; weights are uploaded once as BF16 (F32/F16 converted on
 * the device); GEMMs run in cuBLAS with F32 accumulation; everything else is a kernel from the
 * {@code .cu} resources beside this package, compiled by NVRTC for the device's compute capability
 * at start and cached on disk by source hash and architecture. Work is queued on one stream and
 * device memory comes from a caching allocator, so a forward pass neither synchronizes nor calls
 * cuMemAlloc once warm; {@code toHost} is the synchronization point.
 *
 * <p>Indices (token ids, KV slots, positions) are checked on the host when the tensor was made by
 * {@code ints}; the request-to-token table's entries are trusted, as on the CPU's fast path.
 */
package dev.sglj.engine.compute.cuda;
