package dev.sglj.engine.tokenizer.template;

import java.util.AbstractList;
import java.util.List;

/** Python's lazy {@code range}: iterates like a list, prints as {@code range(start, stop[, step])}. */
final class PyRange extends AbstractList<Object> {
    final long start;
    final long stop;
    final long step;
    private final int size;

    PyRange(long start, long stop, long step) {
        this.start = start;
        this.stop = stop;
        this.step = step;
        long n = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        this.size = (int) Math.max(0, n);
    }

    @Override
    public Object get(int index) {
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException(index);
        return start + index * step;
    }

    @Override
    public int size() {
        return size;
    }

    /** {@code self[a:b:c]}, which Python answers with another range. */
    PyRange slice(Long a, Long b, Long c) {
        long sliceStep = c == null ? 1 : c;
        List<Integer> idx = Values.sliceIndices(size, a, b, c);
        long first = idx.isEmpty() ? boundIndex(a, sliceStep) : idx.getFirst();
        long newStart = start + first * step;
        long newStop = start + (first + (long) idx.size() * sliceStep) * step;
        return new PyRange(newStart, newStop, step * sliceStep);
    }

    private long boundIndex(Long a, long sliceStep) {
        if (a == null) return sliceStep > 0 ? 0 : size - 1;
        long i = a < 0 ? a + size : a;
        return Math.max(sliceStep > 0 ? 0 : -1, Math.min(sliceStep > 0 ? size : size - 1, i));
    }

    @Override
    public String toString() {
        return "range(" + start + ", " + stop + (step == 1 ? "" : ", " + step) + ")";
    }
}
