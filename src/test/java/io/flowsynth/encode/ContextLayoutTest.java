package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.error.BadInputException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layout of a conditional model's encoder (context columns first) and which condition values it accepts by
 * default: nothing that only a rare or extreme real value could be.
 */
class ContextLayoutTest {
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);

    private static List<Object> incomes() {
        List<Object> v = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            v.add(30_000.0 + 40.0 * i);
        }
        v.add(9_000_000.0); // one extreme income
        return v;
    }

    @Test
    void conditionValuesBeyondTheProtectedBoundsOrRareCategoriesAreNotKept() {
        QuantileEncoder income = Fixtures.protectedQuantile("income", "continuous", DOUBLE, incomes(), 50, 5, 0.0);
        assertThat(ContextLayout.isKept(income, 50_000.0)).isTrue();
        assertThat(ContextLayout.isKept(income, 9_000_000.0)).as("the real extreme").isFalse();
        assertThat(ContextLayout.isKept(income, 1.0)).isFalse();
        assertThat(ContextLayout.isKept(income, null)).isTrue();
        List<Object> regions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            regions.add(i % 2 == 0 ? "north" : "south");
        }
        regions.add("lonely");
        CategoricalEncoder region = Fixtures.categorical("region", STRING, regions, 100);
        assertThat(ContextLayout.isKept(region, "north")).isTrue();
        assertThat(ContextLayout.isKept(region, "nowhere")).isFalse();
    }

    @Test
    void theContextColumnsComeFirstAndEveryOtherColumnKeepsItsOrder() {
        QuantileEncoder income = Fixtures.quantile("income", "continuous", DOUBLE, incomes(), 20);
        QuantileEncoder age = Fixtures.quantile("age", "continuous", DOUBLE, incomes(), 20);
        CategoricalEncoder region = Fixtures.categorical("region", STRING, List.of("a", "b", "a", "b"), 10);
        TableEncoder encoder = new TableEncoder(List.of(income, age, region));
        List<String> table = List.of("income", "age", "region");
        TableEncoder ordered = ContextLayout.contextFirst(encoder, List.of("region", "age"), table);
        assertThat(ordered.columnNames()).containsExactly("region", "age", "income");
        int features = ContextLayout.contextFeatures(ordered, 2);
        assertThat(ContextLayout.contextColumns(ordered, features)).containsExactly("region", "age");
        assertThatThrownBy(() -> ContextLayout.contextFirst(encoder, List.of("zip"), table))
                .isInstanceOf(BadInputException.class).hasMessageContaining("no column 'zip'");
        assertThatThrownBy(() -> ContextLayout.contextFirst(encoder, table, table))
                .isInstanceOf(BadInputException.class).hasMessageContaining("nothing is left to model");
    }

    @Test
    void aCategoricalContextGetsOneIndicatorPerLevelThatFollowsItsOutcome() {
        CategoricalEncoder c = Fixtures.categorical("c", STRING,
                levels(new Object[][]{{"a", 400}, {"b", 100}, {"c", 20}}), 100);
        QuantileEncoder income = Fixtures.quantile("income", "continuous", DOUBLE, incomes(), 20);
        TableEncoder ordered = ContextLayout.contextFirst(new TableEncoder(List.of(income, c)), List.of("c"),
                List.of("income", "c"));
        CategoricalEncoder context = (CategoricalEncoder) ordered.columns().get(0);
        assertThat(context.indicators()).isTrue();
        assertThat(context.width()).isEqualTo(4);
        assertThat(context.featureNames()).containsExactly("c", "c#is0", "c#is1", "c#is2");
        assertThat(ContextLayout.contextFeatures(ordered, 1)).isEqualTo(4);
        assertThat(ContextLayout.contextIndicators(ordered, 1)).containsExactly(3, 0, 0, 0);
        assertThat(ContextLayout.discreteContextBounds(ordered, 1)).hasNumberOfRows(4);
        assertThat(ContextLayout.contextColumns(ordered, 4)).containsExactly("c");
        java.util.Random rng = new java.util.Random(3);
        double[] f = new double[4];
        for (String v : List.of("a", "b", "c")) {
            context.encode(v, f, 0, rng);
            int k = context.categories().indexOf(v);
            for (int j = 0; j < 3; j++) {
                assertThat(f[1 + j]).as(v + " indicator " + j).isEqualTo(j == k ? 1.0 : 0.0);
            }
            assertThat(context.decode(f, 0, rng)).isEqualTo(v);
        }
        TableEncoder back = TableEncoder.fromJson(ordered.toJson());
        assertThat(((CategoricalEncoder) back.columns().get(0)).indicators()).isTrue();
        assertThat(back.width()).isEqualTo(ordered.width());
        // the other columns and an unconditional encoder have none
        assertThat(((CategoricalEncoder) new TableEncoder(List.of(c)).columns().get(0)).indicators()).isFalse();
        assertThatThrownBy(() -> new CategoricalEncoder("o", STRING,
                java.util.Map.of("a", 2L, "b", 1L, "c", 1L), 0, java.util.Map.of(), true).withContextIndicators(true))
                .hasMessageContaining("one-hot");
    }

    private static List<Object> levels(Object[][] counts) {
        List<Object> v = new ArrayList<>();
        for (Object[] c : counts) {
            for (int i = 0; i < (int) c[1]; i++) {
                v.add(c[0]);
            }
        }
        return v;
    }

    @Test
    void contextBalanceUpWeightsRareKeptLevelsUpToItsCapAndNeverAProtectedValue() {
        // 400 a, 100 b, 20 c, 2 d
        CategoricalEncoder c = Fixtures.categorical("c", STRING,
                levels(new Object[][]{{"a", 400}, {"b", 100}, {"c", 20}, {"d", 2}}), 100);
        QuantileEncoder income = Fixtures.quantile("income", "continuous", DOUBLE, incomes(), 20);
        TableEncoder encoder = new TableEncoder(List.of(c, income));
        assertThat(ContextBalance.of(encoder, 1, 0.0)).as("alpha 0").isNull();
        assertThat(ContextBalance.of(encoder, 0, 0.5)).as("no context").isNull();
        assertThat(ContextBalance.of(new TableEncoder(List.of(income, c)), 1, 0.5)).as("numeric context").isNull();
        ContextBalance b = ContextBalance.of(encoder, 1, 0.5);
        double wa = b.weight(b.group(new Object[]{"a", 1.0}, encoder));
        double wb = b.weight(b.group(new Object[]{"b", 1.0}, encoder));
        double wc = b.weight(b.group(new Object[]{"c", 1.0}, encoder));
        double wd = b.weight(b.group(new Object[]{"never seen", 1.0}, encoder));
        assertThat(wa).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(wb).as("(f_a / f_b)^0.5").isCloseTo(Math.sqrt(c.frequency("a") / c.frequency("b")),
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(wc).isGreaterThan(wb);
        assertThat(wd).as("a value not kept (unseen or protected) is never up-weighted").isEqualTo(1.0);
        assertThat(b.group(new Object[]{"a", 1.0}, encoder)).isNotEqualTo(b.group(new Object[]{"b", 1.0}, encoder));
        ContextBalance full = ContextBalance.of(encoder, 1, 1.0);
        assertThat(full.weight(full.group(new Object[]{"c", 1.0}, encoder))).as("capped")
                .isEqualTo(ContextBalance.MAX_FACTOR);
    }

    @Test
    void discreteContextBoundsCoverTheCategoricalContextFeaturesOnly() {
        CategoricalEncoder c = Fixtures.categorical("c", STRING, levels(new Object[][]{{"a", 60}, {"b", 30}, {"c", 10}}),
                100);
        QuantileEncoder income = Fixtures.quantile("income", "continuous", DOUBLE, incomes(), 20);
        TableEncoder encoder = new TableEncoder(List.of(income, c));
        double[][] bounds = ContextLayout.discreteContextBounds(encoder, 2);
        assertThat(bounds).hasNumberOfRows(2);
        assertThat(bounds[0]).as("income stays continuous").isNull();
        assertThat(bounds[1]).containsExactly(new double[]{0, 0.6, 0.9, 1.0}, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(ContextLayout.discreteContextBounds(encoder, 1)).isNull();
    }

    @Test
    void theContextJointKeepsCombinationsOfKeptLevelsSeenOftenEnoughAndSurvivesJson() throws Exception {
        CategoricalEncoder region = Fixtures.categorical("region", STRING, levels(new Object[][]{{"EU", 60}, {"US", 40}}),
                100);
        CategoricalEncoder country = Fixtures.categorical("country", STRING,
                levels(new Object[][]{{"FR", 50}, {"NY", 40}, {"DE", 10}}), 100);
        TableEncoder encoder = new TableEncoder(List.of(region, country));
        List<Object[]> values = List.of(new Object[]{"EU", "FR"}, new Object[]{"EU", "DE"}, new Object[]{"US", "NY"},
                new Object[]{"US", "FR"}, new Object[]{"EU", "never seen"});
        ContextJoint joint = ContextJoint.of(encoder, new int[]{0, 1}, values, List.of(50L, 10L, 40L, 3L, 7L), 5);
        assertThat(joint.counts()).containsExactly(50, 10, 40);
        assertThat(joint.levels()).hasNumberOfRows(3);
        TableEncoder back = TableEncoder.fromJson(encoder.withContextJoint(joint).toJson());
        assertThat(back.contextJoint().counts()).containsExactly(50, 10, 40);
        assertThat(back.contextJoint().levels()).isDeepEqualTo(joint.levels());
        assertThat(ContextJoint.of(encoder, new int[]{0, 1}, List.<Object[]>of(new Object[]{"US", "FR"}), List.of(3L), 5))
                .as("nothing kept").isNull();
    }
}
