package dev.sglj.engine.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tensors as safetensors, laid out as the Hugging Face library does: tensors sorted by
 * descending element size then name (so every tensor stays aligned to its element size), the JSON
 * header padded with spaces to a multiple of 8 bytes. Also writes sharded checkpoints with a
 * {@code model.safetensors.index.json}, named as {@code save_pretrained} names them.
 */
public final class SafetensorsWriter {
    private static final long COPY_CHUNK = 1 << 24;

    private SafetensorsWriter() {}

    /** Writes one file holding {@code tensors}, with an optional {@code __metadata__} map (may be empty). */
    public static void write(Path file, Collection<HostTensor> tensors, Map<String, String> metadata) {
        List<HostTensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingInt((HostTensor t) -> -t.dtype().bytes()).thenComparing(HostTensor::name));
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (HostTensor t : sorted) {
            if (header.has(t.name())) {
                throw new IllegalArgumentException("tensor " + t.name() + " given twice");
            }
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", safetensorsName(t.dtype()));
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long end = offset + t.data().byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = headerBytes(header);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, json.length);
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(json));
            for (HostTensor t : sorted) {
                writeSegment(ch, t.data());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static void write(Path file, Collection<HostTensor> tensors) {
        write(file, tensors, Map.of("format", "pt"));
    }

    /**
     * Writes {@code tensors} into {@code dir}: as {@code model.safetensors} when they fit in
     * {@code maxShardBytes}, else as {@code model-0000k-of-0000n.safetensors} shards, filled in the
     * given order, plus {@code model.safetensors.index.json}. Returns the files written.
     */
    public static List<Path> writeSharded(Path dir, List<HostTensor> tensors, long maxShardBytes) {
        List<List<HostTensor>> shards = new ArrayList<>();
        List<HostTensor> current = new ArrayList<>();
        long currentBytes = 0;
        long total = 0;
        for (HostTensor t : tensors) {
            long bytes = t.data().byteSize();
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += bytes;
            total += bytes;
        }
        shards.add(current);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        if (shards.size() == 1) {
            Path file = dir.resolve(SafetensorsWeights.SINGLE_FILE);
            write(file, shards.getFirst());
            return List.of(file);
        }
        List<Path> written = new ArrayList<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path file = dir.resolve(name);
            write(file, shards.get(i));
            written.add(file);
            shards.get(i).forEach(t -> weightMap.put(t.name(), name));
        }
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        weightMap.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> map.put(e.getKey(), e.getValue()));
        Path indexFile = dir.resolve(SafetensorsWeights.INDEX_FILE);
        try {
            Files.writeString(indexFile, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(index) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + indexFile, e);
        }
        written.add(indexFile);
        return written;
    }

    /**
     * Saves a model directory another engine can load: {@code config.json} copied from
     * {@code configJson}, and every tensor of {@code weights} in {@code names()} order, sharded at
     * {@code maxShardBytes}. Returns the files written.
     */
    public static List<Path> writeModel(Path dir, Path configJson, WeightSource weights, long maxShardBytes) {
        List<HostTensor> tensors = weights.names().stream().map(weights::get).toList();
        List<Path> written = new ArrayList<>(writeSharded(dir, tensors, maxShardBytes));
        Path config = dir.resolve(ModelLoader.CONFIG_FILE);
        try {
            Files.copy(configJson, config, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        written.add(config);
        return written;
    }

    private static byte[] headerBytes(ObjectNode header) {
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(raw, 0, out, 0, raw.length);
        for (int i = raw.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    static String safetensorsName(DType dtype) {
        return switch (dtype) {
            case F32 -> "F32";
            case F16 -> "F16";
            case BF16 -> "BF16";
            case I32 -> "I32";
        };
    }

    /** Writes a native segment in place; a heap one (any primitive array) through a byte buffer. */
    private static void writeSegment(FileChannel ch, MemorySegment seg) throws IOException {
        ByteBuffer staging = seg.isNative() ? null : ByteBuffer.allocate((int) Math.min(COPY_CHUNK, seg.byteSize()));
        for (long off = 0; off < seg.byteSize(); off += COPY_CHUNK) {
            long n = Math.min(COPY_CHUNK, seg.byteSize() - off);
            if (staging == null) {
                writeFully(ch, seg.asSlice(off, n).asByteBuffer());
            } else {
                MemorySegment.copy(seg, off, MemorySegment.ofBuffer(staging.clear()), 0, n);
                writeFully(ch, staging.limit((int) n));
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
