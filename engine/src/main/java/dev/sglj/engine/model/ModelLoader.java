package dev.sglj.engine.model;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Loads a Hugging Face model directory: {@code config.json}, the optional
 * {@code generation_config.json}, and weights per {@link LoadFormat}. Safetensors weights are
 * checked up front: every tensor the config requires must be present with its shape, so a bad
 * checkpoint fails here with one message instead of in the middle of a forward pass.
 */
public final class ModelLoader {
    public static final String CONFIG_FILE = "config.json";
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";
    private static final int MAX_LISTED_PROBLEMS = 5;
    private static final Set<String> FLOAT_DTYPES = Set.of("F32", "F16", "BF16");

    private ModelLoader() {}

    public static LoadedModel load(Path dir, LoadFormat format) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("model path " + dir + " is not a directory");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new ModelLoadException("no " + CONFIG_FILE + " in " + dir + " (a Hugging Face model directory needs one)");
        }
        ModelConfig config = ModelConfigs.parse(configFile);
        GenerationConfig generation = GenerationConfigs.parse(dir.resolve(GENERATION_CONFIG_FILE));
        WeightSource weights = switch (format) {
            case DUMMY -> DummyWeights.create(config, 0);
            case AUTO, SAFETENSORS -> openSafetensors(dir, config);
        };
        return new LoadedModel(dir, config, generation, weights);
    }

    /** A model with random weights from {@code config} alone (no directory). */
    public static LoadedModel dummy(ModelConfig config, long seed) {
        return new LoadedModel(null, config, GenerationConfig.empty(), DummyWeights.create(config, seed));
    }

    private static SafetensorsWeights openSafetensors(Path dir, ModelConfig config) {
        if (!hasSafetensors(dir) && hasPytorchBin(dir)) {
            throw new ModelLoadException(dir + " holds only PyTorch .bin weights; SGL-J loads safetensors "
                    + "(convert them, or use --load-format dummy)");
        }
        SafetensorsWeights weights = SafetensorsWeights.open(dir);
        try {
            verify(weights, config);
            return weights;
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** Fails with one message listing the required tensors that are missing, misshapen or not floating point. */
    static void verify(SafetensorsWeights weights, ModelConfig config) {
        List<String> problems = new ArrayList<>();
        for (LlamaWeightNames.TensorSpec spec : LlamaWeightNames.required(config)) {
            long[] actual = weights.shape(spec.name());
            if (actual == null) {
                problems.add("missing tensor " + spec.name());
            } else if (!Arrays.equals(actual, spec.shape())) {
                problems.add(SafetensorsWeights.shapeMismatch(spec.name(), weights.fileOf(spec.name()), actual, spec.shape()));
            } else if (!FLOAT_DTYPES.contains(weights.dtypeName(spec.name()))) {
                problems.add("tensor " + spec.name() + " in " + weights.fileOf(spec.name()) + ": dtype "
                        + weights.dtypeName(spec.name()) + " is not supported (F32, F16, BF16)");
            }
        }
        if (problems.isEmpty()) {
            return;
        }
        StringBuilder msg = new StringBuilder(problems.getFirst());
        if (problems.size() > 1) {
            msg.append(" (and ").append(problems.size() - 1).append(" more: ");
            msg.append(String.join("; ", problems.subList(1, Math.min(problems.size(), MAX_LISTED_PROBLEMS))));
            msg.append(problems.size() > MAX_LISTED_PROBLEMS ? "; ...)" : ")");
        }
        List<Path> files = weights.files();
        msg.append(" [").append(config.architecture()).append(" checkpoint, ").append(files.size())
                .append(files.size() == 1 ? " safetensors file in " : " safetensors files in ")
                .append(files.getFirst().getParent()).append("]");
        throw new ModelLoadException(msg.toString());
    }

    private static boolean hasSafetensors(Path dir) {
        return !glob(dir, "*.safetensors").isEmpty() || Files.exists(dir.resolve(SafetensorsWeights.INDEX_FILE));
    }

    private static boolean hasPytorchBin(Path dir) {
        return !glob(dir, "*.bin").isEmpty();
    }

    private static List<Path> glob(Path dir, String pattern) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw new ModelLoadException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }
}
