package dev.sglj.engine.model;

import dev.sglj.engine.compute.Backend;
import dev.sglj.engine.compute.Tensor;

/**
 * Cos/sin tables for the rotate-half RoPE, laid out as {@link Backend#rope} reads them: per row,
 * {@code headDim/2} cosines then {@code headDim/2} sines, already multiplied by the scaling's
 * attention factor. Position-indexed and grown on demand for every scaling but dynamic NTK, whose
 * frequencies depend on the request's length: those rows are built per forward pass.
 */
final class RotaryEmbedding implements AutoCloseable {
    private final Backend backend;
    private final RopeScaling scaling;
    private final int headDim;
    private final int maxPositionEmbeddings;
    private final float[] baseInvFreq;
    private Tensor table;
    private int tableRows;

    RotaryEmbedding(Backend backend, ModelConfig config) {
        this.backend = backend;
        this.scaling = config.rope();
        this.headDim = config.headDim();
        this.maxPositionEmbeddings = config.maxPositionEmbeddings();
        this.baseInvFreq = toFloat(scaling.invFreq(headDim, 1));
    }

    /** The table and the row of it each token reads, for a batch. */
    record Rows(Tensor table, Tensor positions, boolean temporary) {}

    Rows rowsFor(ForwardBatch batch) {
        if (needsPerRequestFrequencies(batch)) {
            return perTokenRows(batch);
        }
        int maxPos = 0;
        for (int p : batch.positions()) maxPos = Math.max(maxPos, p);
        ensureRows(maxPos + 1);
        return new Rows(table, backend.ints(batch.positions()), false);
    }

    /**
     * The position-indexed table grown to at least {@code rows} rows, for passes whose inputs are
     * fixed device buffers (a captured graph keeps this tensor's address: it is never regrown for
     * positions below {@code rows}).
     */
    Tensor positionTable(int rows) {
        ensureRows(rows);
        return table;
    }

    /** Whether the batch reads the position-indexed table (all but dynamic NTK past the trained length). */
    boolean usesPositionTable(ForwardBatch batch) {
        return !needsPerRequestFrequencies(batch);
    }

    private boolean needsPerRequestFrequencies(ForwardBatch batch) {
        if (!(scaling instanceof RopeScaling.Dynamic)) return false;
        for (int len : batch.ropeSeqLens()) {
            if (len > maxPositionEmbeddings) return true;
        }
        return false;
    }

    /** HF's dynamic NTK recomputes frequencies from the sequence length seen in the forward pass. */
    private Rows perTokenRows(ForwardBatch batch) {
        int n = batch.numTokens();
        float[] rows = new float[n * headDim];
        int token = 0;
        for (int r = 0; r < batch.numRequests(); r++) {
            float[] invFreq = toFloat(scaling.invFreq(headDim, batch.ropeSeqLens()[r]));
            for (int j = 0; j < batch.extendSeqLens()[r]; j++, token++) {
                fillRow(rows, token, batch.positions()[token], invFreq);
            }
        }
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) identity[i] = i;
        return new Rows(upload(rows, n), backend.ints(identity), true);
    }

    private void ensureRows(int needed) {
        if (needed <= tableRows) return;
        int rowsWanted = Math.max(needed, Math.max(2 * tableRows, Math.min(maxPositionEmbeddings, 4096)));
        float[] rows = new float[rowsWanted * headDim];
        for (int p = 0; p < rowsWanted; p++) fillRow(rows, p, p, baseInvFreq);
        if (table != null) backend.free(table);
        table = upload(rows, rowsWanted);
        tableRows = rowsWanted;
    }

    private void fillRow(float[] rows, int row, int position, float[] invFreq) {
        int half = headDim / 2;
        double factor = scaling.attentionFactor();
        int base = row * headDim;
        for (int i = 0; i < half; i++) {
            float angle = (float) position * invFreq[i];
            rows[base + i] = (float) (Math.cos(angle) * factor);
            rows[base + half + i] = (float) (Math.sin(angle) * factor);
        }
    }

    private Tensor upload(float[] rows, int n) {
        return backend.floats(rows, n, headDim);
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (float) values[i];
        return out;
    }

    void release(Rows rows) {
        backend.free(rows.positions());
        if (rows.temporary()) backend.free(rows.table());
    }

    @Override
    public void close() {
        if (table != null) backend.free(table);
    }
}
