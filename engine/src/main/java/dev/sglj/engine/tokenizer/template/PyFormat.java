package dev.sglj.engine.tokenizer.template;

import java.util.List;

/** Python's printf-style {@code str % args} for the conversions templates use: s, r, d, i, f, %. */
final class PyFormat {
    private PyFormat() {
    }

    static String percent(String fmt, Object args) {
        List<?> values = args instanceof TupleList t ? t : List.of(args == null ? NONE : args);
        StringBuilder b = new StringBuilder();
        int next = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            if (++i >= fmt.length()) throw TemplateException.runtime("incomplete format");
            char conv = fmt.charAt(i);
            if (conv == '%') {
                b.append('%');
                continue;
            }
            if (next >= values.size()) throw TemplateException.runtime("not enough arguments for format string");
            Object v = values.get(next++);
            v = v == NONE ? null : v;
            switch (conv) {
                case 's' -> b.append(Values.str(v));
                case 'r' -> b.append(Values.repr(v));
                case 'd', 'i' -> {
                    if (!Values.isNumber(v)) {
                        throw TemplateException.runtime("%" + conv + " format: a real number is required, not "
                                + Values.typeName(v));
                    }
                    b.append(v instanceof Double d ? (long) d.doubleValue() : Values.toLong(v));
                }
                case 'f' -> b.append(String.format(java.util.Locale.ROOT, "%.6f", Values.toDouble(v)));
                default -> throw TemplateException.runtime("unsupported format character '" + conv + "'");
            }
        }
        if (next < values.size()) {
            throw TemplateException.runtime("not all arguments converted during string formatting");
        }
        return b.toString();
    }

    private static final Object NONE = new Object();
}
