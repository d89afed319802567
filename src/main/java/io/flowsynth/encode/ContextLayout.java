package io.flowsynth.encode;

import io.flowsynth.config.ConfigKeys;
import io.flowsynth.error.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The feature layout of a conditional model ({@link ConfigKeys#CONDITION_COLUMNS}): the context columns' encoders
 * first, in the order the user gave them, then the other columns in source order, so that the context is the leading
 * {@link #contextFeatures} features the flow conditions on ({@code FlowSpec#contextFeatures}). Decoding and
 * sampling place columns by name, so the synthetic table keeps the source column order.
 */
public final class ContextLayout {
    /**
     * A categorical context column of at most this many outcomes gets level indicators after its interval feature
     * ({@link CategoricalEncoder#withContextIndicators}): one conditioner input per level.
     */
    public static final int MAX_INDICATOR_LEVELS = 64;

    private ContextLayout() {
    }

    /**
     * The encoder with the context columns first.
     *
     * @throws BadInputException naming a context column that is not in the table, not learned (dropped, constant,
     *                           ignored or generated: identifiers, fake values, text), or when no learned column is
     *                           left to model
     */
    public static TableEncoder contextFirst(TableEncoder encoder, List<String> context, List<String> tableColumns) {
        List<ColumnEncoder> first = new ArrayList<>();
        for (String name : context) {
            if (!tableColumns.contains(name)) {
                throw new BadInputException(ConfigKeys.CONDITION_COLUMNS + ": no column '" + name
                        + "' in the input (columns: " + String.join(", ", tableColumns) + ")");
            }
            ColumnEncoder column = encoder.columns().stream().filter(c -> c.column().equals(name)).findFirst()
                    .orElseThrow(() -> new BadInputException(ConfigKeys.CONDITION_COLUMNS + ": column '" + name
                            + "' is not learned (unsupported type, dropped or ignored): it cannot be a condition"));
            if (column instanceof GeneratedColumn || column.width() == 0) {
                throw new BadInputException(ConfigKeys.CONDITION_COLUMNS + ": column '" + name + "' is "
                        + (column.width() == 0 ? "constant or ignored" : "generated (" + column.kind()
                        + ": its synthetic values are fresh, not learned)") + ": it cannot be a condition");
            }
            if (column instanceof CategoricalEncoder cat && cat.split()) {
                column = cat.unsplit(); // a context's levels are its categories, whatever their parents
            }
            if (discrete(column) && ((CategoricalEncoder) column).outcomeCount() <= MAX_INDICATOR_LEVELS) {
                column = ((CategoricalEncoder) column).withContextIndicators(true);
            }
            first.add(column);
        }
        List<ColumnEncoder> ordered = new ArrayList<>(first);
        int rest = 0;
        for (ColumnEncoder c : encoder.columns()) {
            if (!context.contains(c.column())) {
                ordered.add(c);
                rest += c.width();
            }
        }
        if (rest == 0) {
            throw new BadInputException(ConfigKeys.CONDITION_COLUMNS + ": every learned column is a condition ("
                    + String.join(", ", context) + "): nothing is left to model");
        }
        // an encoder already in this order (a resumed fit's) keeps its releases and its context joint
        return new TableEncoder(ordered, encoder.droppedColumns(), encoder.privacy())
                .withContextJoint(encoder.contextJoint()).withContextAuto(encoder.contextAuto());
    }

    /**
     * Whether a condition value is one the model kept at fit: a kept category (not unseen, not protected as rare), or
     * a number, date or timestamp within the column's bounds (the protected bounds of extreme-value protection, so a
     * value beyond them can only be a real extreme). Conditional sampling copies condition values into its output as
     * given, so by default it accepts only these.
     */
    public static boolean isKept(ColumnEncoder column, Object value) {
        if (column instanceof DateTextEncoder dt) {
            java.time.LocalDate d = value == null ? null : DateText.parse(value.toString(), dt.pattern());
            return (value == null || d != null) && isKept(dt.dates(), d == null ? null : java.sql.Date.valueOf(d));
        }
        if (column instanceof CategoricalEncoder cat) {
            return cat.isKept(value);
        }
        if (value == null) {
            return true;
        }
        double min;
        double max;
        if (column instanceof QuantileEncoder q) {
            min = q.min();
            max = q.max();
        } else if (column instanceof ModeEncoder m) {
            min = m.min();
            max = m.max();
        } else {
            return true;
        }
        double v = ColumnValues.toDouble(column.type(), value);
        return !(v < min || v > max);
    }

    /**
     * The categorical features among the leading {@code columns} (context) columns of a conditional model's encoder,
     * fed to the flow at fixed values ({@code io.flowsynth.flow.DiscreteContext}): per context feature its categories'
     * frequency-interval bounds, or null for a continuous one; null when no feature is discrete (numeric, date or
     * one-hot context columns stay continuous).
     */
    public static double[][] discreteContextBounds(TableEncoder encoder, int columns) {
        List<double[]> bounds = new ArrayList<>();
        boolean any = false;
        for (int i = 0; i < columns; i++) {
            ColumnEncoder c = encoder.columns().get(i);
            if (discrete(c)) {
                CategoricalEncoder cat = (CategoricalEncoder) c;
                bounds.add(cat.intervalBounds());
                for (int j = 1; j < cat.width(); j++) {
                    bounds.add(null); // its level indicators
                }
                any = true;
            } else {
                for (int j = 0; j < c.width(); j++) {
                    bounds.add(null);
                }
            }
        }
        return any ? bounds.toArray(new double[0][]) : null;
    }

    /**
     * Per feature of the leading {@code columns} (context) columns, the number of level indicators following it: a
     * discrete column's outcome count when it has indicators, else 0 ({@code io.flowsynth.flow.DiscreteContext}).
     */
    public static int[] contextIndicators(TableEncoder encoder, int columns) {
        int[] out = new int[contextFeatures(encoder, columns)];
        int at = 0;
        for (int i = 0; i < columns; i++) {
            ColumnEncoder c = encoder.columns().get(i);
            if (discrete(c) && ((CategoricalEncoder) c).indicators()) {
                out[at] = c.width() - 1;
            }
            at += c.width();
        }
        return out;
    }

    /** The leading columns of an encoder that are categorical with level indicators (an automatic context's). */
    public static List<String> indicatorColumns(TableEncoder encoder) {
        List<String> names = new ArrayList<>();
        for (ColumnEncoder c : encoder.columns()) {
            if (!(c instanceof CategoricalEncoder cat && cat.indicators())) {
                break;
            }
            names.add(c.column());
        }
        return names;
    }

    /** The indices of the discrete ones among the leading {@code columns} (context) columns. */
    public static int[] discreteColumns(TableEncoder encoder, int columns) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
            if (discrete(encoder.columns().get(i))) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A categorical column of one frequency-interval feature (and its level indicators, if any): fed at one value per
     * level as a context.
     */
    private static boolean discrete(ColumnEncoder c) {
        return c instanceof CategoricalEncoder cat && !cat.onehot() && cat.width() >= 1;
    }

    /** Number of features of the leading {@code columns} columns of the encoder. */
    public static int contextFeatures(TableEncoder encoder, int columns) {
        int width = 0;
        for (int i = 0; i < columns; i++) {
            width += encoder.columns().get(i).width();
        }
        return width;
    }

    /** The context columns of a conditional model: the leading columns that hold its first {@code features} features. */
    public static List<String> contextColumns(TableEncoder encoder, int features) {
        List<String> names = new ArrayList<>();
        int width = 0;
        for (ColumnEncoder c : encoder.columns()) {
            if (width >= features) {
                break;
            }
            names.add(c.column());
            width += c.width();
        }
        if (width != features) {
            throw new IllegalArgumentException("The encoder's leading columns do not cover " + features
                    + " context features");
        }
        return List.copyOf(names);
    }
}
