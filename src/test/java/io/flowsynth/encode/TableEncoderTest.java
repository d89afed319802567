package io.flowsynth.encode;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableEncoderTest {

    private static final int ROWS = 2000;

    /** Rows of (double with NaN/±∞/null, int, decimal, date, timestamp, string, constant, all-null). */
    private static List<Object[]> rows(long seed) {
        Random rng = new Random(seed);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            double r = rng.nextDouble();
            Object x = r < 0.05 ? null : r < 0.07 ? Double.NaN : r < 0.08 ? Double.POSITIVE_INFINITY
                    : r < 0.09 ? Double.NEGATIVE_INFINITY : rng.nextGaussian() * 10;
            rows.add(new Object[]{
                    x,
                    rng.nextInt(500),
                    BigDecimal.valueOf(rng.nextInt(100_000), 2),
                    ColumnValues.dateOfEpochDay(18_000 + rng.nextInt(400)),
                    new Timestamp(1_600_000_000_000L + rng.nextInt(1_000_000) * 1000L),
                    rng.nextBoolean() ? "a" : rng.nextBoolean() ? "b" : null,
                    "same",
                    null});
        }
        return rows;
    }

    private static TableEncoder fit(List<Object[]> rows) {
        List<List<Object>> cols = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            List<Object> col = new ArrayList<>();
            for (Object[] r : rows) {
                col.add(r[c]);
            }
            cols.add(col);
        }
        return new TableEncoder(List.of(
                Fixtures.quantile("x", "continuous", ColumnType.of(ColumnType.Base.DOUBLE), cols.get(0), 100),
                Fixtures.quantile("n", "integer", ColumnType.of(ColumnType.Base.INT), cols.get(1), 100),
                Fixtures.quantile("price", "continuous", ColumnType.decimal(7, 2), cols.get(2), 100),
                Fixtures.quantile("day", "datetime", ColumnType.of(ColumnType.Base.DATE), cols.get(3), 100),
                Fixtures.quantile("at", "datetime", ColumnType.of(ColumnType.Base.TIMESTAMP), cols.get(4), 100),
                Fixtures.categorical("tag", ColumnType.of(ColumnType.Base.STRING), cols.get(5), 1000),
                new ConstantEncoder("k", ColumnType.of(ColumnType.Base.STRING), "same"),
                new ConstantEncoder("empty", ColumnType.of(ColumnType.Base.DATE), null)),
                List.of("tags"));
    }

    @Test
    void widthAndFeatureNamesFollowTheColumns() {
        TableEncoder encoder = fit(rows(1));
        assertThat(encoder.featureNames())
                .containsExactly("x", "x#null", "n", "price", "day", "at", "tag");
        assertThat(encoder.width()).isEqualTo(7);
        assertThat(encoder.columnNames()).containsExactly("x", "n", "price", "day", "at", "tag", "k", "empty");
        assertThat(encoder.droppedColumns()).containsExactly("tags");
        assertThat(encoder.columns()).extracting(ColumnEncoder::kind).containsExactly("continuous", "integer",
                "continuous", "datetime", "datetime", "categorical", "constant", "constant");
    }

    @Test
    void rowsRoundTripThroughEncodeAndDecode() {
        List<Object[]> rows = rows(2);
        TableEncoder encoder = fit(rows);
        Random rng = new Random(3);
        double[] z = new double[encoder.width()];
        for (Object[] row : rows) {
            encoder.encode(row, z, rng);
            Object[] back = encoder.decode(z, rng);
            for (int c = 1; c < row.length; c++) {
                assertThat(back[c]).as("column %s", encoder.columns().get(c).column()).isEqualTo(row[c]);
            }
            if (row[0] == null || Double.isNaN((Double) row[0]) || Double.isInfinite((Double) row[0])) {
                assertThat(back[0]).isEqualTo(row[0]);
            } else {
                assertThat((Double) back[0]).isCloseTo((Double) row[0], org.assertj.core.data.Offset.offset(1e-9));
            }
        }
        assertThat(encoder.decode(z, rng)[6]).isEqualTo("same");
        assertThat(encoder.decode(z, rng)[7]).isNull();
        assertThat(encoder.decode(z, rng)[3]).isInstanceOf(Date.class);
    }

    @Test
    void jsonRoundTripGivesIdenticalEncodingsAndDecodings() throws Exception {
        List<Object[]> rows = rows(4);
        TableEncoder encoder = fit(rows);
        ObjectMapper mapper = new ObjectMapper();
        String text = mapper.writeValueAsString(encoder.toJson());
        TableEncoder back = TableEncoder.fromJson(mapper.readTree(text));
        assertThat(back.toJson()).isEqualTo(encoder.toJson());
        assertThat(back.featureNames()).isEqualTo(encoder.featureNames());
        assertThat(back.droppedColumns()).isEqualTo(encoder.droppedColumns());
        Random r1 = new Random(5);
        Random r2 = new Random(5);
        double[] z1 = new double[encoder.width()];
        double[] z2 = new double[encoder.width()];
        for (Object[] row : rows) {
            encoder.encode(row, z1, r1);
            back.encode(row, z2, r2);
            assertThat(z2).containsExactly(z1);
            assertThat(back.decode(z1, r2)).containsExactly(encoder.decode(z1, r1));
        }
    }

    @Test
    void javaSerializationKeepsTheEncoderForSparkClosures() throws Exception {
        TableEncoder encoder = fit(rows(6));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(encoder);
        }
        TableEncoder back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (TableEncoder) in.readObject();
        }
        assertThat(back.toJson()).isEqualTo(encoder.toJson());
    }

    @Test
    void decodeOfExtremeFeaturesNeverThrowsAndGivesValuesOfTheColumnTypes() {
        TableEncoder encoder = fit(rows(7));
        Random rng = new Random(8);
        double[] specials = {1e6, -1e6, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
        for (double s : specials) {
            double[] z = new double[encoder.width()];
            java.util.Arrays.fill(z, s);
            Object[] row = encoder.decode(z, rng);
            assertThat(row[1]).isInstanceOf(Integer.class);
            assertThat((Integer) row[1]).isBetween(0, 499);
            assertThat(row[2]).isInstanceOf(BigDecimal.class);
            assertThat(row[4]).isInstanceOf(Timestamp.class);
            assertThat(((Timestamp) row[4]).getNanos() % 1_000_000).isZero();
        }
    }

    @Test
    void encodeRejectsARowOfTheWrongLength() {
        TableEncoder encoder = fit(rows(9));
        assertThatThrownBy(() -> encoder.encode(new Object[3], new double[encoder.width()], new Random()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 8 values");
    }

    @Test
    void fromJsonRejectsAnotherFormat() {
        assertThatThrownBy(() -> TableEncoder.fromJson(new ObjectMapper().createObjectNode().put("format", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
