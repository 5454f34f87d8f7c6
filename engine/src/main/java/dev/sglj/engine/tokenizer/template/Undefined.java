package dev.sglj.engine.tokenizer.template;

/**
 * Jinja's default Undefined: prints as empty, is falsy, iterates as empty, has length 0; any other use (attribute,
 * arithmetic, call) fails with {@link #message()}.
 */
public record Undefined(String message) {
    static Undefined name(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    static Undefined attribute(Object owner, Object name) {
        if (name instanceof String s) return new Undefined(Values.quotedTypeRepr(owner) + " has no attribute '" + s + "'");
        return new Undefined(Values.typeRepr(owner) + " has no element " + Values.repr(name));
    }

    TemplateException fail() {
        return TemplateException.runtime(message);
    }
}
