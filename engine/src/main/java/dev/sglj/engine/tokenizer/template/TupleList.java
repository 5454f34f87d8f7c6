package dev.sglj.engine.tokenizer.template;

import java.util.AbstractList;
import java.util.List;

/** An immutable sequence that Python would print as a tuple, e.g. the pairs of {@code dict.items()}. */
final class TupleList extends AbstractList<Object> {
    private final List<Object> items;

    TupleList(List<Object> items) {
        this.items = items;
    }

    static TupleList of(Object... items) {
        return new TupleList(java.util.Arrays.asList(items));
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }
}
