package io.flowsynth.fidelity;

import java.util.Locale;

/**
 * The few SVG elements the report page draws, written into a {@link StringBuilder} as well-formed XML: an accessible
 * chart root ({@code role="img"}, labelled by its {@code title} and {@code desc}), rectangles, lines and text.
 * Coordinates given as doubles are written with two decimals ({@link #num}); the caller escapes any text it passes.
 */
final class Svg {
    private Svg() {
    }

    /**
     * Opens an {@code svg} element of the given size whose accessible name and description are the elements with ids
     * {@code titleId} and {@code descId} (the caller writes them next).
     */
    static StringBuilder open(StringBuilder h, int width, int height, String titleId, String descId) {
        return h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" aria-labelledby=\"").append(titleId).append(' ').append(descId)
                .append("\">\n");
    }

    /** A filled rectangle; coordinates with two decimals. */
    static void rect(StringBuilder h, double x, double y, double width, double height, String fill) {
        h.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"")
                .append(num(width)).append("\" height=\"").append(num(height)).append("\" fill=\"").append(fill)
                .append("\"/>\n");
    }

    /** A line of the given stroke colour. */
    static void line(StringBuilder h, String x1, String y1, String x2, String y2, String stroke) {
        h.append("<line x1=\"").append(x1).append("\" y1=\"").append(y1).append("\" x2=\"").append(x2)
                .append("\" y2=\"").append(y2).append("\" stroke=\"").append(stroke).append("\"/>\n");
    }

    /** A number with two decimals, as SVG coordinates are written. */
    static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
