package dev.sglj.engine.tokenizer.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Jinja's sandboxed attribute and item lookup: {@code x.name} tries the Python attribute (a method) first, then the
 * item; {@code x[key]} tries the item first, then the attribute. Misses give {@link Undefined}; looking into an
 * Undefined fails. Only methods that do not mutate are exposed, as in the immutable sandbox.
 */
final class Access {
    private static final Set<String> STR_METHODS = Set.of("startswith", "endswith", "strip", "lstrip", "rstrip",
            "split", "rsplit", "splitlines", "upper", "lower", "title", "capitalize", "replace", "find", "rfind",
            "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "format", "index");
    private static final Set<String> DICT_METHODS = Set.of("items", "keys", "values", "get");
    private static final Set<String> LIST_METHODS = Set.of("index", "count");

    private Access() {
    }

    static Object getattr(Object obj, String name) {
        switch (obj) {
            case null -> { }
            case Undefined u -> throw u.fail();
            case Map<?, ?> m -> {
                if (DICT_METHODS.contains(name)) return method(obj, name);
                return m.containsKey(name) ? m.get(name) : Undefined.attribute(obj, name);
            }
            case Namespace n -> {
                return n.attrs.containsKey(name) ? n.attrs.get(name) : Undefined.attribute(obj, name);
            }
            case LoopInfo l -> {
                return l.attribute(name);
            }
            case String s -> {
                if (STR_METHODS.contains(name)) return method(obj, name);
            }
            case List<?> l -> {
                if (LIST_METHODS.contains(name)) return method(obj, name);
            }
            default -> { }
        }
        return Undefined.attribute(obj, name);
    }

    static Object getitem(Object obj, Object key) {
        switch (obj) {
            case null -> { }
            case Undefined u -> throw u.fail();
            case Map<?, ?> m -> {
                Object k = Values.isInt(key) && !(key instanceof Long) ? Values.toLong(key) : key;
                if (m.containsKey(k)) return m.get(k);
            }
            case List<?> l -> {
                if (Values.isInt(key)) {
                    long i = Values.toLong(key);
                    long idx = i < 0 ? i + l.size() : i;
                    return idx >= 0 && idx < l.size() ? l.get((int) idx) : Undefined.attribute(obj, key);
                }
            }
            case String s -> {
                if (Values.isInt(key)) {
                    String c = PyStrings.charAt(s, Values.toLong(key));
                    return c != null ? c : Undefined.attribute(obj, key);
                }
            }
            default -> { }
        }
        return key instanceof String name ? getattr(obj, name) : Undefined.attribute(obj, key);
    }

    private static PyCallable method(Object self, String name) {
        return (args, kwargs) -> invoke(self, name, args, kwargs);
    }

    private static Object arg(List<Object> args, Map<String, Object> kwargs, int i, String name, Object dflt) {
        if (i < args.size()) return args.get(i);
        return kwargs.containsKey(name) ? kwargs.get(name) : dflt;
    }

    private static String strArg(List<Object> args, Map<String, Object> kwargs, int i, String name, String method) {
        Object v = arg(args, kwargs, i, name, null);
        if (v == null) return null;
        if (v instanceof String s) return s;
        throw TemplateException.runtime(method + " arg must be None or str");
    }

    private static Object invoke(Object self, String name, List<Object> args, Map<String, Object> kw) {
        return switch (self) {
            case String s -> strMethod(s, name, args, kw);
            case Map<?, ?> m -> dictMethod(m, name, args, kw);
            case List<?> l -> {
                Object x = arg(args, kw, 0, "value", null);
                if (name.equals("count")) yield l.stream().filter(v -> Values.eq(v, x)).count();
                for (int i = 0; i < l.size(); i++) if (Values.eq(l.get(i), x)) yield (long) i;
                throw TemplateException.runtime(Values.repr(x) + " is not in list");
            }
            default -> throw TemplateException.runtime("no method " + name);
        };
    }

    private static Object dictMethod(Map<?, ?> m, String name, List<Object> args, Map<String, Object> kw) {
        return switch (name) {
            case "items" -> {
                List<Object> out = new ArrayList<>(m.size());
                m.forEach((k, v) -> out.add(TupleList.of(k, v)));
                yield out;
            }
            case "keys" -> new ArrayList<Object>(m.keySet());
            case "values" -> new ArrayList<Object>(m.values());
            default -> {
                Object key = arg(args, kw, 0, "key", null);
                yield m.containsKey(key) ? m.get(key) : arg(args, kw, 1, "default", null);
            }
        };
    }

    private static Object strMethod(String s, String name, List<Object> args, Map<String, Object> kw) {
        return switch (name) {
            case "startswith", "endswith" -> {
                Object p = arg(args, kw, 0, "prefix", null);
                List<Object> options = p instanceof List<?> l ? new ArrayList<>(l) : List.of(p == null ? "" : p);
                for (Object o : options) {
                    if (!(o instanceof String x)) {
                        throw TemplateException.runtime(name + " first arg must be str or a tuple of str, not "
                                + Values.typeName(o));
                    }
                    if (name.equals("startswith") ? s.startsWith(x) : s.endsWith(x)) yield true;
                }
                yield false;
            }
            case "strip" -> PyStrings.strip(s, strArg(args, kw, 0, "chars", name));
            case "lstrip" -> PyStrings.lstrip(s, strArg(args, kw, 0, "chars", name));
            case "rstrip" -> PyStrings.rstrip(s, strArg(args, kw, 0, "chars", name));
            case "split" -> PyStrings.split(s, strArg(args, kw, 0, "sep", name),
                    Values.toLong(arg(args, kw, 1, "maxsplit", -1L)));
            case "rsplit" -> rsplit(s, strArg(args, kw, 0, "sep", name), Values.toLong(arg(args, kw, 1, "maxsplit", -1L)));
            case "splitlines" -> PyStrings.splitlines(s);
            case "upper" -> PyStrings.upper(s);
            case "lower" -> PyStrings.lower(s);
            case "title" -> PyStrings.title(s);
            case "capitalize" -> PyStrings.capitalize(s);
            case "replace" -> PyStrings.replace(s, strArg(args, kw, 0, "old", name), strArg(args, kw, 1, "new", name),
                    Values.toLong(arg(args, kw, 2, "count", -1L)));
            case "find", "index" -> {
                long at = PyStrings.find(s, strArg(args, kw, 0, "sub", name));
                if (at < 0 && name.equals("index")) throw TemplateException.runtime("substring not found");
                yield at;
            }
            case "rfind" -> {
                int k = s.lastIndexOf(strArg(args, kw, 0, "sub", name));
                yield k < 0 ? -1L : (long) s.codePointCount(0, k);
            }
            case "count" -> PyStrings.count(s, strArg(args, kw, 0, "sub", name));
            case "join" -> {
                StringBuilder b = new StringBuilder();
                List<Object> items = Values.iterate(arg(args, kw, 0, "iterable", null));
                for (int i = 0; i < items.size(); i++) {
                    if (!(items.get(i) instanceof String x)) {
                        throw TemplateException.runtime("sequence item " + i + ": expected str instance, "
                                + Values.typeName(items.get(i)) + " found");
                    }
                    if (i > 0) b.append(s);
                    b.append(x);
                }
                yield b.toString();
            }
            case "isdigit" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && PyStrings.isAllSpace(s, 0);
            case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase) && s.equals(PyStrings.upper(s));
            case "islower" -> s.codePoints().anyMatch(Character::isLowerCase) && s.equals(PyStrings.lower(s));
            default -> throw TemplateException.runtime("str." + name + "() is not supported in chat templates");
        };
    }

    private static List<Object> rsplit(String s, String sep, long maxsplit) {
        if (maxsplit < 0 || sep == null) {
            if (maxsplit < 0) return PyStrings.split(s, sep, -1);
            throw TemplateException.runtime("str.rsplit() without a separator and with maxsplit is not supported");
        }
        List<Object> parts = new ArrayList<>();
        int end = s.length();
        while (parts.size() < maxsplit) {
            int k = s.lastIndexOf(sep, end - sep.length());
            if (k < 0 || end - sep.length() < 0) break;
            parts.addFirst(s.substring(k + sep.length(), end));
            end = k;
        }
        parts.addFirst(s.substring(0, end));
        return parts;
    }
}
