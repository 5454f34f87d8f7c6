package dev.sglj.engine.tokenizer.template;

import dev.sglj.engine.tokenizer.template.Expr.Args;
import dev.sglj.engine.tokenizer.template.Node.AttrTarget;
import dev.sglj.engine.tokenizer.template.Node.NameTarget;
import dev.sglj.engine.tokenizer.template.Node.Target;
import dev.sglj.engine.tokenizer.template.Node.TupleTarget;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders parsed nodes with Jinja2's runtime behaviour: a for-loop iteration and a macro call get their own scope
 * (assignments there do not leak out), if-blocks do not, namespaces are shared objects.
 */
final class Interpreter {
    private static final int MAX_RANGE = 100_000;

    private enum Flow { NORMAL, BREAK, CONTINUE }

    private static final class Scope {
        private static final Object MISSING = new Object();
        final Scope parent;
        final Map<String, Object> vars = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object lookup(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                Object v = s.vars.getOrDefault(name, MISSING);
                if (v != MISSING) return v;
            }
            return Undefined.name(name);
        }
    }

    private final Clock clock;

    private Interpreter(Clock clock) {
        this.clock = clock;
    }

    static String render(List<Node> body, Map<String, ?> context, Clock clock) {
        Interpreter in = new Interpreter(clock);
        Scope globals = new Scope(null);
        in.installGlobals(globals.vars);
        Scope top = new Scope(globals);
        context.forEach((k, v) -> top.vars.put(k, Values.normalize(v)));
        StringBuilder out = new StringBuilder(4096);
        try {
            in.exec(body, top, out);
        } catch (StackOverflowError e) {
            throw TemplateException.runtime("maximum recursion depth exceeded while rendering the chat template");
        } catch (ArithmeticException e) {
            throw TemplateException.runtime("integer overflow: values beyond 64 bits are not supported");
        } catch (ClassCastException e) {
            throw TemplateException.runtime("a filter, test or method got an argument of the wrong type");
        }
        return out.toString();
    }

    private void installGlobals(Map<String, Object> g) {
        g.put("range", (PyCallable) (args, kw) -> range(args));
        g.put("dict", (PyCallable) (args, kw) -> new LinkedHashMap<Object, Object>(kw));
        g.put("namespace", (PyCallable) (args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) {
                if (a instanceof Map<?, ?> m) m.forEach((k, v) -> ns.attrs.put(Values.str(k), v));
            }
            ns.attrs.putAll(kw);
            return ns;
        });
        g.put("raise_exception", (PyCallable) (args, kw) -> {
            Object msg = args.isEmpty() ? kw.get("message") : args.getFirst();
            throw new TemplateException(TemplateException.Kind.RAISED, Values.str(msg), 0);
        });
        g.put("strftime_now", (PyCallable) (args, kw) -> {
            Object fmt = args.isEmpty() ? kw.get("format") : args.getFirst();
            return Strftime.format(LocalDateTime.now(clock), Values.str(fmt));
        });
    }

    private static PyRange range(List<Object> args) {
        if (args.isEmpty() || args.size() > 3) throw TemplateException.runtime("range expected 1 to 3 arguments");
        for (Object a : args) {
            if (!Values.isInt(a)) throw TemplateException.runtime("'" + Values.typeName(a)
                    + "' object cannot be interpreted as an integer");
        }
        long start = args.size() == 1 ? 0 : Values.toLong(args.get(0));
        long stop = Values.toLong(args.get(args.size() == 1 ? 0 : 1));
        long step = args.size() == 3 ? Values.toLong(args.get(2)) : 1;
        if (step == 0) throw TemplateException.runtime("range() arg 3 must not be zero");
        PyRange r = new PyRange(start, stop, step);
        if (r.size() > MAX_RANGE) {
            throw TemplateException.runtime("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
        }
        return r;
    }

    // ---- statements

    private Flow exec(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node n : nodes) {
            Flow f = exec(n, scope, out);
            if (f != Flow.NORMAL) return f;
        }
        return Flow.NORMAL;
    }

    private Flow exec(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Node.Text t -> out.append(t.text());
            case Node.Output o -> out.append(Values.str(eval(o.expr(), scope)));
            case Node.If i -> {
                for (int k = 0; k < i.tests().size(); k++) {
                    if (Values.truthy(eval(i.tests().get(k), scope))) return exec(i.bodies().get(k), scope, out);
                }
                return exec(i.otherwise(), scope, out);
            }
            case Node.For f -> execFor(f, scope, out);
            case Node.Set s -> assign(s.target(), eval(s.value(), scope), scope);
            case Node.SetBlock s -> {
                StringBuilder body = new StringBuilder();
                exec(s.body(), new Scope(scope), body);
                scope.vars.put(s.name(), body.toString());
            }
            case Node.Macro m -> scope.vars.put(m.name(), macro(m, scope));
            case Node.Break b -> {
                return Flow.BREAK;
            }
            case Node.Continue c -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NORMAL;
    }

    private void execFor(Node.For f, Scope scope, StringBuilder out) {
        List<Object> items = Values.iterate(eval(f.iterable(), scope));
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = new Scope(scope);
                assign(f.target(), item, s);
                if (Values.truthy(eval(f.filter(), s))) kept.add(item);
            }
            items = kept;
        }
        if (items.isEmpty()) {
            exec(f.otherwise(), scope, out);
            return;
        }
        LoopInfo loop = new LoopInfo(items);
        for (int i = 0; i < items.size(); i++) {
            Scope s = new Scope(scope);
            assign(f.target(), items.get(i), s);
            loop.advance(i);
            s.vars.put("loop", loop);
            if (exec(f.body(), s, out) == Flow.BREAK) break;
        }
    }

    private void assign(Target target, Object value, Scope scope) {
        switch (target) {
            case NameTarget(String name) -> scope.vars.put(name, value);
            case AttrTarget(String name, String attr) -> {
                if (!(scope.lookup(name) instanceof Namespace ns)) {
                    throw TemplateException.runtime("cannot assign attribute on non-namespace object");
                }
                ns.attrs.put(attr, value);
            }
            case TupleTarget(List<String> names) -> {
                List<Object> items = Values.iterate(value);
                if (items.size() != names.size()) {
                    throw TemplateException.runtime(items.size() > names.size()
                            ? "too many values to unpack (expected " + names.size() + ")"
                            : "not enough values to unpack (expected " + names.size() + ", got " + items.size() + ")");
                }
                for (int i = 0; i < names.size(); i++) scope.vars.put(names.get(i), items.get(i));
            }
        }
    }

    private PyCallable macro(Node.Macro m, Scope definedIn) {
        return (args, kwargs) -> {
            if (args.size() > m.params().size()) {
                throw TemplateException.runtime("macro '" + m.name() + "' takes not more than " + m.params().size()
                        + " argument(s)");
            }
            Scope s = new Scope(definedIn);
            for (String k : kwargs.keySet()) {
                if (!m.params().contains(k)) {
                    throw TemplateException.runtime("macro '" + m.name() + "' takes no keyword argument '" + k + "'");
                }
            }
            for (int i = 0; i < m.params().size(); i++) {
                String p = m.params().get(i);
                Object v;
                if (i < args.size()) {
                    v = args.get(i);
                } else if (kwargs.containsKey(p)) {
                    v = kwargs.get(p);
                } else if (m.defaults().get(i) != null) {
                    v = eval(m.defaults().get(i), s);
                } else {
                    v = new Undefined("parameter '" + p + "' was not provided");
                }
                s.vars.put(p, v);
            }
            StringBuilder out = new StringBuilder();
            exec(m.body(), s, out);
            return out.toString();
        };
    }

    // ---- expressions

    private Object eval(Expr e, Scope scope) {
        return switch (e) {
            case Expr.Const c -> c.value();
            case Expr.Name n -> scope.lookup(n.name());
            case Expr.ListLit l -> evalAll(l.items(), scope);
            case Expr.TupleLit t -> new TupleList(evalAll(t.items(), scope));
            case Expr.DictLit d -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) m.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                yield m;
            }
            case Expr.GetAttr g -> Access.getattr(eval(g.target(), scope), g.name());
            case Expr.GetItem g -> Access.getitem(eval(g.target(), scope), eval(g.key(), scope));
            case Expr.Slice s -> Values.slice(eval(s.target(), scope), evalOrNull(s.start(), scope),
                    evalOrNull(s.stop(), scope), evalOrNull(s.step(), scope));
            case Expr.Call c -> call(eval(c.callee(), scope), c.args(), scope);
            case Expr.Filter f -> Filters.apply(f.name(), eval(f.value(), scope),
                    new Filters.Call(evalAll(f.args().positional(), scope), evalKeywords(f.args(), scope)));
            case Expr.Test t -> Tests.apply(t.name(), eval(t.value(), scope), evalAll(t.args().positional(), scope));
            case Expr.Unary u -> switch (u.op()) {
                case "not" -> !Values.truthy(eval(u.operand(), scope));
                case "neg" -> Values.neg(eval(u.operand(), scope));
                default -> Values.neg(Values.neg(eval(u.operand(), scope)));
            };
            case Expr.Binary b -> binary(b, scope);
            case Expr.Compare c -> compare(c, scope);
            case Expr.Cond c -> Values.truthy(eval(c.test(), scope)) ? eval(c.then(), scope)
                    : c.otherwise() == null ? new Undefined("the inline if-expression evaluated to false and no else"
                    + " section was defined.") : eval(c.otherwise(), scope);
        };
    }

    private Object evalOrNull(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private List<Object> evalAll(List<Expr> exprs, Scope scope) {
        List<Object> out = new ArrayList<>(exprs.size());
        for (Expr x : exprs) out.add(eval(x, scope));
        return out;
    }

    private Map<String, Object> evalKeywords(Args args, Scope scope) {
        if (args.names().isEmpty()) return Map.of();
        Map<String, Object> kw = new LinkedHashMap<>();
        for (int i = 0; i < args.names().size(); i++) kw.put(args.names().get(i), eval(args.keywords().get(i), scope));
        return kw;
    }

    private Object call(Object callee, Args args, Scope scope) {
        if (callee instanceof Undefined u) throw u.fail();
        if (!(callee instanceof PyCallable fn)) {
            throw TemplateException.runtime("'" + Values.typeName(callee) + "' object is not callable");
        }
        return fn.call(evalAll(args.positional(), scope), evalKeywords(args, scope));
    }

    private Object binary(Expr.Binary b, Scope scope) {
        Object left = eval(b.left(), scope);
        return switch (b.op()) {
            case "and" -> Values.truthy(left) ? eval(b.right(), scope) : left;
            case "or" -> Values.truthy(left) ? left : eval(b.right(), scope);
            case "~" -> Values.str(left) + Values.str(eval(b.right(), scope));
            case "+" -> Values.add(left, eval(b.right(), scope));
            case "-" -> Values.sub(left, eval(b.right(), scope));
            case "*" -> Values.mul(left, eval(b.right(), scope));
            case "/" -> Values.div(left, eval(b.right(), scope));
            case "//" -> Values.floorDiv(left, eval(b.right(), scope));
            case "%" -> Values.mod(left, eval(b.right(), scope));
            case "**" -> Values.pow(left, eval(b.right(), scope));
            default -> throw TemplateException.runtime("unknown operator " + b.op());
        };
    }

    private Object compare(Expr.Compare c, Scope scope) {
        Object left = eval(c.first(), scope);
        for (int i = 0; i < c.ops().size(); i++) {
            Object right = eval(c.rest().get(i), scope);
            String op = c.ops().get(i);
            boolean ok = switch (op) {
                case "==" -> Values.eq(left, right);
                case "!=" -> !Values.eq(left, right);
                case "<" -> Values.compare(left, right, op) < 0;
                case "<=" -> Values.compare(left, right, op) <= 0;
                case ">" -> Values.compare(left, right, op) > 0;
                case ">=" -> Values.compare(left, right, op) >= 0;
                case "in" -> Values.contains(right, left);
                default -> !Values.contains(right, left);
            };
            if (!ok) return false;
            left = right;
        }
        return true;
    }
}
