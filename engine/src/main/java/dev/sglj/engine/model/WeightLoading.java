package dev.sglj.engine.model;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Puts a model's tensors on a backend, by checkpoint name, and logs it as SGLang does:
 * {@code Load weight begin. avail mem=78.50 GB}, one tqdm-style line per safetensors shard as its
 * last tensor is loaded ({@link ShardProgress}), and {@code Load weight end. type=..., dtype=...,
 * avail mem=... GB, mem usage=... GB.} (memory figures where the backend reports them: a GPU).
 */
final class WeightLoading {
    private static final System.Logger LOG = System.getLogger(WeightLoading.class.getName());
    private static final double GB = 1L << 30;

    private final ModelConfig config;
    private final WeightSource weights;
    private final Backend backend;
    private final Map<String, LlamaWeightNames.TensorSpec> specs = new HashMap<>();
    private final ShardProgress progress;
    private final OptionalLong availableBefore;

    WeightLoading(ModelConfig config, WeightSource weights, Backend backend) {
        this.config = config;
        this.weights = weights;
        this.backend = backend;
        List<String> names = new ArrayList<>();
        for (LlamaWeightNames.TensorSpec spec : LlamaWeightNames.required(config)) {
            specs.put(spec.name(), spec);
            names.add(spec.name());
        }
        this.availableBefore = backend.availableMemory();
        LOG.log(Level.INFO, "Load weight begin." + availableText(availableBefore));
        Map<String, Path> files = new HashMap<>();
        for (String name : names) {
            Path file = weights.fileOf(name);
            if (file != null) files.put(name, file);
        }
        this.progress = new ShardProgress(files, System.nanoTime());
        progress.start().ifPresent(line -> LOG.log(Level.INFO, line));
    }

    /** The tensor of that name, or null when the config does not require it (e.g. a bias it has none of). */
    Tensor load(String name) {
        LlamaWeightNames.TensorSpec spec = specs.get(name);
        if (spec == null) return null;
        Tensor t = weights.load(backend, spec);
        loaded(name);
        return t;
    }

    /** One tensor named {@code fused} stacking the rows of {@code parts}, or null when the config requires none of them. */
    Tensor loadRows(String fused, String... parts) {
        List<LlamaWeightNames.TensorSpec> found = new ArrayList<>();
        for (String part : parts) {
            LlamaWeightNames.TensorSpec spec = specs.get(part);
            if (spec != null) found.add(spec);
        }
        if (found.isEmpty()) return null;
        if (found.size() != parts.length) {
            throw new IllegalStateException(fused + ": the config requires only some of " + List.of(parts));
        }
        Tensor t = weights.loadRows(backend, fused, found);
        for (String part : parts) loaded(part);
        return t;
    }

    private void loaded(String name) {
        progress.loaded(name, System.nanoTime()).ifPresent(line -> LOG.log(Level.INFO, line));
    }

    /** Logs the end line; {@code dtype} is what the weights became on the backend. */
    void finish(DType dtype) {
        OptionalLong after = backend.availableMemory();
        String usage = availableBefore.isPresent() && after.isPresent()
                ? String.format(Locale.ROOT, ", mem usage=%.2f GB", (availableBefore.getAsLong() - after.getAsLong()) / GB)
                : "";
        String end = "Load weight end. type=" + config.architecture() + ", dtype=" + torchName(dtype);
        LOG.log(Level.INFO, end + (after.isPresent() ? "," + availableText(after) : "") + usage + ".");
    }

    private static String availableText(OptionalLong bytes) {
        return bytes.isPresent() ? String.format(Locale.ROOT, " avail mem=%.2f GB", bytes.getAsLong() / GB) : "";
    }

    static String torchName(DType dtype) {
        return switch (dtype) {
            case BF16 -> "torch.bfloat16";
            case F16 -> "torch.float16";
            case F32 -> "torch.float32";
            case I32 -> "torch.int32";
        };
    }
}
