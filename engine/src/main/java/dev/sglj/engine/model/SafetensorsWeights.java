package dev.sglj.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.engine.compute.HostTensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The safetensors weights of a model directory, memory-mapped: {@code model.safetensors}; or the
 * shards a {@code model.safetensors.index.json} names in its {@code weight_map}; or, with neither,
 * every {@code *.safetensors} file in the directory (as SGLang accepts). The mappings live until
 * {@link #close()}.
 */
public final class SafetensorsWeights implements WeightSource {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Arena arena;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName;

    private SafetensorsWeights(Arena arena, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.arena = arena;
        this.files = files;
        this.byName = byName;
    }

    /** Opens the weights of {@code dir}; fails naming the file or tensor when a shard is missing or corrupt. */
    public static SafetensorsWeights open(Path dir) {
        Arena arena = Arena.ofShared();
        try {
            Path index = dir.resolve(INDEX_FILE);
            if (Files.exists(index)) {
                return fromIndex(arena, index);
            }
            Path single = dir.resolve(SINGLE_FILE);
            List<Path> paths = Files.exists(single) ? List.of(single) : listSafetensors(dir);
            if (paths.isEmpty()) {
                throw new ModelLoadException("no safetensors weights in " + dir + " (expected " + SINGLE_FILE
                        + ", " + INDEX_FILE + " or *.safetensors)");
            }
            List<SafetensorsFile> files = new ArrayList<>();
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p, arena);
                files.add(f);
                for (String name : f.names()) {
                    SafetensorsFile prev = byName.putIfAbsent(name, f);
                    if (prev != null) {
                        throw new ModelLoadException("tensor " + name + " appears in both " + prev.path() + " and " + p);
                    }
                }
            }
            return new SafetensorsWeights(arena, files, Collections.unmodifiableMap(byName));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static SafetensorsWeights fromIndex(Arena arena, Path index) {
        JsonNode weightMap = Json.field(Json.readObject(index), "weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new ModelLoadException(index + ": missing 'weight_map' object");
        }
        Map<String, SafetensorsFile> shards = new TreeMap<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            String tensor = e.getKey();
            if (!e.getValue().isTextual()) {
                throw new ModelLoadException(index + ": weight_map entry for " + tensor + " must name a file");
            }
            String shardName = e.getValue().textValue();
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                Path shardPath = index.resolveSibling(shardName);
                if (!Files.isRegularFile(shardPath)) {
                    throw new ModelLoadException(index + " names shard " + shardName + " (for tensor " + tensor
                            + ") but " + shardPath + " does not exist");
                }
                shard = SafetensorsFile.open(shardPath, arena);
                shards.put(shardName, shard);
            }
            if (!shard.has(tensor)) {
                throw new ModelLoadException(index + " puts tensor " + tensor + " in " + shard.path()
                        + " but that file does not hold it");
            }
            byName.put(tensor, shard);
        }
        return new SafetensorsWeights(arena, List.copyOf(shards.values()), Collections.unmodifiableMap(byName));
    }

    private static List<Path> listSafetensors(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("model path " + dir + " is not a directory");
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.safetensors")) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw new ModelLoadException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    /** The files these weights come from, in load order. */
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    @Override
    public Set<String> names() {
        return byName.keySet();
    }

    @Override
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The stored shape of {@code name}, or null when absent; reads no data. */
    public long[] shape(String name) {
        SafetensorsFile f = byName.get(name);
        return f == null ? null : f.shape(name);
    }

    /** The dtype name the header records for {@code name}, or null when absent; reads no data. */
    public String dtypeName(String name) {
        SafetensorsFile f = byName.get(name);
        return f == null ? null : f.dtypeName(name);
    }

    /** The file holding {@code name}, or null when absent. */
    @Override
    public Path fileOf(String name) {
        SafetensorsFile f = byName.get(name);
        return f == null ? null : f.path();
    }

    @Override
    public HostTensor get(String name, long... expectedShape) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new ModelLoadException("missing tensor " + name + " (looked in " + fileNames() + ")");
        }
        long[] actual = f.shape(name);
        if (expectedShape.length > 0 && !Arrays.equals(actual, expectedShape)) {
            throw new ModelLoadException(shapeMismatch(name, f.path(), actual, expectedShape));
        }
        return f.get(name);
    }

    static String shapeMismatch(String name, Object where, long[] actual, long[] expected) {
        return "tensor " + name + " in " + where + ": shape " + Arrays.toString(actual) + " but config expects "
                + Arrays.toString(expected);
    }

    private String fileNames() {
        return files.stream().map(f -> f.path().getFileName().toString()).collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        arena.close();
    }
}
