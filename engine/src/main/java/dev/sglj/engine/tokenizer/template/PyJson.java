package dev.sglj.engine.tokenizer.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii, indent, separators, sort_keys)}, which transformers installs as the
 * {@code tojson} filter: {@code ", "} and {@code ": "} without indent, {@code ","} and {@code ": "} with it.
 */
final class PyJson {
    private final boolean ensureAscii;
    private final String indent;
    private final String itemSep;
    private final String keySep;
    private final boolean sortKeys;

    private PyJson(boolean ensureAscii, String indent, String itemSep, String keySep, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSep = itemSep;
        this.keySep = keySep;
        this.sortKeys = sortKeys;
    }

    /** indent: null, a Long (spaces) or a String; separators: null or a two-item sequence. */
    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        String ind = switch (indent) {
            case null -> null;
            case Long n -> " ".repeat((int) Math.max(0, n));
            case String s -> s;
            default -> throw TemplateException.runtime("tojson: indent must be an int or a string");
        };
        String item = ind == null ? ", " : ",";
        String key = ": ";
        if (separators instanceof List<?> seps && seps.size() == 2) {
            item = Values.str(seps.get(0));
            key = Values.str(seps.get(1));
        } else if (separators != null) {
            throw TemplateException.runtime("tojson: separators must be a pair of strings");
        }
        StringBuilder b = new StringBuilder();
        new PyJson(ensureAscii, ind, item, key, sortKeys).write(b, value, 0);
        return b.toString();
    }

    private void newline(StringBuilder b, int level) {
        if (indent != null) b.append('\n').append(indent.repeat(level));
    }

    private void write(StringBuilder b, Object v, int level) {
        switch (v) {
            case null -> b.append("null");
            case Boolean x -> b.append(x ? "true" : "false");
            case Long x -> b.append(x);
            case Double x -> b.append(Double.isNaN(x) ? "NaN" : Double.isInfinite(x) ? (x > 0 ? "Infinity"
                    : "-Infinity") : Values.floatRepr(x));
            case String s -> writeString(b, s);
            case PyRange r -> throw notSerializable("range");
            case List<?> l -> {
                if (l.isEmpty()) {
                    b.append("[]");
                    return;
                }
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) b.append(itemSep);
                    newline(b, level + 1);
                    write(b, l.get(i), level + 1);
                }
                newline(b, level);
                b.append(']');
            }
            case Map<?, ?> m -> writeObject(b, m, level);
            case Namespace n -> throw notSerializable("Namespace");
            default -> throw notSerializable(Values.typeName(v));
        }
    }

    private static TemplateException notSerializable(String type) {
        return TemplateException.runtime("Object of type " + type + " is not JSON serializable");
    }

    private void writeObject(StringBuilder b, Map<?, ?> m, int level) {
        if (m.isEmpty()) {
            b.append("{}");
            return;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : m.entrySet()) entries.add(Map.entry(keyString(e.getKey()), boxNull(e.getValue())));
        if (sortKeys) entries.sort(Map.Entry.comparingByKey());
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : entries) {
            if (!first) b.append(itemSep);
            first = false;
            newline(b, level + 1);
            writeString(b, e.getKey());
            b.append(keySep);
            write(b, e.getValue() == NULL ? null : e.getValue(), level + 1);
        }
        newline(b, level);
        b.append('}');
    }

    private static final Object NULL = new Object();

    private static Object boxNull(Object v) {
        return v == null ? NULL : v;
    }

    private static String keyString(Object k) {
        return switch (k) {
            case String s -> s;
            case null -> "null";
            case Boolean x -> x ? "true" : "false";
            case Long x -> x.toString();
            case Double x -> Values.floatRepr(x);
            default -> throw TemplateException.runtime("keys must be str, int, float, bool or None, not "
                    + Values.typeName(k));
        };
    }

    private void writeString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
