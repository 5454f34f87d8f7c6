package dev.sglj.engine.tokenizer.template;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code datetime.strftime} for a naive local time, with the C locale's English names. */
final class Strftime {
    private Strftime() {
    }

    static String format(LocalDateTime t, String fmt) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                b.append(c);
                continue;
            }
            char f = fmt.charAt(++i);
            switch (f) {
                case 'Y' -> b.append(t.getYear());
                case 'y' -> b.append(two(t.getYear() % 100));
                case 'm' -> b.append(two(t.getMonthValue()));
                case 'd' -> b.append(two(t.getDayOfMonth()));
                case 'e' -> b.append(String.format("%2d", t.getDayOfMonth()));
                case 'H' -> b.append(two(t.getHour()));
                case 'I' -> b.append(two(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12));
                case 'M' -> b.append(two(t.getMinute()));
                case 'S' -> b.append(two(t.getSecond()));
                case 'f' -> b.append(String.format("%06d", t.getNano() / 1000));
                case 'p' -> b.append(t.getHour() < 12 ? "AM" : "PM");
                case 'b', 'h' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'j' -> b.append(String.format("%03d", t.getDayOfYear()));
                case 'w' -> b.append(t.getDayOfWeek().getValue() % 7);
                case 'u' -> b.append(t.getDayOfWeek().getValue());
                case 'F' -> b.append(format(t, "%Y-%m-%d"));
                case 'T' -> b.append(format(t, "%H:%M:%S"));
                case 'D' -> b.append(format(t, "%m/%d/%y"));
                case 'z', 'Z' -> { }
                case '%' -> b.append('%');
                default -> b.append('%').append(f);
            }
        }
        return b.toString();
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }
}
