package dev.sglj.engine.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file, memory-mapped read-only: an 8-byte little-endian header length,
 * a JSON header naming each tensor's dtype, shape and {@code data_offsets} (relative to the data
 * section that follows the header), then the raw data. Tensors are slices of the mapping; nothing is
 * copied onto the heap. The header is validated at open, so a corrupt or truncated file fails there.
 * Files written by the Hugging Face library pad the header to 8 bytes, so slices are aligned to
 * their element size; a file from another writer may not be, so readers use unaligned layouts.
 */
public final class SafetensorsFile {
    /** The Rust safetensors library's limit on the header size. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path path;
    private final MemorySegment data;
    private final Map<String, Entry> entries;

    /** A header entry: dtype name as written, shape, and byte range within the data section. */
    private record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    private SafetensorsFile(Path path, MemorySegment data, Map<String, Entry> entries) {
        this.path = path;
        this.data = data;
        this.entries = entries;
    }

    /** Maps {@code file} for the lifetime of {@code arena} and validates its header. */
    public static SafetensorsFile open(Path file, Arena arena) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ModelLoadException(file + ": not a safetensors file (" + size + " bytes, shorter than the 8-byte header length)");
            }
            long headerLen = readLong(ch, file);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new ModelLoadException(file + ": corrupt header: header length " + headerLen
                        + " does not fit the file (" + size + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            while (header.hasRemaining()) {
                if (ch.read(header, 8 + header.position()) < 0) {
                    throw new ModelLoadException(file + ": truncated header");
                }
            }
            long dataLen = size - 8 - headerLen;
            Map<String, Entry> entries = parseHeader(new String(header.array(), StandardCharsets.UTF_8), dataLen, file);
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new SafetensorsFile(file, mapped.asSlice(8 + headerLen, dataLen), entries);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("missing weights file " + file, e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static long readLong(FileChannel ch, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, b.position()) < 0) {
                throw new ModelLoadException(file + ": truncated header length");
            }
        }
        return b.getLong(0);
    }

    private static Map<String, Entry> parseHeader(String json, long dataLen, Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new ModelLoadException(file + ": corrupt header: invalid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file + ": corrupt header: not a JSON object");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            entries.put(field.getKey(), parseEntry(field.getKey(), field.getValue(), dataLen, file));
        }
        checkNoOverlap(entries.values(), file);
        return Collections.unmodifiableMap(entries);
    }

    private static Entry parseEntry(String name, JsonNode n, long dataLen, Path file) {
        String where = "tensor " + name + " in " + file;
        JsonNode dtype = n.get("dtype");
        JsonNode shape = n.get("shape");
        JsonNode offsets = n.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray()
                || offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new ModelLoadException(where + ": corrupt header entry " + n);
        }
        int elementBytes = elementBytes(dtype.textValue());
        if (elementBytes == 0) {
            throw new ModelLoadException(where + ": unknown dtype " + dtype.textValue());
        }
        long[] dims = new long[shape.size()];
        long numel = 1;
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.longValue() < 0) {
                throw new ModelLoadException(where + ": corrupt header: bad shape " + shape);
            }
            dims[i] = d.longValue();
            numel = multiply(numel, dims[i], where);
        }
        JsonNode b = offsets.get(0);
        JsonNode e = offsets.get(1);
        if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong()) {
            throw new ModelLoadException(where + ": corrupt header: bad data_offsets " + offsets);
        }
        long begin = b.longValue();
        long end = e.longValue();
        if (begin < 0 || end < begin) {
            throw new ModelLoadException(where + ": corrupt header: bad data_offsets " + offsets);
        }
        long expected = multiply(numel, elementBytes, where);
        if (end - begin != expected) {
            throw new ModelLoadException(where + ": data_offsets " + offsets + " span " + (end - begin)
                    + " bytes but shape " + Arrays.toString(dims) + " " + dtype.textValue() + " needs " + expected);
        }
        if (end > dataLen) {
            throw new ModelLoadException(where + ": file truncated: data ends at byte " + end
                    + " of the data section but only " + dataLen + " bytes follow the header");
        }
        return new Entry(name, dtype.textValue(), dims, begin, end);
    }

    private static long multiply(long a, long b, String where) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException ex) {
            throw new ModelLoadException(where + ": corrupt header: tensor size overflows");
        }
    }

    private static void checkNoOverlap(Iterable<Entry> entries, Path file) {
        List<Entry> sorted = new ArrayList<>();
        entries.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry prev = sorted.get(i - 1);
            Entry cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new ModelLoadException(file + ": corrupt header: tensors " + prev.name() + " [" + prev.begin()
                        + ", " + prev.end() + ") and " + cur.name() + " [" + cur.begin() + ", " + cur.end() + ") overlap");
            }
        }
    }

    /** Bytes per element of a safetensors dtype name; 0 if unknown. */
    static int elementBytes(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "F8_E8M0" -> 1;
            default -> 0;
        };
    }

    public Path path() {
        return path;
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** The shape recorded in the header, or null when the file has no such tensor. */
    public long[] shape(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.shape().clone();
    }

    /** The dtype name the header records ("BF16", "I64", ...), or null when the file has no such tensor. */
    public String dtypeName(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.dtype();
    }

    /** The tensor as a slice of the mapping. */
    public HostTensor get(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new ModelLoadException("missing tensor " + name + " (looked in " + path + ")");
        }
        DType dtype = DType.fromSafetensors(e.dtype());
        if (dtype == null) {
            throw new ModelLoadException("tensor " + name + " in " + path + ": dtype " + e.dtype()
                    + " is not supported (F32, F16, BF16, I32)");
        }
        return new HostTensor(name, dtype, e.shape().clone(), data.asSlice(e.begin(), e.end() - e.begin()));
    }
}
