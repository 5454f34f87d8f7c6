package dev.sglj.engine.compute.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Allocation, host transfers, embedding, storeKv, gatherRows (all exact) and input checks. */
class DataMovementTest {
    private static CpuBackend backend;
    private static Arena arena;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
        arena = Arena.ofShared();
    }

    @AfterAll
    static void stop() {
        backend.close();
        arena.close();
    }

    @Test
    void allocateIsZeroFilledAndFreeReleases() {
        Tensor t = backend.allocate(DType.F32, 3, 1001);
        assertThat(t.shape()).containsExactly(3, 1001);
        assertThat(backend.toHost(t)).containsOnly(0f).hasSize(3003);
        Tensor ints = backend.allocate(DType.I32, 17);
        assertThat(((CpuTensor) ints).data().toArray(ValueLayout.JAVA_INT)).containsOnly(0);
        backend.free(t);
        assertThatThrownBy(() -> backend.toHost(t)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("freed");
        assertThatThrownBy(() -> backend.free(t)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void freedMemoryIsReusedZeroFilled() {
        float[] ones = new float[1000];
        Arrays.fill(ones, 1f);
        CpuTensor a = (CpuTensor) backend.floats(ones, 10, 100);
        long address = a.data().address();
        backend.free(a);
        CpuTensor b = (CpuTensor) backend.allocate(DType.F32, 10, 100);
        assertThat(b.data().address()).isEqualTo(address);
        assertThat(backend.toHost(b)).containsOnly(0f);
        assertThatThrownBy(a::data).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void intsFloatsAndWriteInts() {
        Tensor t = backend.ints(new int[] {1, 2, 3, 4, 5});
        backend.writeInts(t, 1, new int[] {9, 8, 7}, 1, 2);
        assertThat(((CpuTensor) t).data().toArray(ValueLayout.JAVA_INT)).containsExactly(1, 8, 7, 4, 5);
        assertThatThrownBy(() -> backend.writeInts(t, 4, new int[] {1, 2}, 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
        float[] values = {1.5f, -2f, 3f, 4f, 5f, 6f};
        assertThat(backend.toHost(backend.floats(values, 2, 3))).containsExactly(values);
        assertThatThrownBy(() -> backend.floats(values, 4, 2)).hasMessageContaining("6 values for shape [4, 2]");
    }

    @Test
    void scatterIntsSetsEachOffset() {
        Tensor t = backend.ints(new int[] {1, 2, 3, 4, 5, 6});
        backend.scatterInts(t, new int[] {5, 0, 3}, new int[] {50, 10, 40});
        assertThat(((CpuTensor) t).data().toArray(ValueLayout.JAVA_INT)).containsExactly(10, 2, 3, 40, 5, 50);
        assertThatThrownBy(() -> backend.scatterInts(t, new int[] {6}, new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 6 outside [0, 6)");
        assertThatThrownBy(() -> backend.scatterInts(t, new int[] {1, 2}, new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 offsets for 1 values");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void embeddingLooksUpRowsOfAnyDtype(DType dtype) {
        Random random = new Random(7);
        int vocab = 50, hidden = 77;
        float[] table = TestData.roundTo(dtype, TestData.uniform(random, vocab * hidden, 4f));
        int[] ids = {3, 49, 0, 3, 17};
        Tensor out = backend.allocate(DType.F32, ids.length, hidden);
        backend.embedding(backend.weight(TestData.host(arena, "embed", dtype, table, vocab, hidden)),
                backend.ints(ids), out);
        float[] expected = new float[ids.length * hidden];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(table, ids[i] * hidden, expected, i * hidden, hidden);
        }
        assertThat(backend.toHost(out)).containsExactly(expected);
    }

    @Test
    void embeddingRejectsIdsOutsideTheVocabulary() {
        Tensor table = backend.weight(TestData.host(arena, "embed_tokens", DType.F32, new float[20], 5, 4));
        Tensor out = backend.allocate(DType.F32, 2, 4);
        assertThatThrownBy(() -> backend.embedding(table, backend.ints(new int[] {1, 5}), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("embedding: ids[1] = 5 outside [0, 5)");
    }

    @Test
    void qkvToCacheWritesKvRowsToSlots() {
        Random random = new Random(8);
        int slots = 20, heads = 2, kvHeads = 2, headDim = 12, width = kvHeads * headDim;
        int row = (heads + 2 * kvHeads) * headDim;
        float[] qkv = TestData.uniform(random, 3 * row, 1f);
        float[] identity = new float[headDim];
        Arrays.fill(identity, 0, headDim / 2, 1f);
        int[] loc = {17, 2, 9};
        Tensor kc = backend.allocate(DType.F32, slots, width);
        Tensor vc = backend.allocate(DType.F32, slots, width);
        Tensor q = backend.allocate(DType.F32, 3, heads * headDim);
        Tensor table = backend.floats(identity, 1, headDim);
        backend.qkvToCache(backend.floats(qkv, 3, row), heads, kvHeads, headDim, null, null, 1e-6f,
                backend.ints(new int[3]), table, q, kc, vc, backend.ints(loc));
        float[] qh = backend.toHost(q);
        float[] kh = backend.toHost(kc);
        float[] vh = backend.toHost(vc);
        int qWidth = heads * headDim;
        for (int n = 0; n < loc.length; n++) {
            assertThat(Arrays.copyOfRange(qh, n * qWidth, (n + 1) * qWidth))
                    .containsExactly(Arrays.copyOfRange(qkv, n * row, n * row + qWidth));
            assertThat(Arrays.copyOfRange(kh, loc[n] * width, (loc[n] + 1) * width))
                    .containsExactly(Arrays.copyOfRange(qkv, n * row + qWidth, n * row + qWidth + width));
            assertThat(Arrays.copyOfRange(vh, loc[n] * width, (loc[n] + 1) * width))
                    .containsExactly(Arrays.copyOfRange(qkv, n * row + qWidth + width, (n + 1) * row));
        }
        assertThat(kh[0]).isZero();
        assertThatThrownBy(() -> backend.qkvToCache(backend.floats(qkv, 3, row), heads, kvHeads, headDim, null, null,
                1e-6f, backend.ints(new int[3]), table, q, kc, vc, backend.ints(new int[] {0, 1, 20})))
                .hasMessageContaining("outCacheLoc[2] = 20 outside [0, 20)");
        assertThatThrownBy(() -> backend.qkvToCache(backend.floats(qkv, 3, row), heads, kvHeads, headDim, null, null,
                1e-6f, backend.ints(new int[] {0, 1, 0}), table, q, kc, vc, backend.ints(loc)))
                .hasMessageContaining("positions[1] = 1 outside [0, 1)");
    }

    @Test
    void gatherRowsCopiesSelectedRows() {
        float[] x = new float[6 * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        Tensor out = backend.allocate(DType.F32, 3, 5);
        backend.gatherRows(backend.floats(x, 6, 5), backend.ints(new int[] {5, 0, 5}), out);
        assertThat(backend.toHost(out)).containsExactly(25, 26, 27, 28, 29, 0, 1, 2, 3, 4, 25, 26, 27, 28, 29);
        Tensor ints = backend.ints(new int[] {10, 11, 20, 21});
        Tensor intsOut = backend.allocate(DType.I32, 1, 2);
        Tensor twoRows = backend.allocate(DType.I32, 2, 2);
        backend.writeInts(twoRows, 0, new int[] {10, 11, 20, 21}, 0, 4);
        backend.gatherRows(twoRows, backend.ints(new int[] {1}), intsOut);
        assertThat(((CpuTensor) intsOut).data().toArray(ValueLayout.JAVA_INT)).containsExactly(20, 21);
        assertThatThrownBy(() -> backend.gatherRows(ints, backend.ints(new int[] {0}), out))
                .hasMessageContaining("gatherRows: out");
    }

    @Test
    void rejectsForeignAndWronglyTypedTensors() {
        Tensor ints = backend.ints(new int[] {1});
        assertThatThrownBy(() -> backend.toHost(ints)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("toHost: t tensor I32[1] must be one of [F32, BF16, F16]");
        assertThatThrownBy(() -> backend.free(null)).hasMessageContaining("free: t is null");
    }
}
