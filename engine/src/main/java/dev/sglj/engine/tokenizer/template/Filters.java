package dev.sglj.engine.tokenizer.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Jinja's built-in filters (filters.py) that chat templates use, plus transformers' {@code tojson}. */
final class Filters {
    private static final Set<String> SUPPORTED = Set.of("abs", "capitalize", "center", "count", "d", "default",
            "dictsort", "e", "escape", "first", "float", "indent", "int", "items", "join", "last", "length", "list",
            "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
            "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount");
    private static final Set<String> JINJA_ONLY = Set.of("attr", "batch", "filesizeformat", "forceescape", "format",
            "groupby", "pprint", "random", "slice", "striptags", "truncate", "urlencode", "urlize", "wordwrap",
            "xmlattr");
    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);

    private Filters() {
    }

    static boolean exists(String name) {
        return SUPPORTED.contains(name) || JINJA_ONLY.contains(name);
    }

    /** Bound call arguments: positional by index, else keyword by name, else the default. */
    record Call(List<Object> args, Map<String, Object> kwargs) {
        Object get(int i, String name, Object dflt) {
            if (i < args.size()) return args.get(i);
            return kwargs.containsKey(name) ? kwargs.get(name) : dflt;
        }

        boolean flag(int i, String name) {
            return Values.truthy(get(i, name, false));
        }
    }

    static Object apply(String name, Object v, Call c) {
        if (JINJA_ONLY.contains(name)) {
            throw TemplateException.runtime("the '" + name + "' filter is not supported in chat templates");
        }
        return switch (name) {
            case "abs" -> v instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(Values.toLong(requireNumber(v, name)));
            case "capitalize" -> PyStrings.capitalize(Values.str(v));
            case "center" -> center(Values.str(v), (int) Values.toLong(c.get(0, "width", 80L)));
            case "count", "length" -> (long) Values.length(v);
            case "d", "default" -> v instanceof Undefined || (c.flag(1, "boolean") && !Values.truthy(v))
                    ? c.get(0, "default_value", "") : v;
            case "dictsort" -> dictsort(v, c);
            case "e", "escape" -> escape(Values.str(v));
            case "first" -> {
                List<Object> items = Values.iterate(v);
                yield items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.getFirst();
            }
            case "last" -> {
                List<Object> items = Values.iterate(v);
                yield items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.getLast();
            }
            case "float" -> toFloat(v, c.get(0, "default", 0.0));
            case "indent" -> indent(Values.str(v), c);
            case "int" -> toInt(v, c.get(0, "default", 0L), Values.toLong(c.get(1, "base", 10L)));
            case "items" -> items(v);
            case "join" -> join(v, c);
            case "list" -> new ArrayList<>(Values.iterate(v));
            case "lower" -> PyStrings.lower(Values.str(v));
            case "upper" -> PyStrings.upper(Values.str(v));
            case "map" -> map(v, c);
            case "max", "min" -> minMax(v, c, name.equals("max"));
            case "select", "reject" -> selectOrReject(v, c, name.equals("select"), false);
            case "selectattr", "rejectattr" -> selectOrReject(v, c, name.equals("selectattr"), true);
            case "replace" -> PyStrings.replace(Values.str(v), Values.str(c.get(0, "old", "")),
                    Values.str(c.get(1, "new", "")), c.get(2, "count", null) == null ? -1
                            : Values.toLong(c.get(2, "count", null)));
            case "reverse" -> reverse(v);
            case "round" -> round(v, (int) Values.toLong(c.get(0, "precision", 0L)),
                    Values.str(c.get(1, "method", "common")));
            case "safe", "string" -> v instanceof Undefined ? "" : Values.str(v);
            case "sort" -> sort(v, c);
            case "sum" -> sum(v, c);
            case "title" -> title(Values.str(v));
            case "tojson" -> PyJson.dumps(v, c.flag(0, "ensure_ascii"), c.get(1, "indent", null),
                    c.get(2, "separators", null), c.flag(3, "sort_keys"));
            case "trim" -> PyStrings.strip(Values.str(v), c.get(0, "chars", null) == null ? null
                    : Values.str(c.get(0, "chars", null)));
            case "unique" -> unique(v, c);
            case "wordcount" -> {
                Matcher m = WORD.matcher(Values.str(v));
                long n = 0;
                while (m.find()) n++;
                yield n;
            }
            default -> throw TemplateException.runtime("No filter named '" + name + "'.");
        };
    }

    private static Object requireNumber(Object v, String filter) {
        if (v instanceof Undefined u) throw u.fail();
        if (!Values.isNumber(v)) throw TemplateException.runtime("bad operand type for " + filter + "(): '"
                + Values.typeName(v) + "'");
        return v;
    }

    private static String center(String s, int width) {
        int n = PyStrings.length(s);
        if (width <= n) return s;
        int total = width - n;
        int left = total / 2 + (total & width & 1);
        return " ".repeat(left) + s + " ".repeat(total - left);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;")
                .replace("'", "&#39;");
    }

    private static Object toFloat(Object v, Object dflt) {
        if (v instanceof Double d) return d;
        if (Values.isInt(v)) return (double) Values.toLong(v);
        if (v instanceof String s) {
            try {
                return Double.parseDouble(PyStrings.strip(s, null).replace("_", ""));
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return dflt;
    }

    private static Object toInt(Object v, Object dflt, long base) {
        if (v instanceof Double d) return (long) d.doubleValue();
        if (Values.isInt(v)) return Values.toLong(v);
        if (v instanceof String s) {
            String t = PyStrings.strip(s, null).replace("_", "");
            try {
                return Long.parseLong(t, (int) base);
            } catch (NumberFormatException e) {
                try {
                    return (long) Double.parseDouble(t);
                } catch (NumberFormatException e2) {
                    return dflt;
                }
            }
        }
        return dflt;
    }

    private static String indent(String s, Call c) {
        Object width = c.get(0, "width", 4L);
        String ind = width instanceof String w ? w : " ".repeat((int) Values.toLong(width));
        boolean first = c.flag(1, "first");
        boolean blank = c.flag(2, "blank");
        List<Object> lines = PyStrings.splitlines(s + "\n");
        StringBuilder rv = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) rv.append(i > 0 ? "\n" + ind : "").append(lines.get(i));
        } else {
            rv.append(lines.getFirst());
            for (int i = 1; i < lines.size(); i++) {
                String line = (String) lines.get(i);
                rv.append('\n').append(line.isEmpty() ? line : ind + line);
            }
        }
        return first ? ind + rv : rv.toString();
    }

    private static List<Object> items(Object v) {
        if (v instanceof Undefined) return List.of();
        if (!(v instanceof Map<?, ?> m)) throw TemplateException.runtime("Can only get item pairs from a mapping.");
        List<Object> out = new ArrayList<>(m.size());
        m.forEach((k, x) -> out.add(TupleList.of(k, x)));
        return out;
    }

    /** Jinja's make_attrgetter: dotted path of item lookups, integer parts as indices. */
    static Object attribute(Object item, String path) {
        Object cur = item;
        for (String part : path.split("\\.")) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part)
                    : part;
            cur = Access.getitem(cur, key);
        }
        return cur;
    }

    private static String join(Object v, Call c) {
        String sep = Values.str(c.get(0, "d", ""));
        Object attr = c.get(1, "attribute", null);
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (Object x : Values.iterate(v)) {
            if (!first) b.append(sep);
            first = false;
            b.append(Values.str(attr == null ? x : attribute(x, Values.str(attr))));
        }
        return b.toString();
    }

    private static List<Object> map(Object v, Call c) {
        List<Object> out = new ArrayList<>();
        Object attr = c.kwargs().get("attribute");
        if (attr != null) {
            Object dflt = c.kwargs().get("default");
            for (Object x : Values.iterate(v)) {
                Object y = attribute(x, Values.str(attr));
                out.add(y instanceof Undefined && c.kwargs().containsKey("default") ? dflt : y);
            }
            return out;
        }
        if (c.args().isEmpty()) throw TemplateException.runtime("map requires a filter argument");
        String filter = Values.str(c.args().getFirst());
        if (!exists(filter)) throw TemplateException.runtime("No filter named '" + filter + "'.");
        Call rest = new Call(c.args().subList(1, c.args().size()), Map.of());
        for (Object x : Values.iterate(v)) out.add(apply(filter, x, rest));
        return out;
    }

    private static List<Object> selectOrReject(Object v, Call c, boolean select, boolean byAttribute) {
        List<Object> args = c.args();
        String attr = byAttribute ? Values.str(args.getFirst()) : null;
        int testAt = byAttribute ? 1 : 0;
        String test = args.size() > testAt ? Values.str(args.get(testAt)) : null;
        if (test != null && !Tests.exists(test)) throw TemplateException.runtime("No test named '" + test + "'.");
        List<Object> testArgs = args.size() > testAt + 1 ? args.subList(testAt + 1, args.size()) : List.of();
        List<Object> out = new ArrayList<>();
        for (Object x : Values.iterate(v)) {
            Object subject = attr == null ? x : attribute(x, attr);
            boolean ok = test == null ? Values.truthy(subject) : Tests.apply(test, subject, testArgs);
            if (ok == select) out.add(x);
        }
        return out;
    }

    private static Object reverse(Object v) {
        if (v instanceof String s) return PyStrings.slice(s, null, null, -1L);
        List<Object> out = new ArrayList<>(Values.iterate(v));
        java.util.Collections.reverse(out);
        return out;
    }

    private static double round(Object v, int precision, String method) {
        double d = Values.toDouble(requireNumber(v, "round"));
        RoundingMode mode = switch (method) {
            case "common" -> RoundingMode.HALF_EVEN;
            case "ceil" -> RoundingMode.CEILING;
            case "floor" -> RoundingMode.FLOOR;
            default -> throw TemplateException.runtime("method must be common, ceil or floor");
        };
        if (Double.isNaN(d) || Double.isInfinite(d)) return d;
        return new BigDecimal(d).setScale(precision, mode).doubleValue();
    }

    private static Comparator<Object> ordering(boolean caseSensitive, Object attr) {
        return (a, b) -> {
            Object x = attr == null ? a : attribute(a, Values.str(attr));
            Object y = attr == null ? b : attribute(b, Values.str(attr));
            if (!caseSensitive && x instanceof String s) x = PyStrings.lower(s);
            if (!caseSensitive && y instanceof String s) y = PyStrings.lower(s);
            return Values.compare(x, y, "<");
        };
    }

    private static List<Object> sort(Object v, Call c) {
        List<Object> out = new ArrayList<>(Values.iterate(v));
        Comparator<Object> cmp = ordering(c.flag(1, "case_sensitive"), c.get(2, "attribute", null));
        out.sort(c.flag(0, "reverse") ? cmp.reversed() : cmp);
        return out;
    }

    private static List<Object> dictsort(Object v, Call c) {
        boolean byValue = "value".equals(c.get(1, "by", "key"));
        List<Object> pairs = items(v);
        Comparator<Object> base = ordering(c.flag(0, "case_sensitive"), null);
        Comparator<Object> cmp = (a, b) -> base.compare(((List<?>) a).get(byValue ? 1 : 0),
                ((List<?>) b).get(byValue ? 1 : 0));
        pairs.sort(c.flag(2, "reverse") ? cmp.reversed() : cmp);
        return pairs;
    }

    private static Object sum(Object v, Call c) {
        Object attr = c.get(0, "attribute", null);
        Object total = c.get(1, "start", 0L);
        for (Object x : Values.iterate(v)) total = Values.add(total, attr == null ? x : attribute(x, Values.str(attr)));
        return total;
    }

    private static Object minMax(Object v, Call c, boolean max) {
        List<Object> items = Values.iterate(v);
        if (items.isEmpty()) return new Undefined("No aggregated item, sequence was empty.");
        Comparator<Object> cmp = ordering(c.flag(0, "case_sensitive"), c.get(1, "attribute", null));
        Object best = items.getFirst();
        for (Object x : items) if (max ? cmp.compare(x, best) > 0 : cmp.compare(x, best) < 0) best = x;
        return best;
    }

    private static List<Object> unique(Object v, Call c) {
        boolean caseSensitive = c.flag(0, "case_sensitive");
        Object attr = c.get(1, "attribute", null);
        List<Object> seen = new ArrayList<>();
        List<Object> out = new ArrayList<>();
        for (Object x : Values.iterate(v)) {
            Object key = attr == null ? x : attribute(x, Values.str(attr));
            if (!caseSensitive && key instanceof String s) key = PyStrings.lower(s);
            Object k = key;
            if (seen.stream().noneMatch(s -> Values.eq(s, k))) {
                seen.add(key);
                out.add(x);
            }
        }
        return out;
    }

    /** Jinja's title filter: capitalize each piece split at spaces, dashes and opening brackets. */
    private static String title(String s) {
        StringBuilder b = new StringBuilder();
        Matcher m = WORD_BEGINNING.matcher(s);
        int last = 0;
        while (m.find()) {
            titleWord(b, s.substring(last, m.start()));
            titleWord(b, m.group());
            last = m.end();
        }
        titleWord(b, s.substring(last));
        return b.toString();
    }

    private static void titleWord(StringBuilder b, String item) {
        if (item.isEmpty()) return;
        int cp = item.codePointAt(0);
        b.append(PyStrings.upper(new String(Character.toChars(cp))))
                .append(PyStrings.lower(item.substring(Character.charCount(cp))));
    }
}
