package dev.sglj.engine.tokenizer.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Python semantics for template values: truthiness, str/repr, equality, ordering, arithmetic, indexing. */
final class Values {
    private Values() {
    }

    /** Deep-converts host values (any Number, Map, List, array) to the interpreter's (Long, Double, Map, List). */
    static Object normalize(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Double d -> d;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Float f -> Double.parseDouble(f.toString());
            case java.math.BigInteger b -> b.longValueExact();
            case BigDecimal b -> b.doubleValue();
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(normalize(k), normalize(x)));
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>(c.size());
                for (Object x : c) out.add(normalize(x));
                yield out;
            }
            case Object[] a -> normalize(List.of(a));
            case CharSequence cs -> cs.toString();
            default -> v;
        };
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static long toLong(Object v) {
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1 : 0;
            case Undefined u -> throw u.fail();
            default -> throw TemplateException.runtime("'" + typeName(v) + "' object cannot be interpreted as an integer");
        };
    }

    static double toDouble(Object v) {
        return v instanceof Double d ? d : toLong(v);
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case TupleList t -> "tuple";
            case PyRange r -> "range";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            default -> v.getClass().getSimpleName();
        };
    }

    /** Jinja's object_type_repr: "None" or "dict object". */
    static String typeRepr(Object v) {
        return v == null ? "None" : typeName(v) + " object";
    }

    static String quotedTypeRepr(Object v) {
        return "'" + typeRepr(v) + "'";
    }

    // ---- str / repr

    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Undefined u -> "";
            default -> repr(v);
        };
    }

    static String repr(Object v) {
        StringBuilder b = new StringBuilder();
        appendRepr(b, v);
        return b.toString();
    }

    private static void appendRepr(StringBuilder b, Object v) {
        switch (v) {
            case null -> b.append("None");
            case Boolean x -> b.append(x ? "True" : "False");
            case Long x -> b.append(x);
            case Double x -> b.append(floatRepr(x));
            case String s -> b.append(PyStrings.repr(s));
            case PyRange r -> b.append(r);
            case TupleList t -> {
                b.append('(');
                joinRepr(b, t);
                b.append(t.size() == 1 ? ",)" : ")");
            }
            case List<?> l -> {
                b.append('[');
                joinRepr(b, l);
                b.append(']');
            }
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) b.append(", ");
                    first = false;
                    appendRepr(b, e.getKey());
                    b.append(": ");
                    appendRepr(b, e.getValue());
                }
                b.append('}');
            }
            case Undefined u -> b.append("Undefined");
            default -> b.append(v);
        }
    }

    private static void joinRepr(StringBuilder b, List<?> l) {
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) b.append(", ");
            appendRepr(b, l.get(i));
        }
    }

    /** Python's repr(float): shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale();
        StringBuilder b = new StringBuilder(d < 0 ? "-" : "");
        if (exp >= -4 && exp < 16) {
            if (exp >= digits.length() - 1) {
                b.append(digits).append("0".repeat(exp - digits.length() + 1)).append(".0");
            } else if (exp >= 0) {
                b.append(digits, 0, exp + 1).append('.').append(digits.substring(exp + 1));
            } else {
                b.append("0.").append("0".repeat(-exp - 1)).append(digits);
            }
        } else {
            b.append(digits.charAt(0));
            if (digits.length() > 1) b.append('.').append(digits.substring(1));
            b.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) b.append('0');
            b.append(a);
        }
        return b.toString();
    }

    // ---- equality and ordering

    static boolean eq(Object a, Object b) {
        if (a == b) return true;
        if (a == null || b == null) return false;
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) return toLong(a) == toLong(b);
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if ((x instanceof TupleList) != (y instanceof TupleList) || x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!eq(x.get(i), y.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) return false;
            }
            return true;
        }
        return a.equals(b);
    }

    static int compare(Object a, Object b, String op) {
        if (a instanceof Undefined u) throw u.fail();
        if (b instanceof Undefined u) throw u.fail();
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) return Long.compare(toLong(a), toLong(b));
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) return compareCodePoints(x, y);
        if (a instanceof List<?> x && b instanceof List<?> y && (x instanceof TupleList) == (y instanceof TupleList)) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) return compare(x.get(i), y.get(i), op);
            }
            return Integer.compare(x.size(), y.size());
        }
        throw TemplateException.runtime("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) return Integer.compare(a, b);
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Boolean.compare(i < x.length(), j < y.length());
    }

    // ---- arithmetic

    private static void requireDefined(Object a, Object b) {
        if (a instanceof Undefined u) throw u.fail();
        if (b instanceof Undefined u) throw u.fail();
    }

    private static TemplateException unsupported(String op, Object a, Object b) {
        return TemplateException.runtime("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    static Object add(Object a, Object b) {
        requireDefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) return Math.addExact(toLong(a), toLong(b));
            return toDouble(a) + toDouble(b);
        }
        if (a instanceof String x) {
            if (b instanceof String y) return x + y;
            throw TemplateException.runtime("can only concatenate str (not \"" + typeName(b) + "\") to str");
        }
        if (a instanceof List<?> x && !(a instanceof TupleList)) {
            if (!(b instanceof List<?> y) || b instanceof TupleList) {
                throw TemplateException.runtime("can only concatenate list (not \"" + typeName(b) + "\") to list");
            }
            List<Object> out = new ArrayList<>(x);
            out.addAll(y);
            return out;
        }
        if (a instanceof TupleList x && b instanceof TupleList y) {
            List<Object> out = new ArrayList<>(x);
            out.addAll(y);
            return new TupleList(out);
        }
        throw unsupported("+", a, b);
    }

    static Object sub(Object a, Object b) {
        requireDefined(a, b);
        if (!isNumber(a) || !isNumber(b)) throw unsupported("-", a, b);
        if (isInt(a) && isInt(b)) return Math.subtractExact(toLong(a), toLong(b));
        return toDouble(a) - toDouble(b);
    }

    static Object mul(Object a, Object b) {
        requireDefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) return Math.multiplyExact(toLong(a), toLong(b));
            return toDouble(a) * toDouble(b);
        }
        if (isInt(b) && (a instanceof String || a instanceof List)) return repeat(a, toLong(b));
        if (isInt(a) && (b instanceof String || b instanceof List)) return repeat(b, toLong(a));
        throw unsupported("*", a, b);
    }

    private static Object repeat(Object seq, long n) {
        if (seq instanceof String s) return n <= 0 ? "" : s.repeat((int) n);
        List<?> l = (List<?>) seq;
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < n; i++) out.addAll(l);
        return seq instanceof TupleList ? new TupleList(out) : out;
    }

    static Object div(Object a, Object b) {
        requireDefined(a, b);
        if (!isNumber(a) || !isNumber(b)) throw unsupported("/", a, b);
        if (toDouble(b) == 0) throw TemplateException.runtime("division by zero");
        return toDouble(a) / toDouble(b);
    }

    static Object floorDiv(Object a, Object b) {
        requireDefined(a, b);
        if (!isNumber(a) || !isNumber(b)) throw unsupported("//", a, b);
        if (toDouble(b) == 0) throw TemplateException.runtime("integer division or modulo by zero");
        if (isInt(a) && isInt(b)) return Math.floorDiv(toLong(a), toLong(b));
        return Math.floor(toDouble(a) / toDouble(b));
    }

    static Object mod(Object a, Object b) {
        requireDefined(a, b);
        if (a instanceof String fmt) return PyFormat.percent(fmt, b);
        if (!isNumber(a) || !isNumber(b)) throw unsupported("%", a, b);
        if (toDouble(b) == 0) throw TemplateException.runtime("integer division or modulo by zero");
        if (isInt(a) && isInt(b)) return Math.floorMod(toLong(a), toLong(b));
        double x = toDouble(a);
        double y = toDouble(b);
        double r = x % y;
        if (r != 0 && (r < 0) != (y < 0)) r += y;
        return r;
    }

    static Object pow(Object a, Object b) {
        requireDefined(a, b);
        if (!isNumber(a) || !isNumber(b)) throw unsupported("** or pow()", a, b);
        if (isInt(a) && isInt(b) && toLong(b) >= 0) {
            long base = toLong(a);
            long result = 1;
            for (long i = 0; i < toLong(b); i++) result = Math.multiplyExact(result, base);
            return result;
        }
        return Math.pow(toDouble(a), toDouble(b));
    }

    static Object neg(Object a) {
        if (a instanceof Undefined u) throw u.fail();
        if (isInt(a)) return -toLong(a);
        if (a instanceof Double d) return -d;
        throw TemplateException.runtime("bad operand type for unary -: '" + typeName(a) + "'");
    }

    // ---- sequences and containers

    static int length(Object v) {
        return switch (v) {
            case null -> throw TemplateException.runtime("object of type 'NoneType' has no len()");
            case String s -> PyStrings.length(s);
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            case Namespace n -> throw TemplateException.runtime("object of type 'Namespace' has no len()");
            default -> throw TemplateException.runtime("object of type '" + typeName(v) + "' has no len()");
        };
    }

    /** What a for loop iterates: list items, dict keys, string characters; Undefined is empty. */
    static List<Object> iterate(Object v) {
        return switch (v) {
            case null -> throw TemplateException.runtime("'NoneType' object is not iterable");
            case Undefined u -> List.of();
            case List<?> l -> castList(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> {
                List<Object> chars = new ArrayList<>();
                s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
                yield chars;
            }
            case Collection<?> c -> new ArrayList<>(c);
            default -> throw TemplateException.runtime("'" + typeName(v) + "' object is not iterable");
        };
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(List<?> l) {
        return (List<Object>) l;
    }

    static boolean contains(Object container, Object item) {
        return switch (container) {
            case null -> throw TemplateException.runtime("argument of type 'NoneType' is not iterable");
            case String s -> {
                if (!(item instanceof String x)) {
                    throw TemplateException.runtime("'in <string>' requires string as left operand, not "
                            + typeName(item));
                }
                yield s.contains(x);
            }
            case Map<?, ?> m -> m.containsKey(item) || (isInt(item) && m.containsKey(toLong(item)));
            case Collection<?> c -> {
                for (Object x : c) if (eq(x, item)) yield true;
                yield false;
            }
            case Undefined u -> false;
            default -> throw TemplateException.runtime("argument of type '" + typeName(container) + "' is not iterable");
        };
    }

    /** The indices Python's slice(start, stop, step).indices(len) visits. */
    static List<Integer> sliceIndices(int len, Long start, Long stop, Long step) {
        long st = step == null ? 1 : step;
        if (st == 0) throw TemplateException.runtime("slice step cannot be zero");
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(start < 0 ? start + len : start, 0, len);
            hi = stop == null ? len : clamp(stop < 0 ? stop + len : stop, 0, len);
        } else {
            lo = start == null ? len - 1 : clamp(start < 0 ? start + len : start, -1, len - 1);
            hi = stop == null ? -1 : clamp(stop < 0 ? stop + len : stop, -1, len - 1);
        }
        List<Integer> idx = new ArrayList<>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) idx.add((int) i);
        return idx;
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static Object slice(Object target, Object start, Object stop, Object step) {
        Long a = sliceBound(start);
        Long b = sliceBound(stop);
        Long c = sliceBound(step);
        if (target instanceof String s) return PyStrings.slice(s, a, b, c);
        if (target instanceof PyRange r) return r.slice(a, b, c);
        if (target instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (int i : sliceIndices(l.size(), a, b, c)) out.add(l.get(i));
            return target instanceof TupleList ? new TupleList(out) : out;
        }
        if (target instanceof Undefined u) throw u.fail();
        return Undefined.attribute(target, "slice");
    }

    private static Long sliceBound(Object v) {
        if (v == null || v instanceof Undefined) return null;
        if (isInt(v)) return toLong(v);
        throw TemplateException.runtime("slice indices must be integers or None");
    }

    static Iterator<Object> iterator(Object v) {
        return iterate(v).iterator();
    }
}
