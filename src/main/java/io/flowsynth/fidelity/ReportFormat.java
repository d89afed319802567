package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How the report page writes values: numbers with a few significant digits or fixed decimals, shares as percentages,
 * counts with thousands separators, dates and timestamps as ISO text, "–" for what is missing or not a number, and
 * text escaped for XML. Shared by {@link ReportPage} and {@link PairHeatMap}.
 */
final class ReportFormat {
    private ReportFormat() {
    }

    /** A value in the column's unit: dates and timestamps as ISO text, numbers with 4 significant digits. */
    static String value(JsonNode v, String unit) {
        return v.isNumber() ? value(v.asDouble(), unit) : "–";
    }

    static String value(double v, String unit) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if ("epoch_days".equals(unit)) {
            return LocalDate.ofEpochDay(Math.round(v)).toString();
        }
        if ("epoch_micros".equals(unit)) {
            long seconds = Math.floorDiv(Math.round(v), 1_000_000L);
            return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC)
                    .format(Instant.ofEpochSecond(seconds));
        }
        return significant(v);
    }

    /** A spread in the column's unit (days for dates, hours for timestamps). */
    static String spread(JsonNode v, String unit) {
        if (!v.isNumber()) {
            return "–";
        }
        double d = v.asDouble();
        if ("epoch_days".equals(unit)) {
            return significant(d) + " days";
        }
        if ("epoch_micros".equals(unit)) {
            return significant(d / 3.6e9) + " hours";
        }
        return significant(d);
    }

    static String significant(double v) {
        if (v == 0) {
            return "0";
        }
        double abs = Math.abs(v);
        if (abs >= 1e6 || abs < 1e-3) {
            return String.format(Locale.ROOT, "%.4g", v);
        }
        int decimals = Math.max(0, 3 - (int) Math.floor(Math.log10(abs)));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String fmt(JsonNode v, int decimals) {
        return v.isNumber() ? String.format(Locale.ROOT, "%." + decimals + "f", v.asDouble()) : "–";
    }

    static String pct(JsonNode v) {
        return v.isNumber() ? pctValue(v.asDouble()) : "–";
    }

    static String pctValue(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    static String count(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%,d", v.asLong()) : "–";
    }

    static String num(double v) {
        return Svg.num(v);
    }

    static double number(JsonNode v) {
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    static double nz(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** An id fragment safe in XML and URLs, unique per column name. */
    static String anchor(String name) {
        StringBuilder b = new StringBuilder();
        for (char ch : name.toCharArray()) {
            b.append(Character.isLetterOrDigit(ch) && ch < 128 ? String.valueOf(ch) : "_" + (int) ch + "_");
        }
        return b.toString();
    }

    /** Escapes text for XML content and attribute values; drops characters XML 1.0 forbids. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (ch >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r') {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }

    /** A node that is absent: every {@code path} of it is missing, every number NaN. */
    static JsonNode missing() {
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

}
