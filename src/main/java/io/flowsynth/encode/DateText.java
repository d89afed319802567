package io.flowsynth.encode;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dates written as text ("Jun 12 1998", "03/15/2021", "2021-03-15" in a string column): the formats recognised, and
 * the exact round trip between such a text and its date. A string column all of whose values are dates in one of
 * {@link #PATTERNS}, each written back to exactly its own text by that pattern, is learned as a date
 * ({@link DateTextEncoder}) and sampled as text in the same pattern: the synthetic values are dates in the real
 * column's format, not strings generated from its character shapes. Patterns are {@link DateTimeFormatter} patterns,
 * US month names, strict resolution (no 31 February).
 */
public final class DateText {
    /**
     * The patterns tried, in order (for a column whose every day is at most 12, month-first is taken: the text round
     * trips either way). Two-digit years and bare digit runs (yyyyMMdd: zip codes, ids) are not recognised.
     */
    public static final List<String> PATTERNS = List.of(
            "yyyy-MM-dd", "yyyy/MM/dd", "yyyy-M-d", "yyyy/M/d",
            "MM/dd/yyyy", "M/d/yyyy", "dd/MM/yyyy", "d/M/yyyy",
            "MM-dd-yyyy", "dd-MM-yyyy", "dd.MM.yyyy", "d.M.yyyy",
            "MMM d yyyy", "MMM dd yyyy", "MMM d, yyyy", "MMM dd, yyyy", "MMMM d, yyyy", "MMMM d yyyy",
            "d MMM yyyy", "dd MMM yyyy", "d MMMM yyyy", "dd-MMM-yyyy", "d-MMM-yyyy", "EEE MMM dd yyyy");

    /** Fewest distinct sampled values a column needs before its values are taken for dates. */
    public static final int MIN_DISTINCT = 10;

    private static final Map<String, DateTimeFormatter> FORMATTERS = new ConcurrentHashMap<>();

    private DateText() {
    }

    private static DateTimeFormatter formatter(String pattern) {
        // 'u' (proleptic year) rather than 'y' (year of era): strict resolution needs no era then
        return FORMATTERS.computeIfAbsent(pattern, p -> DateTimeFormatter.ofPattern(p.replace('y', 'u'), Locale.US)
                .withResolverStyle(ResolverStyle.STRICT));
    }

    /** The date {@code text} writes in {@code pattern}, or null when it is not exactly that date's text. */
    public static LocalDate parse(String text, String pattern) {
        if (text == null) {
            return null;
        }
        try {
            LocalDate d = LocalDate.parse(text, formatter(pattern));
            return format(d, pattern).equals(text) ? d : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code date} as text in {@code pattern}. */
    public static String format(LocalDate date, String pattern) {
        return formatter(pattern).format(date);
    }

    /**
     * The first of {@link #PATTERNS} in which every one of {@code values} (nulls skipped) is exactly a date's text,
     * or null: none, or fewer than {@link #MIN_DISTINCT} distinct values.
     */
    public static String detect(Collection<String> values) {
        List<String> texts = values.stream().filter(v -> v != null).distinct().toList();
        if (texts.size() < MIN_DISTINCT) {
            return null;
        }
        for (String p : PATTERNS) {
            boolean all = true;
            for (String t : texts) {
                if (parse(t, p) == null) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return p;
            }
        }
        return null;
    }
}
