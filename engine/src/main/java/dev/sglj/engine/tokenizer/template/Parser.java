package dev.sglj.engine.tokenizer.template;

import dev.sglj.engine.tokenizer.template.Expr.Args;
import dev.sglj.engine.tokenizer.template.Node.AttrTarget;
import dev.sglj.engine.tokenizer.template.Node.NameTarget;
import dev.sglj.engine.tokenizer.template.Node.Target;
import dev.sglj.engine.tokenizer.template.Node.TupleTarget;
import dev.sglj.engine.tokenizer.template.Token.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser with Jinja2's grammar and precedence (parser.py), producing {@link Node}s. */
final class Parser {
    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final Set<String> KNOWN_TAGS =
            Set.of("if", "for", "set", "macro", "break", "continue", "generation");
    private static final Set<String> UNSUPPORTED_TAGS =
            Set.of("block", "extends", "print", "include", "from", "import", "with", "autoescape", "filter", "call");

    private final List<Token> tokens;
    private int pos;
    private final List<List<String>> endTokenStack = new ArrayList<>();
    private final List<String> tagStack = new ArrayList<>();

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        return p.subparse(null);
    }

    private Token cur() {
        return tokens.get(pos);
    }

    private Token peek() {
        return tokens.get(Math.min(pos + 1, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (pos < tokens.size() - 1) pos++;
        return t;
    }

    private TemplateException fail(String message, int line) {
        return TemplateException.syntax(message, line);
    }

    private Token expect(Type type, String text) {
        Token t = cur();
        if (t.type() != type || (text != null && !t.text().equals(text))) {
            String want = text != null ? text : switch (type) {
                case NAME -> "name";
                case VAR_END -> "end of print statement";
                case BLOCK_END -> "end of statement block";
                default -> type.name().toLowerCase();
            };
            if (t.type() == Type.EOF) throw fail("unexpected end of template, expected '" + want + "'.", t.line());
            throw fail("expected token '" + want + "', got '" + t.describe() + "'", t.line());
        }
        return next();
    }

    private boolean skipName(String name) {
        if (cur().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipOp(String op) {
        if (cur().isOp(op)) {
            next();
            return true;
        }
        return false;
    }

    // ---- statements

    private List<Node> subparse(List<String> endTokens) {
        List<Node> body = new ArrayList<>();
        if (endTokens != null) endTokenStack.add(endTokens);
        try {
            while (cur().type() != Type.EOF) {
                Token t = cur();
                switch (t.type()) {
                    case DATA -> {
                        next();
                        body.add(new Node.Text((String) t.value()));
                    }
                    case VAR_BEGIN -> {
                        next();
                        body.add(new Node.Output(parseTuple(false, true, List.of(), false)));
                        expect(Type.VAR_END, null);
                    }
                    case BLOCK_BEGIN -> {
                        next();
                        if (endTokens != null && cur().type() == Type.NAME && endTokens.contains(cur().text())) {
                            return body;
                        }
                        parseStatement(body);
                        expect(Type.BLOCK_END, null);
                    }
                    default -> throw fail("internal parsing error", t.line());
                }
            }
            if (endTokens != null) throw failUnknownTag(null, cur().line());
            return body;
        } finally {
            if (endTokens != null) endTokenStack.removeLast();
        }
    }

    private TemplateException failUnknownTag(String name, int line) {
        StringBuilder m = new StringBuilder(name == null ? "Unexpected end of template."
                : "Encountered unknown tag '" + name + "'.");
        if (!endTokenStack.isEmpty()) {
            List<String> looking = endTokenStack.getLast();
            String names = String.join(" or ", looking.stream().map(s -> "'" + s + "'").toList());
            boolean expected = name != null && endTokenStack.stream().anyMatch(l -> l.contains(name));
            m.append(expected ? " You probably made a nesting mistake. Jinja is expecting this tag, but currently"
                    + " looking for " + names + "." : " Jinja was looking for the following tags: " + names + ".");
        }
        if (!tagStack.isEmpty()) {
            m.append(" The innermost block that needs to be closed is '").append(tagStack.getLast()).append("'.");
        }
        return fail(m.toString(), line);
    }

    private List<Node> parseStatements(List<String> endTokens, boolean dropNeedle) {
        skipOp(":");
        expect(Type.BLOCK_END, null);
        List<Node> body = subparse(endTokens);
        if (cur().type() == Type.EOF) throw failUnknownTag(null, cur().line());
        if (dropNeedle) next();
        return body;
    }

    private void parseStatement(List<Node> body) {
        Token t = cur();
        if (t.type() != Type.NAME) throw fail("tag name expected", t.line());
        String tag = t.text();
        if (UNSUPPORTED_TAGS.contains(tag)) {
            throw fail("the '" + tag + "' tag is not supported in chat templates", t.line());
        }
        if (!KNOWN_TAGS.contains(tag)) throw failUnknownTag(tag, t.line());
        tagStack.add(tag);
        try {
            switch (tag) {
                case "if" -> body.add(parseIf());
                case "for" -> body.add(parseFor());
                case "set" -> body.add(parseSet());
                case "macro" -> body.add(parseMacro());
                case "break" -> {
                    next();
                    body.add(new Node.Break());
                }
                case "continue" -> {
                    next();
                    body.add(new Node.Continue());
                }
                case "generation" -> {
                    next();
                    body.addAll(parseStatements(List.of("endgeneration"), true));
                }
                default -> throw failUnknownTag(tag, t.line());
            }
        } finally {
            tagStack.removeLast();
        }
    }

    private Node parseIf() {
        expect(Type.NAME, "if");
        List<Expr> tests = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        List<Node> otherwise = List.of();
        while (true) {
            tests.add(parseTuple(false, false, List.of(), false));
            bodies.add(parseStatements(List.of("elif", "else", "endif"), false));
            Token t = next();
            if (t.isName("elif")) continue;
            if (t.isName("else")) otherwise = parseStatements(List.of("endif"), true);
            break;
        }
        return new Node.If(tests, bodies, otherwise);
    }

    private Node parseFor() {
        expect(Type.NAME, "for");
        Target target = parseAssignTarget(false, List.of("in"));
        expect(Type.NAME, "in");
        Expr iterable = parseTuple(false, false, List.of("recursive"), false);
        Expr filter = skipName("if") ? parseExpression(true) : null;
        if (cur().isName("recursive")) throw fail("recursive loops are not supported", cur().line());
        List<Node> body = parseStatements(List.of("endfor", "else"), false);
        List<Node> otherwise = next().isName("endfor") ? List.of() : parseStatements(List.of("endfor"), true);
        return new Node.For(target, iterable, filter, body, otherwise);
    }

    private Node parseSet() {
        expect(Type.NAME, "set");
        Target target = parseAssignTarget(true, List.of());
        if (skipOp("=")) return new Node.Set(target, parseTuple(false, true, List.of(), false));
        if (!(target instanceof NameTarget(String name))) throw fail("can't assign to a block here", cur().line());
        if (cur().isOp("|")) throw fail("filtered set blocks are not supported", cur().line());
        return new Node.SetBlock(name, parseStatements(List.of("endset"), true));
    }

    private Node parseMacro() {
        expect(Type.NAME, "macro");
        String name = expect(Type.NAME, null).text();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        expect(Type.OP, "(");
        while (!cur().isOp(")")) {
            if (!params.isEmpty()) expect(Type.OP, ",");
            params.add(expect(Type.NAME, null).text());
            if (skipOp("=")) {
                defaults.add(parseExpression(true));
            } else if (!defaults.isEmpty()) {
                throw fail("non-default argument follows default argument", cur().line());
            }
        }
        expect(Type.OP, ")");
        List<Node> body = parseStatements(List.of("endmacro"), true);
        List<Expr> aligned = new ArrayList<>();
        for (int i = 0; i < params.size() - defaults.size(); i++) aligned.add(null);
        aligned.addAll(defaults);
        return new Node.Macro(name, params, aligned, body);
    }

    private Target parseAssignTarget(boolean withNamespace, List<String> extraEnd) {
        if (withNamespace && cur().type() == Type.NAME && peek().isOp(".")) {
            String name = next().text();
            next();
            return new AttrTarget(name, expect(Type.NAME, null).text());
        }
        Expr e = parseTuple(true, true, extraEnd, false);
        if (e instanceof Expr.Name(String n)) return new NameTarget(n);
        if (e instanceof Expr.TupleLit(List<Expr> items) && items.stream().allMatch(i -> i instanceof Expr.Name)) {
            return new TupleTarget(items.stream().map(i -> ((Expr.Name) i).name()).toList());
        }
        throw fail("can't assign to '" + e.getClass().getSimpleName().toLowerCase() + "'", cur().line());
    }

    // ---- expressions

    private boolean isTupleEnd(List<String> extraEnd) {
        Token t = cur();
        return t.type() == Type.VAR_END || t.type() == Type.BLOCK_END || t.isOp(")")
                || (t.type() == Type.NAME && extraEnd.contains(t.text()));
    }

    private Expr parseTuple(boolean simplified, boolean withCondexpr, List<String> extraEnd, boolean explicitParens) {
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) expect(Type.OP, ",");
            if (isTupleEnd(extraEnd)) break;
            items.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
            if (cur().isOp(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) return items.getFirst();
            if (!explicitParens) throw fail("Expected an expression, got '" + cur().describe() + "'", cur().line());
        }
        return new Expr.TupleLit(items);
    }

    private Expr parseExpression(boolean withCondexpr) {
        return withCondexpr ? parseCondexpr() : parseOr();
    }

    private Expr parseCondexpr() {
        Expr e = parseOr();
        while (skipName("if")) {
            Expr test = parseOr();
            Expr otherwise = skipName("else") ? parseCondexpr() : null;
            e = new Expr.Cond(test, e, otherwise);
        }
        return e;
    }

    private Expr parseOr() {
        Expr e = parseAnd();
        while (skipName("or")) e = new Expr.Binary("or", e, parseAnd());
        return e;
    }

    private Expr parseAnd() {
        Expr e = parseNot();
        while (skipName("and")) e = new Expr.Binary("and", e, parseNot());
        return e;
    }

    private Expr parseNot() {
        if (skipName("not")) return new Expr.Unary("not", parseNot());
        return parseCompare();
    }

    private Expr parseCompare() {
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = cur();
            if (t.type() == Type.OP && COMPARE_OPS.contains(t.text())) {
                next();
                ops.add(t.text());
            } else if (skipName("in")) {
                ops.add("in");
            } else if (t.isName("not") && peek().isName("in")) {
                next();
                next();
                ops.add("notin");
            } else {
                break;
            }
            rest.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest);
    }

    private Expr parseMath1() {
        Expr e = parseConcat();
        while (cur().isOp("+") || cur().isOp("-")) {
            String op = next().text();
            e = new Expr.Binary(op, e, parseConcat());
        }
        return e;
    }

    private Expr parseConcat() {
        Expr e = parseMath2();
        while (skipOp("~")) e = new Expr.Binary("~", e, parseMath2());
        return e;
    }

    private Expr parseMath2() {
        Expr e = parsePow();
        while (cur().isOp("*") || cur().isOp("/") || cur().isOp("//") || cur().isOp("%")) {
            String op = next().text();
            e = new Expr.Binary(op, e, parsePow());
        }
        return e;
    }

    private Expr parsePow() {
        Expr e = parseUnary(true);
        while (skipOp("**")) e = new Expr.Binary("**", e, parseUnary(true));
        return e;
    }

    private Expr parseUnary(boolean withFilter) {
        Expr e;
        if (skipOp("-")) {
            e = new Expr.Unary("neg", parseUnary(false));
        } else if (skipOp("+")) {
            e = new Expr.Unary("pos", parseUnary(false));
        } else {
            e = parsePrimary();
        }
        e = parsePostfix(e);
        return withFilter ? parseFilterExpr(e) : e;
    }

    private Expr parsePrimary() {
        Token t = cur();
        switch (t.type()) {
            case NAME -> {
                next();
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Const(Boolean.TRUE);
                    case "false", "False" -> new Expr.Const(Boolean.FALSE);
                    case "none", "None" -> new Expr.Const(null);
                    default -> new Expr.Name(t.text());
                };
            }
            case STRING -> {
                StringBuilder b = new StringBuilder();
                while (cur().type() == Type.STRING) b.append((String) next().value());
                return new Expr.Const(b.toString());
            }
            case INT, FLOAT -> {
                next();
                return new Expr.Const(t.value());
            }
            case OP -> {
                switch (t.text()) {
                    case "(" -> {
                        next();
                        Expr e = parseTuple(false, true, List.of(), true);
                        expect(Type.OP, ")");
                        return e;
                    }
                    case "[" -> {
                        return parseList();
                    }
                    case "{" -> {
                        return parseDict();
                    }
                    default -> { }
                }
            }
            default -> { }
        }
        throw fail("unexpected '" + t.describe() + "'", t.line());
    }

    private Expr parseList() {
        expect(Type.OP, "[");
        List<Expr> items = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!items.isEmpty()) expect(Type.OP, ",");
            if (cur().isOp("]")) break;
            items.add(parseExpression(true));
        }
        expect(Type.OP, "]");
        return new Expr.ListLit(items);
    }

    private Expr parseDict() {
        expect(Type.OP, "{");
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!cur().isOp("}")) {
            if (!keys.isEmpty()) expect(Type.OP, ",");
            if (cur().isOp("}")) break;
            keys.add(parseExpression(true));
            expect(Type.OP, ":");
            values.add(parseExpression(true));
        }
        expect(Type.OP, "}");
        return new Expr.DictLit(keys, values);
    }

    private Expr parsePostfix(Expr e) {
        while (true) {
            if (cur().isOp(".") || cur().isOp("[")) {
                e = parseSubscript(e);
            } else if (cur().isOp("(")) {
                e = new Expr.Call(e, parseCallArgs());
            } else {
                return e;
            }
        }
    }

    private Expr parseFilterExpr(Expr e) {
        while (true) {
            if (cur().isOp("|")) {
                e = parseFilter(e);
            } else if (cur().isName("is")) {
                e = parseTest(e);
            } else if (cur().isOp("(")) {
                e = new Expr.Call(e, parseCallArgs());
            } else {
                return e;
            }
        }
    }

    private Expr parseSubscript(Expr target) {
        Token t = next();
        if (t.isOp(".")) {
            Token attr = next();
            if (attr.type() == Type.NAME) return new Expr.GetAttr(target, attr.text());
            if (attr.type() != Type.INT) throw fail("expected name or number", attr.line());
            return new Expr.GetItem(target, new Expr.Const(attr.value()));
        }
        List<Expr> args = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!args.isEmpty()) expect(Type.OP, ",");
            args.add(parseSubscribed(target));
        }
        expect(Type.OP, "]");
        if (args.size() == 1) {
            Expr a = args.getFirst();
            return a instanceof Expr.Slice ? a : new Expr.GetItem(target, a);
        }
        return new Expr.GetItem(target, new Expr.TupleLit(args));
    }

    private Expr parseSubscribed(Expr target) {
        Expr start = null;
        if (!skipOp(":")) {
            Expr e = parseExpression(true);
            if (!skipOp(":")) return e;
            start = e;
        }
        Expr stop = null;
        if (!cur().isOp(":") && !cur().isOp("]") && !cur().isOp(",")) stop = parseExpression(true);
        Expr step = null;
        if (skipOp(":") && !cur().isOp("]") && !cur().isOp(",")) step = parseExpression(true);
        return new Expr.Slice(target, start, stop, step);
    }

    private Args parseCallArgs() {
        Token open = expect(Type.OP, "(");
        List<Expr> positional = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> keywords = new ArrayList<>();
        boolean requireComma = false;
        while (!cur().isOp(")")) {
            if (requireComma) {
                expect(Type.OP, ",");
                if (cur().isOp(")")) break;
            }
            if (cur().isOp("*") || cur().isOp("**")) throw fail("*args and **kwargs are not supported", open.line());
            if (cur().type() == Type.NAME && peek().isOp("=")) {
                names.add(next().text());
                next();
                keywords.add(parseExpression(true));
            } else {
                if (!names.isEmpty()) throw fail("invalid syntax for function call expression", open.line());
                positional.add(parseExpression(true));
            }
            requireComma = true;
        }
        expect(Type.OP, ")");
        return new Args(positional, names, keywords);
    }

    private String dottedName() {
        StringBuilder name = new StringBuilder(expect(Type.NAME, null).text());
        while (skipOp(".")) name.append('.').append(expect(Type.NAME, null).text());
        return name.toString();
    }

    private Expr parseFilter(Expr e) {
        while (skipOp("|")) {
            int line = cur().line();
            String name = dottedName();
            if (!Filters.exists(name)) throw new TemplateException(TemplateException.Kind.SYNTAX,
                    "No filter named '" + name + "'.", line);
            Args args = cur().isOp("(") ? parseCallArgs() : Args.NONE;
            e = new Expr.Filter(e, name, args, line);
        }
        return e;
    }

    private Expr parseTest(Expr e) {
        int line = next().line();
        boolean negated = skipName("not");
        String name = dottedName();
        if (!Tests.exists(name)) throw fail("No test named '" + name + "'.", line);
        Args args = Args.NONE;
        Token t = cur();
        if (t.isOp("(")) {
            args = parseCallArgs();
        } else if ((t.type() == Type.NAME || t.type() == Type.STRING || t.type() == Type.INT || t.type() == Type.FLOAT
                || t.isOp("[") || t.isOp("{")) && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) throw fail("You cannot chain multiple tests with is", t.line());
            args = new Args(List.of(parsePostfix(parsePrimary())), List.of(), List.of());
        }
        Expr test = new Expr.Test(e, name, args, line);
        return negated ? new Expr.Unary("not", test) : test;
    }
}
