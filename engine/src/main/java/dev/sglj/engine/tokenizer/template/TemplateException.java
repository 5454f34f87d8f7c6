package dev.sglj.engine.tokenizer.template;

/**
 * A chat template failed to parse or to render. For {@code raise_exception(msg)} the message is exactly the
 * template's {@code msg}; for syntax errors it names the line. Maps to an HTTP 400 response.
 */
public final class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Kind kind;
    private final int line;

    /** Where the failure came from. */
    public enum Kind {
        /** The template does not parse. */
        SYNTAX,
        /** The template called {@code raise_exception}. */
        RAISED,
        /** An operation failed while rendering (type error, undefined value used, unknown filter...). */
        RUNTIME
    }

    public TemplateException(Kind kind, String message, int line) {
        super(message, null, false, false);
        this.kind = kind;
        this.line = line;
    }

    public static TemplateException syntax(String message, int line) {
        return new TemplateException(Kind.SYNTAX, message, line);
    }

    public static TemplateException runtime(String message) {
        return new TemplateException(Kind.RUNTIME, message, 0);
    }

    public Kind kind() {
        return kind;
    }

    /** 1-based template line for syntax errors, 0 when unknown. */
    public int line() {
        return line;
    }

    /** The bare message (for {@link Kind#RAISED}: the template's own text). */
    public String detail() {
        return super.getMessage();
    }

    @Override
    public String getMessage() {
        return kind == Kind.SYNTAX ? "chat template syntax error at line " + line + ": " + super.getMessage()
                : super.getMessage();
    }
}
