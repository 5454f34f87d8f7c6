/**
 * The CUDA backend: {@link dev.sglj.engine.compute.cuda.CudaBackend} implements the compute SPI on
 * an NVIDIA GPU through the Java FFM API alone (no JNI): the driver API ({@code libcuda.so.1}),
 * NVRTC, cuBLAS and cuBLASLt are bound with {@code java.lang.foreign}, and every non-zero return code becomes
 * a {@link dev.sglj.engine.compute.cuda.CudaException} naming the function and the error.
 *
 * <p>Activations and the KV cache are BF16; weights are uploaded once as BF16 (F32/F16 converted on
 * the device; a row-stacked weight such as the fused q/k/v projection is one contiguous tensor whose
 * row ranges the parts are uploaded into; {@code --load-format dummy} weights are filled on the
 * device, no host copy); GEMMs run in cuBLAS with F32 accumulation; everything else is a kernel from the
 * {@code .cu} resources beside this package, compiled by NVRTC for the device's compute capability
 * at start and cached on disk by source hash and architecture.
 *
 * <p>{@code --dtype float32} ({@code new CudaBackend(DType.F32)}, {@code Devices.open(device, dtype)})
 * computes in F32 instead: weights uploaded as F32 (F32 kept, BF16/F16 converted up exactly), F32
 * activations and KV cache, cuBLAS SGEMM in {@code CUBLAS_COMPUTE_32F} (no TF32, no GEMV kernel), and the
 * {@code f32_} kernels: those of {@code f32.cu} (loaded only by such a backend), and the F32 instances of
 * the kernels written once for both dtypes ({@code Elem<T>} in {@code common.cuh}: the CUDA-core extend
 * attention, the per-dim split-K decode attention and its merge, {@code qkv_to_cache}, SiLU-and-mul).
 * Every op checks that its activations and weights are in the backend's {@code activationDtype()} and picks
 * its kernel by it; the tensor-core extend kernel is BF16-only, so F32 extend runs the tiled CUDA-core kernel
 * for every head dimension. CUDA graphs capture the same ops. Work is queued on one stream and
 * device memory comes from a caching allocator, so a forward pass neither synchronizes nor calls
 * cuMemAlloc once warm; {@code toHost} is the synchronization point. Host values reach the device through
 * page-locked staging ({@code HostTransfers} over {@code UploadStaging}: asynchronous copies, and
 * {@code scatterInts}' kernel reading its pairs there), and a decode graph's inputs are one
 * {@link dev.sglj.engine.compute.cuda.PackedInts}, sent in one copy.
 *
 * <p>Elementwise kernels that run every layer have vector forms for BF16 ({@code add_rms_norm_x8},
 * {@code gate_up_silu_and_mul_x8}: 16-byte accesses; {@code qkv_to_cache_x2}: two rotary pairs a lane), which
 * their launchers pick where the row widths allow and every operand starts on the access's boundary
 * ({@code CudaTensor.alignedTo}); each element is computed as in the scalar form.
 *
 * <p>Decode at one or two rows: the residual-stream ops of the SPI ({@code embeddingIntoResidual},
 * {@code linearIntoResidual}, {@code normedQkvToCache}, {@code normedGateUpSiluAndMul}) run as the GEMV's
 * fused forms ({@link dev.sglj.engine.compute.cuda.FusedLinears}, {@code gemv.cu}): a layer's two RMSNorms,
 * its SiLU-and-mul and its RoPE/KV-cache step ride on the four GEMVs (the first layer's input norm on
 * the embedding, the final norm on lm_head: {@code normedLinear} with F32 logits), which are launched as
 * programmatic dependents (PDL, {@code CudaDriver.launchDependent}) so each one's weights stream while the
 * kernel before drains ({@code decode_merge} schedules the o GEMV at its start). The decode attention and its
 * merge are launched plainly, so the q/k/v GEMV before them splits K for a shorter tail at one row
 * ({@code Gemv.qkvSplit}). They give the separate ops' bits except for the order of a norm's sum of squares.
 *
 * <p>Decode GEMMs above the GEMV's rows, up to 256 (BF16 only): each shape (rows, out, in, output dtype) runs
 * its plan ({@link dev.sglj.engine.compute.cuda.GemmTuner}, {@link dev.sglj.engine.compute.cuda.GemmPlans}):
 * cublasGemmEx's own choice, or a cuBLASLt algorithm ({@link dev.sglj.engine.compute.cuda.CublasLt}, same
 * stream and workspace) that beat it when timed against up to eight of cuBLASLt's heuristic algorithms. Plans are
 * made only inside {@link dev.sglj.engine.compute.cuda.CudaBackend#tuningGemms}, where the decode graph runner
 * warms each batch size up before capturing it, and are kept in a text file per GPU name and cuBLASLt version
 * beside the kernel cache, so a restart runs the same algorithms without timing them again. Elsewhere (eager
 * prefill, captures) a shape without a plan runs cublasGemmEx.
 *
 * <p>Indices (token ids, KV slots, positions) are checked on the host when the tensor was made by
 * {@code ints}; the request-to-token table's entries are trusted, as on the CPU's fast path.
 *
 * <p>Serving on it ({@code --device cuda}): size the KV pool as SGLang does before the weights go up,
 * then hand the backend to the runner as the CPU one.
 * <pre>{@code
 * CudaBackend gpu = new CudaBackend();                 // GPU 0, BF16, kernels cached in ~/.cache/sglj/cuda
 * long[] mem = gpu.memoryInfo();                       // {free, total}
 * double mfs = memFractionStatic != null ? memFractionStatic
 *         : KvPoolSizing.defaultMemFractionStatic(mem[1], chunkedPrefillSize, cudaGraphMaxBs);
 * long perSlot = KvPool.bytesPerSlot(layers, kvHeads, headDim, gpu.activationDtype());
 * int tokens = KvPoolSizing.tokens(mem[0] - weightBytesInActivationDtype, mem[1], mfs, perSlot);
 * ModelRunner runner = new ModelRunner(config, weights, gpu, tokens, maxRunningRequests, contextLength);
 * }</pre>
 * CUDA graphs: {@link dev.sglj.engine.compute.cuda.CudaBackend#capture} records kernels and cuBLAS
 * calls for replay; warm-up and capture run inside {@link dev.sglj.engine.compute.cuda.CudaBackend#inGraphPool},
 * whose blocks are never handed to eager work, so a graph's addresses stay its own. The decode graph
 * runner on top of it is {@link dev.sglj.engine.runner.CudaGraphRunner}.
 *
 * <p>Sampling on the device: {@link dev.sglj.engine.compute.cuda.CudaBackend#sample} takes F32 logits,
 * a {@link dev.sglj.engine.compute.cuda.SamplingBatch} (per row: logits row, temperature, top_k, top_p,
 * min_p, the request's uniform) and sparse {@link dev.sglj.engine.compute.cuda.LogitChanges} (penalties,
 * min_new_tokens masking, logit_bias) and returns token ids with {@code Sampler}'s semantics, every row on
 * the device (a cut that keeps more tokens than a block ranks is drawn by searches over the row's ranking
 * keys). A batch of greedy rows without changes takes a multi-block argmax instead of the one-block-a-row
 * sampler.
 * {@link dev.sglj.engine.compute.cuda.CudaBackend#logprobs} returns {@code Logprobs.of}'s chosen-token
 * logprobs and top N as a {@link dev.sglj.engine.compute.cuda.RowLogprobs}. Only these small arrays
 * cross to the host ({@code SamplingKernels}).
 *
 * <p>The overlap schedule: {@link dev.sglj.engine.compute.cuda.CudaBackend#sampleInto} draws without waiting
 * into a {@link dev.sglj.engine.compute.cuda.TokenBuffer} (ids on the device, copied to pinned memory behind
 * an event that {@code TokenBuffer.await} waits for; its packed arguments alternate between two pinned
 * staging buffers), and {@link dev.sglj.engine.compute.cuda.CudaBackend#resolveFutureIds} ({@code overlap.cu})
 * replaces the next step's negative input ids by those ids on the stream, so the next forward pass is queued
 * before the previous draw is read.
 */
package dev.sglj.engine.compute.cuda;
