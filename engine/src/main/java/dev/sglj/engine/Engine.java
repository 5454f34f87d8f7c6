package dev.sglj.engine;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.config.ServerArgs;
import dev.sglj.engine.kv.KvPool;
import dev.sglj.engine.model.BuiltinModel;
import dev.sglj.engine.model.GenerationConfig;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelConfig;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.runner.BatchGenerator;
import dev.sglj.engine.runner.ModelRunner;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The in-process API (like {@code sglang.Engine}): loads a model, sizes the KV pool, and generates
 * from token ids. Calls are serialised; each call batches its requests together.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    private static final int DEFAULT_CPU_MAX_RUNNING_REQUESTS = 64;

    private final ServerArgs args;
    private final LoadedModel model;
    private final Backend backend;
    private final ModelRunner runner;
    private final BatchGenerator generator;
    private final int contextLength;

    private Engine(ServerArgs args, LoadedModel model, Backend backend) {
        this.args = args;
        this.model = model;
        this.backend = backend;
        ModelConfig config = model.config();
        this.contextLength = args.contextLength() != null ? args.contextLength() : config.maxPositionEmbeddings();
        int maxTotalTokens = args.maxTotalTokens() != null ? args.maxTotalTokens() : derivedPoolSize(config);
        int maxRunning = args.maxRunningRequests() != null ? args.maxRunningRequests()
                : Math.min(DEFAULT_CPU_MAX_RUNNING_REQUESTS, maxTotalTokens);
        int tableContext = Math.min(contextLength, maxTotalTokens);
        this.runner = new ModelRunner(config, model.weights(), backend, maxTotalTokens, maxRunning, tableContext);
        this.generator = new BatchGenerator(runner, args.chunkedPrefillSize(), eosTokenIds(model));
        LOG.log(System.Logger.Level.INFO, "max_total_num_tokens={0}, chunked_prefill_size={1}, max_prefill_tokens={2},"
                        + " max_running_requests={3}, context_len={4}, device={5}",
                maxTotalTokens, args.chunkedPrefillSize(), args.maxPrefillTokens(), maxRunning, contextLength,
                backend.name());
    }

    /** Loads the model named by {@code args} (the built-in one when it names none) on its device. */
    public static Engine start(ServerArgs args) {
        args.validate();
        LoadedModel model = args.modelPath() == null ? BuiltinModel.load()
                : ModelLoader.load(args.modelPath(), args.loadFormat());
        try {
            return new Engine(args, model, new CpuBackend());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
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

    public synchronized List<GenerateResult> generate(List<GenerateRequest> requests) {
        return generator.generate(requests);
    }

    public GenerateResult generate(GenerateRequest request) {
        return generate(List.of(request)).getFirst();
    }

    /** Slots a fresh pool may take: a fifth of physical memory, at most 4 GiB, on the CPU. */
    private static int derivedPoolSize(ModelConfig c) {
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        long budget = Math.min(4L << 30, physical / 5);
        long perSlot = KvPool.bytesPerSlot(c.numLayers(), c.numKvHeads(), c.headDim());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budget / perSlot));
    }

    private static int[] eosTokenIds(LoadedModel m) {
        int[] fromGeneration = m.generation().eosTokenIds();
        if (fromGeneration != null && fromGeneration.length > 0) return fromGeneration;
        return m.config().eosTokenIds() == null ? new int[0] : m.config().eosTokenIds();
    }

    @Override
    public synchronized void close() {
        runner.close();
        backend.close();
        model.close();
    }
}
