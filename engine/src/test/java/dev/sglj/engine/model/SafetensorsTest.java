package dev.sglj.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsTest {
    @TempDir
    Path tmp;

    /** A heap tensor of random bytes. */
    static HostTensor random(String name, DType dtype, long seed, long... shape) {
        byte[] bytes = new byte[(int) (Arrays.stream(shape).reduce(1, Math::multiplyExact) * dtype.bytes())];
        new Random(seed).nextBytes(bytes);
        return new HostTensor(name, dtype, shape, MemorySegment.ofArray(bytes));
    }

    static byte[] bytes(HostTensor t) {
        return t.data().toArray(ValueLayout.JAVA_BYTE);
    }

    static void assertSameTensor(HostTensor actual, HostTensor expected) {
        assertThat(actual.name()).isEqualTo(expected.name());
        assertThat(actual.dtype()).isEqualTo(expected.dtype());
        assertThat(actual.shape()).containsExactly(expected.shape());
        assertThat(bytes(actual)).as(expected.name()).isEqualTo(bytes(expected));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void roundTripSingleFile(DType dtype) {
        List<HostTensor> tensors = List.of(random("b.weight", dtype, 1, 3, 5), random("a.bias", dtype, 2, 7),
                random("c", dtype, 3, 2, 3, 4), random("empty", dtype, 4, 0, 8));
        Path file = tmp.resolve("t.safetensors");
        SafetensorsWriter.write(file, tensors);
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile f = SafetensorsFile.open(file, arena);
            assertThat(f.names()).containsExactlyInAnyOrder("a.bias", "b.weight", "c", "empty");
            for (HostTensor t : tensors) {
                assertSameTensor(f.get(t.name()), t);
            }
        }
    }

    @Test
    void roundTripMixedDtypesKeepsEveryTensorAligned() throws IOException {
        List<HostTensor> tensors = List.of(random("h", DType.BF16, 1, 3), random("f", DType.F32, 2, 5),
                random("g", DType.F16, 3, 1), random("i", DType.I32, 4, 2));
        Path file = tmp.resolve("mixed.safetensors");
        SafetensorsWriter.write(file, tensors);
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLen % 8).isZero();
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile f = SafetensorsFile.open(file, arena);
            for (HostTensor t : tensors) {
                HostTensor read = f.get(t.name());
                assertSameTensor(read, t);
                assertThat(read.data().address() % t.dtype().bytes()).as(t.name()).isZero();
            }
        }
    }

    /** The exact bytes the Hugging Face safetensors library writes for this input. */
    @Test
    void writesTheLibraryLayout() throws IOException {
        HostTensor a = new HostTensor("a", DType.F32, new long[] {2}, MemorySegment.ofArray(new float[] {1f, 2f}));
        HostTensor b = new HostTensor("b", DType.BF16, new long[] {1, 2}, MemorySegment.ofArray(new short[] {0x3f80, 0x4000}));
        Path file = tmp.resolve("golden.safetensors");
        SafetensorsWriter.write(file, List.of(b, a));
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]}}";
        String padded = header + " ".repeat((8 - header.length() % 8) % 8);
        ByteBuffer expected = ByteBuffer.allocate(8 + padded.length() + 12).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(padded.length()).put(padded.getBytes(StandardCharsets.US_ASCII));
        expected.putFloat(1f).putFloat(2f).putShort((short) 0x3f80).putShort((short) 0x4000);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.array());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void roundTripSharded(DType dtype) {
        List<HostTensor> tensors = List.of(random("x.0", dtype, 1, 16, 16), random("x.1", dtype, 2, 16, 16),
                random("x.2", dtype, 3, 16), random("x.3", dtype, 4, 15, 16));
        List<Path> written = SafetensorsWriter.writeSharded(tmp, tensors, 16 * 16 * dtype.bytes());
        assertThat(written.stream().map(p -> p.getFileName().toString())).containsExactly(
                "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", SafetensorsWeights.INDEX_FILE);
        try (SafetensorsWeights w = SafetensorsWeights.open(tmp)) {
            assertThat(w.files()).hasSize(3);
            assertThat(w.names()).containsExactlyInAnyOrder("x.0", "x.1", "x.2", "x.3");
            for (HostTensor t : tensors) {
                assertSameTensor(w.get(t.name(), t.shape()), t);
            }
            assertThat(w.fileOf("x.2").getFileName().toString()).isEqualTo("model-00003-of-00003.safetensors");
        }
    }

    @Test
    void shardedWriterFallsBackToOneFile() {
        List<Path> written = SafetensorsWriter.writeSharded(tmp, List.of(random("w", DType.F32, 1, 4)), 1 << 20);
        assertThat(written).containsExactly(tmp.resolve(SafetensorsWeights.SINGLE_FILE));
    }

    @Test
    void setOfFilesWithoutIndex() {
        HostTensor x = random("x", DType.F16, 1, 4, 4);
        HostTensor y = random("y", DType.F16, 2, 3);
        SafetensorsWriter.write(tmp.resolve("part-a.safetensors"), List.of(x));
        SafetensorsWriter.write(tmp.resolve("part-b.safetensors"), List.of(y));
        try (SafetensorsWeights w = SafetensorsWeights.open(tmp)) {
            assertSameTensor(w.get("x", 4, 4), x);
            assertSameTensor(w.get("y", 3), y);
        }
        SafetensorsWriter.write(tmp.resolve("part-c.safetensors"), List.of(random("x", DType.F16, 3, 4, 4)));
        assertThatThrownBy(() -> SafetensorsWeights.open(tmp)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tensor x appears in both").hasMessageContaining("part-a.safetensors")
                .hasMessageContaining("part-c.safetensors");
    }

    @Test
    void getChecksShapeAndPresence() {
        SafetensorsWriter.write(tmp.resolve(SafetensorsWeights.SINGLE_FILE), List.of(random("w", DType.BF16, 1, 4, 6)));
        try (SafetensorsWeights w = SafetensorsWeights.open(tmp)) {
            assertThatThrownBy(() -> w.get("w", 6, 4)).isInstanceOf(ModelLoadException.class)
                    .hasMessage("tensor w in " + tmp.resolve("model.safetensors") + ": shape [4, 6] but config expects [6, 4]");
            assertThatThrownBy(() -> w.get("v", 4)).isInstanceOf(ModelLoadException.class)
                    .hasMessage("missing tensor v (looked in model.safetensors)");
        }
    }

    /** Writes a raw file: the 8-byte length {@code declaredLen}, then the header text, then {@code dataBytes} zeros. */
    private Path raw(String name, long declaredLen, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLen).put(h);
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static ModelLoadException openFails(Path p) {
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile.open(p, arena);
        } catch (ModelLoadException e) {
            return e;
        }
        throw new AssertionError("opened " + p);
    }

    @Test
    void corruptHeaderJson() throws IOException {
        String header = "{\"w\": {\"dtype\": \"F32\", ";
        Path p = raw("bad-json.safetensors", header.length(), header, 16);
        assertThat(openFails(p).getMessage()).startsWith(p + ": corrupt header: invalid JSON");
    }

    @Test
    void headerLengthPastEndOfFile() throws IOException {
        Path p = raw("bad-len.safetensors", 4096, "{}", 0);
        assertThat(openFails(p).getMessage())
                .isEqualTo(p + ": corrupt header: header length 4096 does not fit the file (10 bytes)");
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThat(openFails(tiny).getMessage()).contains("not a safetensors file");
    }

    @Test
    void truncatedData() throws IOException {
        Path p = tmp.resolve("trunc.safetensors");
        SafetensorsWriter.write(p, List.of(random("a", DType.F32, 1, 4), random("b", DType.F32, 2, 4)));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 3);
        }
        assertThat(openFails(p).getMessage())
                .isEqualTo("tensor b in " + p + ": file truncated: data ends at byte 32 of the data section but only 29 bytes follow the header");
    }

    @Test
    void overlappingAndMisSizedOffsets() throws IOException {
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        Path p = raw("overlap.safetensors", overlap.length(), overlap, 16);
        assertThat(openFails(p).getMessage()).isEqualTo(p + ": corrupt header: tensors a [0, 8) and b [4, 12) overlap");

        String size = "{\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        Path q = raw("size.safetensors", size.length(), size, 8);
        assertThat(openFails(q).getMessage())
                .isEqualTo("tensor a in " + q + ": data_offsets [0,8] span 8 bytes but shape [3] BF16 needs 6");

        String unknown = "{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        Path r = raw("unknown.safetensors", unknown.length(), unknown, 2);
        assertThat(openFails(r).getMessage()).isEqualTo("tensor a in " + r + ": unknown dtype Q4");
    }

    @Test
    void unsupportedDtypeFailsOnlyWhenRead() throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}}";
        Path p = raw("i64.safetensors", header.length(), header, 20);
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile f = SafetensorsFile.open(p, arena);
            assertThat(f.names()).containsExactly("ids", "w");
            assertThat(f.get("w").numel()).isEqualTo(1);
            assertThatThrownBy(() -> f.get("ids")).isInstanceOf(ModelLoadException.class)
                    .hasMessage("tensor ids in " + p + ": dtype I64 is not supported (F32, F16, BF16, I32)");
        }
    }

    @Test
    void indexNamingAMissingShard() throws IOException {
        SafetensorsWriter.writeSharded(tmp, List.of(random("a", DType.F32, 1, 64), random("b", DType.F32, 2, 64)), 256);
        Files.delete(tmp.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> SafetensorsWeights.open(tmp)).isInstanceOf(ModelLoadException.class)
                .hasMessage(tmp.resolve(SafetensorsWeights.INDEX_FILE) + " names shard model-00002-of-00002.safetensors"
                        + " (for tensor b) but " + tmp.resolve("model-00002-of-00002.safetensors") + " does not exist");
    }

    @Test
    void indexNamingATensorItsShardLacks() throws IOException {
        SafetensorsWriter.writeSharded(tmp, List.of(random("a", DType.F32, 1, 64), random("b", DType.F32, 2, 64)), 256);
        Path index = tmp.resolve(SafetensorsWeights.INDEX_FILE);
        Files.writeString(index, Files.readString(index).replace("\"b\" : \"model-00002", "\"b\" : \"model-00001"));
        assertThatThrownBy(() -> SafetensorsWeights.open(tmp)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("puts tensor b in").hasMessageContaining("model-00001-of-00002.safetensors");
    }

    @Test
    void mappedTensorsAreNotCopiedOntoTheHeap() {
        SafetensorsWriter.write(tmp.resolve(SafetensorsWeights.SINGLE_FILE), List.of(random("w", DType.F32, 1, 1024)));
        try (SafetensorsWeights w = SafetensorsWeights.open(tmp)) {
            MemorySegment seg = w.get("w", 1024).data();
            assertThat(seg.isNative()).isTrue();
            assertThat(seg.isMapped()).isTrue();
            assertThat(seg.isReadOnly()).isTrue();
        }
    }

    @Test
    void emptyDirectoryIsNamed() {
        assertThatThrownBy(() -> SafetensorsWeights.open(tmp)).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("no safetensors weights in " + tmp);
    }
}
