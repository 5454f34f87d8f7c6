package dev.sglj.engine.tokenizer.template;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Jinja's {@code is} tests (tests.py), with Python's notion of types. */
final class Tests {
    private static final Set<String> NAMES = Set.of("defined", "undefined", "none", "boolean", "false", "true",
            "integer", "float", "number", "string", "mapping", "sequence", "iterable", "callable", "odd", "even",
            "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan",
            ">", "ge", ">=", "in", "sameas", "lower", "upper", "escaped", "filter", "test");

    private Tests() {
    }

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static boolean apply(String name, Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "false" -> Boolean.FALSE.equals(v);
            case "true" -> Boolean.TRUE.equals(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "number" -> Values.isNumber(v);
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map;
            case "sequence" -> v instanceof String || v instanceof Collection || v instanceof Map;
            case "iterable" -> v instanceof String || v instanceof Collection || v instanceof Map
                    || v instanceof Undefined;
            case "callable" -> v instanceof PyCallable;
            case "odd" -> Values.toLong(requireInt(v)) % 2 != 0;
            case "even" -> Values.toLong(requireInt(v)) % 2 == 0;
            case "divisibleby" -> Values.truthy(Values.eq(Values.mod(v, arg(args, name)), 0L));
            case "eq", "equalto", "==" -> Values.eq(v, arg(args, name));
            case "ne", "!=" -> !Values.eq(v, arg(args, name));
            case "lt", "lessthan", "<" -> Values.compare(v, arg(args, name), "<") < 0;
            case "le", "<=" -> Values.compare(v, arg(args, name), "<=") <= 0;
            case "gt", "greaterthan", ">" -> Values.compare(v, arg(args, name), ">") > 0;
            case "ge", ">=" -> Values.compare(v, arg(args, name), ">=") >= 0;
            case "in" -> Values.contains(arg(args, name), v);
            case "sameas" -> sameAs(v, arg(args, name));
            case "lower" -> Values.str(v).codePoints().anyMatch(Character::isLowerCase)
                    && Values.str(v).equals(PyStrings.lower(Values.str(v)));
            case "upper" -> Values.str(v).codePoints().anyMatch(Character::isUpperCase)
                    && Values.str(v).equals(PyStrings.upper(Values.str(v)));
            case "escaped" -> false;
            case "filter" -> v instanceof String s && Filters.exists(s);
            case "test" -> v instanceof String s && exists(s);
            default -> throw TemplateException.runtime("No test named '" + name + "'.");
        };
    }

    private static Object requireInt(Object v) {
        if (!Values.isInt(v)) {
            if (v instanceof Undefined u) throw u.fail();
            throw TemplateException.runtime("unsupported operand type(s) for %: '" + Values.typeName(v) + "' and 'int'");
        }
        return v;
    }

    private static boolean sameAs(Object a, Object b) {
        if (a == null || b == null || a instanceof Boolean || b instanceof Boolean) return a == b || java.util.Objects.equals(a, b)
                && a.getClass() == b.getClass();
        return a == b;
    }

    private static Object arg(List<Object> args, String test) {
        if (args.isEmpty()) throw TemplateException.runtime("test '" + test + "' needs an argument");
        return args.getFirst();
    }
}
