package dev.sglj.engine.tokenizer.template;

/** One lexical token; {@code value} is the decoded literal for STRING, INT and FLOAT, else the text. */
record Token(Type type, String text, Object value, int line) {
    enum Type { DATA, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    boolean is(Type t, String s) {
        return type == t && text.equals(s);
    }

    boolean isName(String s) {
        return is(Type.NAME, s);
    }

    boolean isOp(String s) {
        return is(Type.OP, s);
    }

    /** How Jinja names this token in "unexpected ..." messages. */
    String describe() {
        return switch (type) {
            case NAME, OP -> text;
            case VAR_END -> "end of print statement";
            case BLOCK_END -> "end of statement block";
            case EOF -> "end of template";
            case STRING -> "string";
            case INT -> "integer";
            case FLOAT -> "float";
            case DATA -> "template data / text";
            case VAR_BEGIN -> "begin of print statement";
            case BLOCK_BEGIN -> "begin of statement block";
        };
    }
}
