package io.flowsynth.spark.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flowsynth.error.BadInputException;
import io.flowsynth.fidelity.ConditionReport;
import io.flowsynth.fidelity.FidelityReport;
import io.flowsynth.spark.SharedSparkSession;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConditionalFidelityEvaluatorTest {
    private static final StructType SCHEMA = new StructType()
            .add("region", DataTypes.StringType)
            .add("x", DataTypes.DoubleType)
            .add("y", DataTypes.DoubleType)
            .add("tier", DataTypes.StringType)
            .add("day", DataTypes.DateType);
    private static final String[] REGIONS = {"north", "south", "east", "west"};
    private static final int[] COUNTS = {300, 220, 160, 120};
    private static SparkSession spark;

    @BeforeAll
    static void session() {
        spark = SharedSparkSession.get();
    }

    /**
     * Rows whose x, y, tier and day depend on the region: x ~ N(3·r, 1) (+ shift for the region {@code shifted}),
     * y = x + N(0, 1), tier from x, day spread over a year; a few nulls in x and region.
     */
    static Dataset<Row> table(long seed, String shifted, double shift, int[] counts, String... extra) {
        Random random = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < REGIONS.length; r++) {
            for (int i = 0; i < counts[r]; i++) {
                double x = 3 * r + random.nextGaussian() + (REGIONS[r].equals(shifted) ? shift : 0);
                double y = x + random.nextGaussian();
                Double xv = random.nextDouble() < 0.03 ? null : x;
                rows.add(RowFactory.create(REGIONS[r], xv, y, x > 3 * r ? "high" : "low",
                        Date.valueOf(LocalDate.of(2021, 1, 1).plusDays(random.nextInt(365)))));
            }
        }
        for (String e : extra) {
            double x = random.nextGaussian();
            rows.add(RowFactory.create(e, x, x, "low", Date.valueOf(LocalDate.of(2021, 6, 1))));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    static ConditionReport evaluate(Dataset<Row> real, Dataset<Row> synthetic, int top, String... columns) {
        return new ConditionalFidelityEvaluator(50_000, 7, 2000, top, 5, ConditionalFidelityEvaluator.MIN_ROWS)
                .evaluate(real, synthetic, List.of(columns), "Option --condition-columns");
    }

    static ConditionReport.Entry entry(ConditionReport report, String value) {
        return report.entries().stream().filter(e -> value.equals(e.values().get(0))).findFirst().orElseThrow();
    }

    @Test
    void aSyntheticTableEqualToTheRealOneScoresOneForEveryContextValue() {
        Dataset<Row> real = table(1, null, 0, COUNTS);
        ConditionReport report = evaluate(real, real, 10, "region");
        assertThat(report.entries()).extracting(e -> e.values().get(0)).containsExactly(REGIONS); // by frequency
        for (ConditionReport.Entry e : report.entries()) {
            assertThat(e.status()).isEqualTo(ConditionReport.SCORED);
            assertThat(e.scores().quality()).as(e.values().toString()).isEqualTo(1.0);
            assertThat(e.realRows()).isEqualTo(e.syntheticRows());
        }
        assertThat(report.overall().quality()).isEqualTo(1.0);
        assertThat(report.contextFrequency()).isEqualTo(1.0);
        assertThat(report.scoredColumns()).containsExactly("x", "y", "tier", "day");
    }

    @Test
    void aValueWhoseSyntheticRowsAreShiftedScoresLowAndTheOthersHigh() {
        Dataset<Row> real = table(1, null, 0, COUNTS);
        Dataset<Row> synthetic = table(2, "east", 4, COUNTS);
        ConditionReport report = evaluate(real, synthetic, 10, "region");
        double east = entry(report, "east").scores().quality();
        assertThat(east).isLessThan(0.75);
        for (String r : List.of("north", "south", "west")) {
            assertThat(entry(report, r).scores().quality()).as(r).isGreaterThan(0.85);
        }
        assertThat(entry(report, "east").scores().columnShapes())
                .isLessThan(entry(report, "north").scores().columnShapes() - 0.2);
        // the shift hides in the mixture over all rows: the overall figure is higher than east's
        assertThat(report.overall().quality()).isGreaterThan(east + 0.05);
    }

    @Test
    void eachValuesScoresEqualTheFidelityEvaluatorOnItsRows() {
        Dataset<Row> real = table(1, null, 0, COUNTS);
        Dataset<Row> synthetic = table(3, "south", 1.5, new int[]{250, 260, 150, 140});
        ConditionReport report = evaluate(real, synthetic, 10, "region");
        assertThat(report.entries()).hasSize(4);
        for (ConditionReport.Entry e : report.entries()) {
            String v = e.values().get(0);
            FidelityReport direct = new FidelityEvaluator(50_000, 7, 2000).evaluate(
                    real.where(functions.col("region").equalTo(v)).drop("region"),
                    synthetic.where(functions.col("region").equalTo(v)).drop("region"));
            assertThat(e.scores().quality()).as(v).isCloseTo(direct.quality(), within(1e-12));
            assertThat(e.scores().columnShapes()).as(v).isCloseTo(direct.columnShapes(), within(1e-12));
            assertThat(e.scores().columnPairTrends()).as(v).isCloseTo(direct.columnPairTrends(), within(1e-12));
        }
        FidelityReport all = new FidelityEvaluator(50_000, 7, 2000).evaluate(real.drop("region"),
                synthetic.drop("region"));
        assertThat(report.overall().quality()).isCloseTo(all.quality(), within(1e-12));
        // shares: the synthetic table has the regions in other proportions
        assertThat(report.contextFrequency()).isLessThan(1.0).isGreaterThan(0.8);
    }

    @Test
    void rareAndSyntheticOnlyValuesAreNeverNamed() {
        Dataset<Row> real = table(1, null, 0, COUNTS, "ZedSecret", "ZedSecret", "ZedSecret", "Qbert");
        Dataset<Row> synthetic = table(2, null, 0, COUNTS, "ZedSecret", "OnlySynthetic", "OnlySynthetic");
        ConditionReport report = evaluate(real, synthetic, 1000, "region");
        assertThat(report.entries()).extracting(e -> e.values().get(0)).containsExactly(REGIONS);
        String json = report.toJson().toString();
        assertThat(json).doesNotContain("ZedSecret").doesNotContain("Qbert").doesNotContain("OnlySynthetic");
        assertThat(report.other().values()).isEqualTo(2);
        assertThat(report.other().realRows()).isEqualTo(4);
        assertThat(report.other().syntheticRows()).isEqualTo(3);
    }

    @Test
    void aTupleOfColumnsWithAContinuousOneUsesQuantileRangesAndNamesNulls() {
        Dataset<Row> real = table(1, null, 0, COUNTS);
        ConditionReport report = evaluate(real, real, 100, "tier", "x");
        assertThat(report.binning()).hasSize(1);
        List<String> ranges = report.binning().get(0).ranges();
        assertThat(ranges).hasSize(ConditionalFidelityEvaluator.RANGES);
        assertThat(ranges.get(0)).startsWith("< ");
        assertThat(ranges.get(ranges.size() - 1)).startsWith("≥ ");
        assertThat(ranges.get(1)).startsWith("[").endsWith(")");
        // missing x is a context value of its own (about 24 rows, split by tier)
        assertThat(report.entries()).anySatisfy(e -> assertThat(e.values().get(1)).isNull());
        for (ConditionReport.Entry e : report.entries()) {
            assertThat(e.values()).hasSize(2);
            assertThat(e.values().get(0)).isIn("high", "low");
            assertThat(e.values().get(1)).isIn(new ArrayList<>(ranges) {{
                add(null);
            }});
        }
        // the real extremes of x are not named anywhere
        Row extremes = real.agg(functions.min("x"), functions.max("x")).first();
        String json = report.toJson().toString();
        assertThat(json).doesNotContain(String.valueOf(extremes.getDouble(0)))
                .doesNotContain(String.valueOf(extremes.getDouble(1)));
    }

    @Test
    void aValueWithTooFewSyntheticRowsIsNotScored() {
        Dataset<Row> real = table(1, null, 0, COUNTS);
        Dataset<Row> synthetic = table(2, null, 0, new int[]{300, 220, 160, 12});
        ConditionReport report = evaluate(real, synthetic, 10, "region");
        ConditionReport.Entry west = entry(report, "west");
        assertThat(west.status()).isEqualTo("n/a (12 synthetic rows)");
        assertThat(west.scores()).isNull();
        assertThat(report.toJson().path("entries").get(3).path("quality").isNull()).isTrue();
        assertThat(entry(report, "north").scores().quality()).isGreaterThan(0.8);
    }

    @Test
    void theTopLimitKeepsTheMostFrequentValues() {
        Dataset<Row> real = table(1, null, 0, COUNTS);
        ConditionReport report = evaluate(real, real, 2, "region");
        assertThat(report.entries()).extracting(e -> e.values().get(0)).containsExactly("north", "south");
        assertThat(report.other().values()).isEqualTo(2);
        assertThat(report.other().realRows()).isEqualTo(COUNTS[2] + COUNTS[3]);
    }

    @Test
    void anUnknownColumnIsBadInputNamingItAndTheTablesColumns() {
        Dataset<Row> real = table(1, null, 0, COUNTS);
        assertThatThrownBy(() -> evaluate(real, real, 10, "regoin"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Option --condition-columns: no column 'regoin' in the real table (its columns: "
                        + "region, x, y, tier, day)");
        assertThatThrownBy(() -> evaluate(real.select("region"), real.select("region"), 10, "region"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("at least one other column");
    }
}
