package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;

/**
 * A string column of dates written as text in one pattern ({@link DateText}): learned by a date encoder (quantile,
 * or categorical for few dates) over the parsed dates, decoded back to text in the same pattern, so the synthetic
 * column keeps the source's string type and format. A value that is not a date in the pattern (possible only in a
 * table other than the one fitted: the fit checks every value) is encoded as a null and scored out of domain.
 */
public final class DateTextEncoder implements ColumnEncoder {
    private static final long serialVersionUID = 1L;
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);

    private final ColumnEncoder dates;
    private final String pattern;

    /**
     * @param dates   the fitted encoder of the column's values as dates (type date)
     * @param pattern the text pattern, one of {@link DateText#PATTERNS}
     */
    public DateTextEncoder(ColumnEncoder dates, String pattern) {
        if (dates.type().base() != ColumnType.Base.DATE || dates instanceof GeneratedColumn) {
            throw new IllegalArgumentException("Column '" + dates.column() + "': a date-text column needs a learned "
                    + "date encoder, not " + dates.getClass().getSimpleName() + " of type " + dates.type());
        }
        this.dates = dates;
        this.pattern = pattern;
    }

    /** The encoder of the parsed dates. */
    public ColumnEncoder dates() {
        return dates;
    }

    /** The text pattern of the dates. */
    public String pattern() {
        return pattern;
    }

    @Override
    public String column() {
        return dates.column();
    }

    @Override
    public String kind() {
        return dates.kind();
    }

    @Override
    public ColumnType type() {
        return STRING;
    }

    @Override
    public int width() {
        return dates.width();
    }

    @Override
    public java.util.function.DoubleUnaryOperator decodeEdges(int feature) {
        return dates.decodeEdges(feature);
    }

    @Override
    public List<String> featureNames() {
        return dates.featureNames();
    }

    private LocalDate date(Object value) {
        return value == null ? null : DateText.parse(value.toString(), pattern);
    }

    @Override
    public void encode(Object value, double[] out, int offset, Random rng) {
        dates.encode(date(value), out, offset, rng);
    }

    private String text(Object date) {
        if (date == null) {
            return null;
        }
        LocalDate d = date instanceof java.sql.Date s ? s.toLocalDate()
                : date instanceof LocalDate l ? l : LocalDate.ofEpochDay(((Number) date).longValue());
        return DateText.format(d, pattern);
    }

    @Override
    public Object decode(double[] z, int offset, Random rng) {
        return text(dates.decode(z, offset, rng));
    }

    @Override
    public Object decodeIndependent(double[] z, int offset, Random rng) {
        return text(dates.decodeIndependent(z, offset, rng));
    }

    @Override
    public void decodeIndependentInto(double[] z, int offset, Random rng, ValueSink out, int column) {
        out.setValue(column, decodeIndependent(z, offset, rng));
    }

    @Override
    public boolean decodesWithoutRandomness() {
        return dates.decodesWithoutRandomness();
    }

    @Override
    public double logDensityCorrection(Object value, double[] features, int offset) {
        LocalDate d = date(value);
        double correction = dates.logDensityCorrection(d, features, offset);
        return value != null && d == null ? correction + OUT_OF_DOMAIN_LOG_PROB : correction;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = jsonHeader();
        json.put("text_format", pattern);
        json.set("dates", dates.toJson());
        return json;
    }

    /** Reads {@link #toJson()}. */
    public static DateTextEncoder fromJson(JsonNode json) {
        return new DateTextEncoder(TableEncoder.columnFromJson(json.path("dates")), json.path("text_format").asText());
    }
}
