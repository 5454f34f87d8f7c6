package dev.sglj.engine;

import dev.sglj.engine.cache.PrefixCache;
import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Devices;
import dev.sglj.engine.compute.cuda.CudaBackend;
import dev.sglj.engine.compute.cuda.KvPoolSizing;
import dev.sglj.engine.config.ServerArgs;
import dev.sglj.engine.kv.KvPool;
import dev.sglj.engine.model.BuiltinModel;
import dev.sglj.engine.model.GenerationConfig;
import dev.sglj.engine.model.LlamaWeightNames;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.runner.CudaGraphRunner;
import dev.sglj.engine.runner.ModelRunner;
import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.sched.Req;
import dev.sglj.engine.sched.Scheduler;
import dev.sglj.engine.sched.SchedulerSettings;
import dev.sglj.engine.sched.SchedulerStats;
import dev.sglj.engine.sched.StopStringWatcher;
import dev.sglj.engine.tokenizer.DecodeOptions;
import dev.sglj.engine.tokenizer.StopStringMatcher;
import dev.sglj.engine.tokenizer.Tokenizer;
import dev.sglj.engine.tokenizer.Tokenizers;
import dev.sglj.engine.tokenizer.decode.IncrementalDetokenizer;
import java.nio.file.Files;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Optional;
import java.util.UUID;

