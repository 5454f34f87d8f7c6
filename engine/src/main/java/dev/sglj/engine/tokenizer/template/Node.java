package dev.sglj.engine.tokenizer.template;

import java.util.List;

/** Statement nodes of a parsed template. */
sealed interface Node {
    /** An assignment target: a name, a namespace attribute, or names to unpack a sequence into. */
    sealed interface Target {
    }

    record NameTarget(String name) implements Target { }

    record AttrTarget(String name, String attr) implements Target { }

    record TupleTarget(List<String> names) implements Target { }

    record Text(String text) implements Node { }

    record Output(Expr expr) implements Node { }

    record If(List<Expr> tests, List<List<Node>> bodies, List<Node> otherwise) implements Node { }

    record For(Target target, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise) implements Node { }

    record Set(Target target, Expr value) implements Node { }

    record SetBlock(String name, List<Node> body) implements Node { }

    record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body) implements Node { }

    record Break() implements Node { }

    record Continue() implements Node { }
}
