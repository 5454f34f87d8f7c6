package dev.sglj.engine.tokenizer.template;

import dev.sglj.engine.tokenizer.template.Token.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits template source into tokens as Jinja2's lexer does with {@code trim_blocks=True, lstrip_blocks=True}:
 * newlines normalized to {@code \n}, one trailing newline dropped, {@code -} strips all whitespace on that side of
 * a tag, {@code +} disables lstrip (on an opening tag) or trim (on a closing tag), a block or comment end eats one
 * following newline, and a block or comment tag alone on its line loses the indentation before it.
 */
final class Lexer {
    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<",
        "=", ".", ":", "|", ",", ";"
    };

    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private boolean lineStarting = true;

    private final int[] newlines;

    private Lexer(String source) {
        this.src = normalizeNewlines(source);
        this.newlines = newlinePositions(src);
    }

    private static int[] newlinePositions(String s) {
        return java.util.stream.IntStream.range(0, s.length()).filter(i -> s.charAt(i) == '\n').toArray();
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.out;
    }

    private static String normalizeNewlines(String s) {
        String n = s.indexOf('\r') < 0 ? s : s.replace("\r\n", "\n").replace('\r', '\n');
        return n.endsWith("\n") ? n.substring(0, n.length() - 1) : n;
    }

    private int lineAt(int index) {
        int found = java.util.Arrays.binarySearch(newlines, index);
        return 1 + (found >= 0 ? found : -found - 1);
    }

    private void run() {
        while (pos < src.length()) {
            int tag = nextTagStart(pos);
            if (tag < 0) {
                emitData(src.substring(pos), pos);
                pos = src.length();
                break;
            }
            char kind = src.charAt(tag + 1);
            int afterBegin = tag + 2;
            char sign = afterBegin < src.length() ? src.charAt(afterBegin) : 0;
            boolean hasSign = sign == '-' || sign == '+';
            String text = src.substring(pos, tag);
            if (hasSign && sign == '-') {
                text = PyStrings.rstrip(text, null);
            } else if (sign != '+' && kind != '{') {
                int lpos = text.lastIndexOf('\n') + 1;
                if ((lpos > 0 || lineStarting) && lpos < text.length() && PyStrings.isAllSpace(text, lpos)) {
                    text = text.substring(0, lpos);
                }
            }
            emitData(text, pos);
            pos = afterBegin + (hasSign ? 1 : 0);
            switch (kind) {
                case '#' -> lexComment(tag);
                case '%' -> {
                    if (!lexRaw(tag)) lexTag(Type.BLOCK_BEGIN, Type.BLOCK_END, tag);
                }
                default -> lexTag(Type.VAR_BEGIN, Type.VAR_END, tag);
            }
        }
        out.add(new Token(Type.EOF, "", null, lineAt(src.length())));
    }

    private int nextTagStart(int from) {
        for (int i = from; i < src.length() - 1; i++) {
            if (src.charAt(i) == '{') {
                char c = src.charAt(i + 1);
                if (c == '{' || c == '%' || c == '#') return i;
            }
        }
        return -1;
    }

    private void emitData(String text, int at) {
        if (!text.isEmpty()) out.add(new Token(Type.DATA, text, text, lineAt(at)));
    }

    /** Consumes a closing delimiter at pos if there is one; returns whether it did. */
    private boolean closeTag(String end, boolean trimNewline) {
        if (src.startsWith("-" + end, pos)) {
            pos += end.length() + 1;
            while (pos < src.length() && PyStrings.isSpace(src.charAt(pos))) pos++;
        } else if (trimNewline && src.startsWith("+" + end, pos)) {
            pos += end.length() + 1;
        } else if (src.startsWith(end, pos)) {
            pos += end.length();
            if (trimNewline && pos < src.length() && src.charAt(pos) == '\n') pos++;
        } else {
            return false;
        }
        lineStarting = src.charAt(pos - 1) == '\n';
        return true;
    }

    private void lexComment(int tag) {
        int end = src.indexOf("#}", pos);
        if (end < 0) throw TemplateException.syntax("Missing end of comment tag", lineAt(tag));
        pos = end;
        char before = end > 0 ? src.charAt(end - 1) : 0;
        if ((before == '-' || before == '+') && end - 1 >= tag + 2) pos = end - 1;
        closeTag("#}", true);
    }

    /** Handles {@code {% raw %}...{% endraw %}}: the body is data, verbatim. */
    private boolean lexRaw(int tag) {
        int p = skipSpace(pos);
        if (!src.startsWith("raw", p)) return false;
        p = skipSpace(p + 3);
        boolean stripAfter = src.startsWith("-%}", p);
        if (!stripAfter && !src.startsWith("%}", p)) return false;
        pos = p + (stripAfter ? 3 : 2);
        if (stripAfter) while (pos < src.length() && PyStrings.isSpace(src.charAt(pos))) pos++;
        int search = pos;
        while (true) {
            int t = src.indexOf("{%", search);
            if (t < 0) throw TemplateException.syntax("Missing end of raw directive", lineAt(tag));
            int q = t + 2;
            char sign = q < src.length() ? src.charAt(q) : 0;
            if (sign == '-' || sign == '+') q++;
            q = skipSpace(q);
            if (src.startsWith("endraw", q)) {
                int r = skipSpace(q + 6);
                String text = src.substring(pos, t);
                if (sign == '-') {
                    text = PyStrings.rstrip(text, null);
                } else if (sign != '+') {
                    int lpos = text.lastIndexOf('\n') + 1;
                    if ((lpos > 0 || lineStarting) && lpos < text.length() && PyStrings.isAllSpace(text, lpos)) {
                        text = text.substring(0, lpos);
                    }
                }
                emitData(text, pos);
                pos = r;
                if (!closeTag("%}", true)) throw TemplateException.syntax("Missing end of raw directive", lineAt(t));
                return true;
            }
            search = t + 2;
        }
    }

    private int skipSpace(int p) {
        while (p < src.length() && PyStrings.isSpace(src.charAt(p))) p++;
        return p;
    }

    private void lexTag(Type begin, Type endType, int tag) {
        String end = begin == Type.BLOCK_BEGIN ? "%}" : "}}";
        out.add(new Token(begin, src.substring(tag, pos), null, lineAt(tag)));
        Deque<Character> balance = new ArrayDeque<>();
        while (true) {
            if (pos >= src.length()) {
                String what = begin == Type.BLOCK_BEGIN ? "block" : "variable";
                throw TemplateException.syntax("unexpected end of template, expected end of " + what, lineAt(pos));
            }
            int line = lineAt(pos);
            if (balance.isEmpty() && closeTag(end, begin == Type.BLOCK_BEGIN)) {
                out.add(new Token(endType, end, null, line));
                return;
            }
            char c = src.charAt(pos);
            if (PyStrings.isSpace(c)) {
                pos++;
            } else if (Character.isDigit(c)) {
                lexNumber(line);
            } else if (c == '_' || Character.isUnicodeIdentifierStart(c)) {
                int s = pos++;
                while (pos < src.length() && (src.charAt(pos) == '_'
                        || Character.isUnicodeIdentifierPart(src.charAt(pos)))) {
                    pos++;
                }
                String name = src.substring(s, pos);
                out.add(new Token(Type.NAME, name, name, line));
            } else if (c == '\'' || c == '"') {
                lexString(c, line);
            } else {
                lexOperator(balance, line);
            }
        }
    }

    private void lexOperator(Deque<Character> balance, int line) {
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                char c = op.charAt(0);
                if (op.length() == 1 && (c == '(' || c == '[' || c == '{')) {
                    balance.push(c == '(' ? ')' : c == '[' ? ']' : '}');
                } else if (op.length() == 1 && (c == ')' || c == ']' || c == '}')) {
                    if (balance.isEmpty()) throw TemplateException.syntax("unexpected '" + c + "'", line);
                    char expected = balance.pop();
                    if (expected != c) {
                        throw TemplateException.syntax("unexpected '" + c + "', expected '" + expected + "'", line);
                    }
                }
                pos += op.length();
                out.add(new Token(Type.OP, op, op, line));
                return;
            }
        }
        throw TemplateException.syntax("unexpected char '" + src.charAt(pos) + "' at " + pos, line);
    }

    private void lexNumber(int line) {
        int s = pos;
        if (src.charAt(pos) == '0' && pos + 1 < src.length() && "xXoObB".indexOf(src.charAt(pos + 1)) >= 0) {
            char base = Character.toLowerCase(src.charAt(pos + 1));
            pos += 2;
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
            String digits = src.substring(s + 2, pos).replace("_", "");
            int radix = base == 'x' ? 16 : base == 'o' ? 8 : 2;
            out.add(new Token(Type.INT, src.substring(s, pos), Long.parseLong(digits, radix), line));
            return;
        }
        skipDigits();
        boolean isFloat = false;
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            pos++;
            skipDigits();
            isFloat = true;
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int p = pos + 1;
            if (p < src.length() && (src.charAt(p) == '+' || src.charAt(p) == '-')) p++;
            if (p < src.length() && Character.isDigit(src.charAt(p))) {
                pos = p;
                skipDigits();
                isFloat = true;
            }
        }
        String text = src.substring(s, pos);
        String clean = text.replace("_", "");
        Object value = isFloat ? (Object) Double.parseDouble(clean) : (Object) Long.parseLong(clean);
        out.add(new Token(isFloat ? Type.FLOAT : Type.INT, text, value, line));
    }

    private void skipDigits() {
        while (pos < src.length() && (Character.isDigit(src.charAt(pos))
                || (src.charAt(pos) == '_' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))))) {
            pos++;
        }
    }

    private void lexString(char quote, int line) {
        int s = pos++;
        StringBuilder raw = new StringBuilder();
        while (true) {
            if (pos >= src.length()) throw TemplateException.syntax("unexpected char '" + quote + "' at " + s, line);
            char c = src.charAt(pos);
            if (c == quote) break;
            if (c == '\\' && pos + 1 < src.length()) {
                raw.append(c).append(src.charAt(pos + 1));
                pos += 2;
            } else {
                raw.append(c);
                pos++;
            }
        }
        pos++;
        out.add(new Token(Type.STRING, src.substring(s, pos), unescape(raw.toString(), line), line));
    }

    /** Python's "unicode-escape" decoding, which Jinja applies to string literals. */
    private static String unescape(String s, int line) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\n' -> { }
                case '\\' -> b.append('\\');
                case '\'' -> b.append('\'');
                case '"' -> b.append('"');
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'v' -> b.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    int cp;
                    try {
                        cp = Integer.parseInt(s.substring(i + 1, i + 1 + n), 16);
                    } catch (RuntimeException ex) {
                        throw TemplateException.syntax("truncated \\" + e + " escape", line);
                    }
                    b.appendCodePoint(cp);
                    i += n;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int j = i;
                        int v = 0;
                        while (j < s.length() && j < i + 3 && s.charAt(j) >= '0' && s.charAt(j) <= '7') {
                            v = v * 8 + (s.charAt(j++) - '0');
                        }
                        b.append((char) v);
                        i = j - 1;
                    } else {
                        b.append('\\').append(e);
                    }
                }
            }
        }
        return b.toString();
    }
}
