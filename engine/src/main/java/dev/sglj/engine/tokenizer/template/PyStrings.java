package dev.sglj.engine.tokenizer.template;

import java.util.ArrayList;
import java.util.List;

/** Python {@code str} semantics over Java strings (code points, Python's notion of whitespace). */
final class PyStrings {
    private PyStrings() {
    }

    /** Python's str.isspace for one code point. */
    static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0
                || (cp > 0xff && Character.isWhitespace(cp)) || (cp > 0xff && Character.isSpaceChar(cp));
    }

    static boolean isAllSpace(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!isSpace(s.charAt(i))) return false;
        }
        return true;
    }

    private static boolean strips(int cp, String chars) {
        return chars == null ? isSpace(cp) : chars.indexOf(cp) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!strips(cp, chars)) break;
            i += Character.charCount(cp);
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0) {
            int cp = s.codePointBefore(j);
            if (!strips(cp, chars)) break;
            j -= Character.charCount(cp);
        }
        return s.substring(0, j);
    }

    static String strip(String s, String chars) {
        return lstrip(rstrip(s, chars), chars);
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** str.split(sep, maxsplit): sep null splits on whitespace runs and drops empty parts. */
    static List<Object> split(String s, String sep, long maxsplit) {
        List<Object> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) i++;
                if (i >= n) break;
                if (maxsplit >= 0 && parts.size() == maxsplit) {
                    parts.add(s.substring(i));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) j++;
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        if (sep.isEmpty()) throw TemplateException.runtime("empty separator");
        int start = 0;
        while (maxsplit < 0 || parts.size() < maxsplit) {
            int k = s.indexOf(sep, start);
            if (k < 0) break;
            parts.add(s.substring(start, k));
            start = k + sep.length();
        }
        parts.add(s.substring(start));
        return parts;
    }

    static List<Object> splitlines(String s) {
        List<Object> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean crlf = c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n';
            if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
                    || c == 0x85 || c == 0x2028 || c == 0x2029) {
                lines.add(s.substring(start, i));
                i += crlf ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        if (start < s.length()) lines.add(s.substring(start));
        return lines;
    }

    /** Python str.title: uppercase a cased letter following an uncased one, lowercase the others. */
    static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
            b.appendCodePoint(cased ? (prevCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp)) : cp);
            prevCased = cased;
        }
        return b.toString();
    }

    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int cp = s.codePointAt(0);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(cp))
                .append(lower(s.substring(Character.charCount(cp)))).toString();
    }

    static String upper(String s) {
        return s.toUpperCase(java.util.Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    static String replace(String s, String old, String with, long count) {
        if (count < 0) {
            if (old.isEmpty()) return replaceEmpty(s, with, Long.MAX_VALUE);
            return s.replace(old, with);
        }
        if (old.isEmpty()) return replaceEmpty(s, with, count);
        StringBuilder b = new StringBuilder();
        int start = 0;
        for (long n = 0; n < count; n++) {
            int k = s.indexOf(old, start);
            if (k < 0) break;
            b.append(s, start, k).append(with);
            start = k + old.length();
        }
        return b.append(s.substring(start)).toString();
    }

    private static String replaceEmpty(String s, String with, long count) {
        StringBuilder b = new StringBuilder();
        long n = 0;
        for (int i = 0; i < s.length(); ) {
            if (n++ < count) b.append(with);
            int cp = s.codePointAt(i);
            b.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        if (n < count) b.append(with);
        return b.toString();
    }

    /** Code-point index of {@code needle}, or -1 (Python str.find). */
    static long find(String s, String needle) {
        int k = s.indexOf(needle);
        return k < 0 ? -1 : s.codePointCount(0, k);
    }

    static long count(String s, String needle) {
        if (needle.isEmpty()) return length(s) + 1L;
        long n = 0;
        for (int k = s.indexOf(needle); k >= 0; k = s.indexOf(needle, k + needle.length())) n++;
        return n;
    }

    /** Python repr of a string: single quotes unless it contains ' and no ". */
    static String repr(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder(s.length() + 2).append(q);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == q || cp == '\\') {
                b.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (cp < 0x20 || cp == 0x7f) {
                b.append(String.format("\\x%02x", cp));
            } else if (!isPrintable(cp)) {
                b.append(cp <= 0xff ? String.format("\\x%02x", cp)
                        : cp <= 0xffff ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        }
        return b.append(q).toString();
    }

    private static boolean isPrintable(int cp) {
        if (cp == ' ') return true;
        int t = Character.getType(cp);
        return !(t == Character.CONTROL || t == Character.FORMAT || t == Character.SURROGATE
                || t == Character.PRIVATE_USE || t == Character.UNASSIGNED || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR || t == Character.SPACE_SEPARATOR);
    }

    /** Python str slicing by code points with start/stop/step (nulls for omitted bounds). */
    static String slice(String s, Long start, Long stop, Long step) {
        int[] cps = s.codePoints().toArray();
        List<Integer> idx = Values.sliceIndices(cps.length, start, stop, step);
        StringBuilder b = new StringBuilder();
        for (int i : idx) b.appendCodePoint(cps[i]);
        return b.toString();
    }

    /** The code point at a Python index, or null when out of range. */
    static String charAt(String s, long index) {
        int n = length(s);
        long i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) return null;
        int off = s.offsetByCodePoints(0, (int) i);
        return new String(Character.toChars(s.codePointAt(off)));
    }
}
