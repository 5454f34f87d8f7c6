package dev.sglj.engine.tokenizer.template;

import java.util.List;

/** Expression nodes of a parsed template. */
sealed interface Expr {
    /** Positional and keyword arguments of a call, filter or test. */
    record Args(List<Expr> positional, List<String> names, List<Expr> keywords) {
        static final Args NONE = new Args(List.of(), List.of(), List.of());
    }

    record Const(Object value) implements Expr { }

    record Name(String name) implements Expr { }

    record ListLit(List<Expr> items) implements Expr { }

    record TupleLit(List<Expr> items) implements Expr { }

    record DictLit(List<Expr> keys, List<Expr> values) implements Expr { }

    record GetAttr(Expr target, String name) implements Expr { }

    record GetItem(Expr target, Expr key) implements Expr { }

    /** {@code target[start:stop:step]}; omitted parts are null. */
    record Slice(Expr target, Expr start, Expr stop, Expr step) implements Expr { }

    record Call(Expr callee, Args args) implements Expr { }

    record Filter(Expr value, String name, Args args, int line) implements Expr { }

    record Test(Expr value, String name, Args args, int line) implements Expr { }

    /** {@code op} is one of not, neg, pos. */
    record Unary(String op, Expr operand) implements Expr { }

    /** Arithmetic ({@code + - * / // % ** ~}) and the short-circuit {@code and}, {@code or}. */
    record Binary(String op, Expr left, Expr right) implements Expr { }

    /** A Python comparison chain: {@code first ops[0] rest[0] ops[1] rest[1] ...}. */
    record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr { }

    /** {@code then if test else otherwise}; a missing else is Undefined. */
    record Cond(Expr test, Expr then, Expr otherwise) implements Expr { }
}