/**
 * The in-process API (like {@code sglang.Engine}): loads a model, sizes the KV pool, runs the
 * scheduler on its own thread, and takes requests from any thread. {@link #submit} streams;
 * {@link #generate} waits.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    private static final int DEFAULT_CPU_MAX_RUNNING_REQUESTS = 64;

    private final ServerArgs args;
    private final LoadedModel model;
    private final Tokenizer tokenizer;
    private final Backend backend;
    private final ModelRunner runner;
    private final Scheduler scheduler;
    private final int contextLength;
    private final int maxTotalTokens;
    private final int maxRunningRequests;
    private final int chunkedPrefillSize;
    private final int[] eosTokenIds;
    private final SplittableRandom seeds;

    private Engine(ServerArgs args, LoadedModel model, Tokenizer tokenizer, Backend backend) {
        this.args = args;
        this.model = model;
        this.tokenizer = tokenizer;
        this.backend = backend;
        ModelConfig config = model.config();
        this.contextLength = args.contextLength() != null ? args.contextLength() : config.maxPositionEmbeddings();
        this.chunkedPrefillSize = chunkedPrefillSize(args, backend);
        this.maxTotalTokens = args.maxTotalTokens() != null ? args.maxTotalTokens() : derivedPoolSize(config, backend, args);
        this.maxRunningRequests = args.maxRunningRequests() != null ? args.maxRunningRequests()
                : defaultMaxRunningRequests(backend, maxTotalTokens, contextLength);
        int tableContext = Math.min(contextLength, maxTotalTokens);
        this.runner = new ModelRunner(config, model.weights(), backend, maxTotalTokens, maxRunningRequests, tableContext,
                cudaGraphBatchSizes(args, backend));
        this.eosTokenIds = eosTokenIds(model);
        this.seeds = new SplittableRandom(args.randomSeed());
        SchedulerSettings settings = new SchedulerSettings(maxRunningRequests, args.maxPrefillTokens(),
                chunkedPrefillSize, args.schedulePolicy(), args.scheduleConservativeness(),
                args.enableMixedChunk(), args.streamInterval(), args.decodeLogInterval(), args.randomSeed(),
                args.disableOverlapSchedule());
        this.scheduler = new Scheduler(runner, PrefixCache.create(runner.slots(), args.disableRadixCache()),
                settings, eosTokenIds);
        LOG.log(System.Logger.Level.INFO, String.format("max_total_num_tokens=%d, chunked_prefill_size=%d, "
                        + "max_prefill_tokens=%d, max_running_requests=%d, context_len=%d, device=%s, cuda_graph_max_bs=%d",
                maxTotalTokens, chunkedPrefillSize, args.maxPrefillTokens(), maxRunningRequests, contextLength,
                backend.name(), runner.cudaGraphMaxBatchSize()));
        scheduler.start();
        warmUp();
    }

    /**
     * One short request through the whole path, then an empty cache: the Vector API kernels run about a
     * thousand times slower until the JIT has compiled them, which would otherwise hit the first user.
     */
    private void warmUp() {
        int[] prompt = new int[Math.max(1, Math.min(16, Math.min(contextLength, maxTotalTokens) - 3))];
        for (int i = 0; i < prompt.length; i++) prompt[i] = i % model.config().vocabSize();
        generate(new GenerateRequest(prompt, SamplingParams.builder().temperature(0.0).maxNewTokens(2)
                .ignoreEos(true).build(), "warmup"));
        flushCache();
    }

    /** Loads the model named by {@code args} (the built-in one when it names none) on its device. */
    public static Engine start(ServerArgs args) {
        args.validate();
        LoadedModel model = args.modelPath() == null ? BuiltinModel.load()
                : ModelLoader.load(args.modelPath(), args.loadFormat());
        Tokenizer tokenizer = null;
        Backend backend = null;
        try {
            tokenizer = loadTokenizer(args);
            backend = Devices.open(args.device(), args.dtype());
            return new Engine(args, model, tokenizer, backend);
        } catch (RuntimeException e) {
            if (backend != null) backend.close();
            if (tokenizer != null) tokenizer.close();
            model.close();
            throw e;
        }
    }

    /**
     * The built-in Qwen3 tokenizer for the built-in model, else the one in {@code --tokenizer-path}
     * or the model directory; null when the model directory has none (then only token ids are accepted).
     */
    private static Tokenizer loadTokenizer(ServerArgs args) {
        if (args.tokenizerPath() != null) return Tokenizers.load(args.tokenizerPath());
        if (args.modelPath() == null) return Tokenizers.builtinQwen3();
        boolean present = Files.exists(args.modelPath().resolve("tokenizer.json"))
                || Files.exists(args.modelPath().resolve("tokenizer.json.gz"));
        if (present) return Tokenizers.load(args.modelPath());
        LOG.log(System.Logger.Level.WARNING, "no tokenizer.json in " + args.modelPath()
                + "; only token ids are accepted (use --tokenizer-path to name one)");
        return null;
    }

    /** The model's tokenizer, when it has one. */
    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    /** The tokenizer, or a clear error for a model served without one. */
    public Tokenizer requireTokenizer() {
        if (tokenizer == null) {
            throw new IllegalArgumentException("this model has no tokenizer; send input_ids instead of text");
        }
        return tokenizer;
    }

    public ModelConfig modelConfig() {
        return model.config();
    }

    public GenerationConfig generationConfig() {
        return model.generation();
    }

    public ServerArgs args() {
        return args;
    }

    public int contextLength() {
        return contextLength;
    }

    public int maxTotalTokens() {
        return maxTotalTokens;
    }

    public int maxRunningRequests() {
        return maxRunningRequests;
    }

    /** The {@code --chunked-prefill-size} in effect (-1: no chunking). */
    public int chunkedPrefillSize() {
        return chunkedPrefillSize;
    }

    public SchedulerStats stats() {
        return scheduler.stats();
    }

    /**
     * Queues a request and returns one stream per sample ({@code n} of them). With {@code n > 1} the
     * prompt is first prefilled alone so the samples share its cached KV, as SGLang does.
     *
     * @throws IllegalArgumentException for invalid parameters or a prompt that cannot fit
     */
    public List<RequestStream> submit(GenerateRequest request) {
        SamplingParams params = request.params();
        params.validate(model.config().vocabSize());
        String rid = request.rid() != null ? request.rid() : UUID.randomUUID().toString().replace("-", "");
        if (params.n() == 1) return List.of(enqueue(request, rid));
        prefillShared(request, rid);
        List<RequestStream> streams = new ArrayList<>(params.n());
        for (int i = 0; i < params.n(); i++) {
            SamplingParams.Builder copy = params.toBuilder().n(1);
            if (params.samplingSeed() != null) copy.samplingSeed(params.samplingSeed() + i);
            streams.add(enqueue(new GenerateRequest(request.inputIds(), copy.build()), rid + "_" + i));
        }
        return streams;
    }

    private void prefillShared(GenerateRequest request, String rid) {
        SamplingParams prefillOnly = request.params().toBuilder().n(1).maxNewTokens(0).minNewTokens(0)
                .returnLogprob(false).build();
        try {
            enqueue(new GenerateRequest(request.inputIds(), prefillOnly), rid + "_prefill").await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while prefilling a parallel-sampling prompt", e);
        }
    }

    private RequestStream enqueue(GenerateRequest request, String rid) {
        RequestStream stream = new RequestStream(rid, scheduler::abort);
        StopStringWatcher watcher = request.params().stop().isEmpty() ? null : stopWatcher(request.params());
        scheduler.submit(new Req(rid, request, stream, eosTokenIds, seeds.nextLong(), watcher));
        return stream;
    }

    /** Decodes the output as the request will see it and reports the first stop string it contains. */
    private StopStringWatcher stopWatcher(SamplingParams p) {
        IncrementalDetokenizer detokenizer = requireTokenizer().newDetokenizer(
                new DecodeOptions(p.skipSpecialTokens(), p.spacesBetweenSpecialTokens()));
        StopStringMatcher matcher = new StopStringMatcher(p.stop(), true);
        return token -> matcher.push(detokenizer.push(token)).matched();
    }

    /** Runs the requests together and waits; results in order, {@code n} consecutive ones per request. */
    public List<GenerateResult> generate(List<GenerateRequest> requests) {
        List<RequestStream> streams = new ArrayList<>();
        for (GenerateRequest r : requests) streams.addAll(submit(r));
        List<GenerateResult> results = new ArrayList<>(streams.size());
        try {
            for (RequestStream s : streams) results.add(s.await());
        } catch (InterruptedException e) {
            streams.forEach(RequestStream::abort);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating", e);
        }
        return results;
    }

    public GenerateResult generate(GenerateRequest request) {
        return generate(List.of(request)).getFirst();
    }

    /**
     * Text in, text out: each prompt is tokenized (with the tokenizer's special tokens, as HF's
     * {@code encode}), the batch runs together, and each output is decoded with the request's
     * {@code skip_special_tokens}, a matched stop string trimmed unless {@code no_stop_trim}.
     */
    public List<TextResult> generateText(List<String> prompts, SamplingParams params) {
        Tokenizer t = requireTokenizer();
        List<GenerateRequest> requests = prompts.stream().map(p -> new GenerateRequest(t.encode(p, true), params)).toList();
        DecodeOptions decode = new DecodeOptions(params.skipSpecialTokens(), params.spacesBetweenSpecialTokens());
        return generate(requests).stream()
                .map(r -> new TextResult(trimStop(t.decode(r.outputIds(), decode), r.finishReason(), params.noStopTrim()), r))
                .toList();
    }

    /** SGLang cuts the output at a matched stop string (dropping it) unless no_stop_trim. */
    private static String trimStop(String text, FinishReason finish, boolean noStopTrim) {
        if (noStopTrim || !(finish instanceof FinishReason.Stop(Integer id, String matched)) || matched == null) {
            return text;
        }
        int at = text.indexOf(matched);
        return at < 0 ? text : text.substring(0, at);
    }

    public void abort(String rid) {
        scheduler.abort(rid);
    }

    public void abortAll() {
        scheduler.abortAll();
    }

    /** Empties the prefix cache; false (refused) while requests are queued or running. */
    public boolean flushCache() {
        return scheduler.flushCache().join();
    }

    /**
     * On a GPU, SGLang's: half the pool's tokens, at most its request-table size (pool tokens per context
     * times 512, within [2048, 4096]); on the CPU {@value #DEFAULT_CPU_MAX_RUNNING_REQUESTS}.
     */
    private static int defaultMaxRunningRequests(Backend backend, int maxTotalTokens, int contextLength) {
        if (!(backend instanceof CudaBackend)) return Math.min(DEFAULT_CPU_MAX_RUNNING_REQUESTS, maxTotalTokens);
        int tableSize = (int) Math.min(Math.max((long) maxTotalTokens * 512 / contextLength, 2048), 4096);
        return Math.max(1, Math.min(maxTotalTokens / 2, tableSize));
    }

    private static int chunkedPrefillSize(ServerArgs args, Backend backend) {
        if (args.chunkedPrefillSize() != null) return args.chunkedPrefillSize();
        return backend instanceof CudaBackend gpu ? ServerArgs.defaultChunkedPrefillSize(gpu.deviceInfo().totalBytes())
                : ServerArgs.DEFAULT_CPU_CHUNKED_PREFILL;
    }

    /** The decode batch sizes to capture in CUDA graphs: none on the CPU or with --disable-cuda-graph. */
    private static List<Integer> cudaGraphBatchSizes(ServerArgs args, Backend backend) {
        if (!(backend instanceof CudaBackend gpu) || args.disableCudaGraph()) return List.of();
        return CudaGraphRunner.captureSizes(cudaGraphMaxBs(args, gpu));
    }

    private static int cudaGraphMaxBs(ServerArgs args, CudaBackend gpu) {
        if (args.disableCudaGraph()) return 0;
        return args.cudaGraphMaxBs() != null ? args.cudaGraphMaxBs()
                : CudaGraphRunner.defaultMaxBatchSize(gpu.deviceInfo().totalBytes());
    }

    /**
     * Slots a fresh pool may take: on a GPU, what {@code --mem-fraction-static} leaves after the
     * weights (SGLang's rule); on the CPU, a tenth of physical memory, at most 1 GiB.
     */
    private static int derivedPoolSize(ModelConfig c, Backend backend, ServerArgs args) {
        long perSlot = KvPool.bytesPerSlot(c.numLayers(), c.numKvHeads(), c.headDim(), backend.activationDtype());
        if (backend instanceof CudaBackend gpu) {
            long[] mem = gpu.memoryInfo();
            double fraction = args.memFractionStatic() != null ? args.memFractionStatic()
                    : KvPoolSizing.defaultMemFractionStatic(mem[1], chunkedPrefillSize(args, gpu), cudaGraphMaxBs(args, gpu));
            long weights = deviceWeightBytes(c, backend.activationDtype());
            return KvPoolSizing.tokens(mem[0] - weights, mem[1], fraction, perSlot);
        }
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        long budget = Math.min(1L << 30, physical / 10);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budget / perSlot));
    }

    /** Bytes the model's weights take on a GPU, which stores them in its activation dtype {@code dtype}. */
    static long deviceWeightBytes(ModelConfig c, DType dtype) {
        return LlamaWeightNames.required(c).stream()
                .mapToLong(t -> java.util.Arrays.stream(t.shape()).reduce(1, Math::multiplyExact))
                .sum() * dtype.bytes();
    }

    private static int[] eosTokenIds(LoadedModel m) {
        int[] fromGeneration = m.generation().eosTokenIds();
        if (fromGeneration != null && fromGeneration.length > 0) return fromGeneration;
        return m.config().eosTokenIds() == null ? new int[0] : m.config().eosTokenIds();
    }

    @Override
    public void close() {
        scheduler.close();
        runner.close();
        backend.close();
        if (tokenizer != null) tokenizer.close();
        model.close();
    }
}
