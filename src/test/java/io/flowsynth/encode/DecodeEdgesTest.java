package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** {@link ColumnEncoder#decodeEdges}: the boundaries it names are exactly where decoding changes. */
class DecodeEdgesTest {
    private static final double STEP = 1e-3;

    /** The z in [−4.5, 4.5] on a {@value #STEP} grid where feature {@code feature}'s decoded value changes. */
    private static List<Double> changes(ColumnEncoder e, int feature, double[] base) {
        List<Double> out = new ArrayList<>();
        Object last = null;
        for (double z = -4.5; z <= 4.5; z += STEP) {
            double[] f = base.clone();
            f[feature] = z;
            Object v = e.decode(f, 0, new Random(1));
            if (z > -4.5 && !Objects.equals(v, last)) {
                out.add(z - STEP / 2);
            }
            last = v;
        }
        return out;
    }

    /** Every z snaps to a boundary of the cell it decodes in: a decoding change with none between it and z. */
    private static void assertSnapsToItsCellsBoundary(ColumnEncoder e, int feature, double[] base) {
        List<Double> changes = changes(e, feature, base);
        assertThat(changes).isNotEmpty();
        DoubleUnaryOperator edges = e.decodeEdges(feature);
        assertThat(edges).isNotNull();
        for (double z = -4.2; z <= 4.2; z += 0.0137) {
            final double at = z;
            final double edge = edges.applyAsDouble(z);
            assertThat(changes.stream().anyMatch(c -> Math.abs(c - edge) <= STEP))
                    .as("edge %s of z %s is a decoding change", edge, at).isTrue();
            assertThat(changes.stream().filter(c -> Math.abs(c - edge) > STEP)
                    .anyMatch(c -> (c - at) * (c - edge) < 0))
                    .as("a change between z %s and its edge %s", at, edge).isFalse();
        }
    }

    @Test
    void aCategorysEdgesAreItsIntervalBounds() {
        Map<Object, Long> counts = new HashMap<>(Map.of("a", 500L, "b", 300L, "c", 150L, "d", 50L));
        CategoricalEncoder e = new CategoricalEncoder("c", ColumnType.of(ColumnType.Base.STRING), counts, 0, Map.of());
        List<Double> changes = changes(e, 0, new double[1]);
        assertThat(changes).hasSize(3);
        DoubleUnaryOperator edges = e.decodeEdges(0);
        for (int i = 0; i <= 900; i++) {
            double z = -4.5 + i * 0.01;
            double edge = edges.applyAsDouble(z);
            double best = changes.get(0);
            for (double c : changes) {
                best = Math.abs(c - z) < Math.abs(best - z) ? c : best;
            }
            assertThat(edge).as("z %s", z).isCloseTo(best, org.assertj.core.data.Offset.offset(STEP));
        }
    }

    @Test
    void aSingleCategoryHasNoFeatureAndAOneHotOneNoEdges() {
        CategoricalEncoder single = new CategoricalEncoder("c", ColumnType.of(ColumnType.Base.STRING),
                new HashMap<>(Map.of("a", 5L)), 0, Map.of());
        assertThat(single.width()).isZero();
        CategoricalEncoder onehot = new CategoricalEncoder("c", ColumnType.of(ColumnType.Base.STRING),
                new HashMap<>(Map.of("a", 5L, "b", 7L)), 0, Map.of(), true);
        assertThat(onehot.decodeEdges(0)).isNull();
    }

    @Test
    void anIntegerColumnsEdgesAreTheHalfWayPointsOfItsGridAndItsNullStatesBounds() {
        Random rng = new Random(3);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            values.add(rng.nextDouble() < 0.2 ? null : 1950 + (int) Math.floor(40 * rng.nextDouble() * rng.nextDouble()));
        }
        QuantileEncoder e = Fixtures.quantile("year", "integer", ColumnType.of(ColumnType.Base.INT), values, 25);
        assertThat(e.width()).isEqualTo(2);
        // value feature, state feature on "value"
        double valueState = e.decode(new double[]{0.0, 3.0}, 0, new Random(1)) != null ? 3.0 : -3.0;
        double[] base = {0.0, valueState};
        assertSnapsToItsCellsBoundary(e, 0, base);
        // the value at an edge's two sides differs by one year
        DoubleUnaryOperator edges = e.decodeEdges(0);
        double edge = edges.applyAsDouble(0.1);
        int below = (Integer) e.decode(new double[]{edge - 1e-6, valueState}, 0, new Random(1));
        int above = (Integer) e.decode(new double[]{edge + 1e-6, valueState}, 0, new Random(1));
        assertThat(above - below).isEqualTo(1);
        assertThat(e.decodeEdges(1)).isNotNull();
        double stateEdge = e.decodeEdges(1).applyAsDouble(0.0);
        Object nullSide = e.decode(new double[]{0.0, stateEdge - 1e-6}, 0, new Random(1));
        Object valueSide = e.decode(new double[]{0.0, stateEdge + 1e-6}, 0, new Random(1));
        assertThat(nullSide == null).isNotEqualTo(valueSide == null);
    }

    @Test
    void aContinuousColumnHasNoEdges() {
        Random rng = new Random(5);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            values.add(Math.exp(rng.nextGaussian()) + rng.nextDouble() * 1e-7);
        }
        QuantileEncoder e = Fixtures.quantile("x", "continuous", ColumnType.of(ColumnType.Base.DOUBLE), values, 50);
        assertThat(e.decodeEdges(0)).isNull();
    }

    @Test
    void aGridFinerThanItsRowsCountsAsContinuous() {
        Random rng = new Random(9);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            values.add(1_000_000_000_000L + (long) (rng.nextGaussian() * 1e9));
        }
        QuantileEncoder e = Fixtures.quantile("id", "integer", ColumnType.of(ColumnType.Base.LONG), values, 100);
        assertThat(e.decodeEdges(0)).isNull();
    }

    @Test
    void theTableListsEachFeaturesEdgesInFeatureOrder() {
        CategoricalEncoder c = new CategoricalEncoder("c", ColumnType.of(ColumnType.Base.STRING),
                new HashMap<>(Map.of("a", 5L, "b", 7L)), 0, Map.of());
        List<Object> values = new ArrayList<>();
        Random rng = new Random(7);
        for (int i = 0; i < 500; i++) {
            values.add(rng.nextGaussian());
        }
        QuantileEncoder x = Fixtures.quantile("x", "continuous", ColumnType.of(ColumnType.Base.DOUBLE), values, 20);
        DoubleUnaryOperator[] edges = new TableEncoder(List.of(x, c)).decodeEdges();
        assertThat(edges).hasSize(2);
        assertThat(edges[0]).isNull();
        double bound = edges[1].applyAsDouble(1.0);
        assertThat(bound).isEqualTo(c.decodeEdges(0).applyAsDouble(1.0));
        // the one bound of two outcomes of 5 and 7 rows
        assertThat(io.flowsynth.math.StandardNormal.cdf(bound) * 12).isCloseTo(
                c.decode(new double[]{bound - 1e-9}, 0, new Random(1)).equals("a") ? 5 : 7,
                org.assertj.core.data.Offset.offset(1e-6));
    }
}
