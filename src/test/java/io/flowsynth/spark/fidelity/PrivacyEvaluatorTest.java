package io.flowsynth.spark.fidelity;

import io.flowsynth.spark.SharedSparkSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** DCR and exact copies on a hand-made train / holdout / synthetic triple, every distance worked out by hand. */
class PrivacyEvaluatorTest {
    private static final double EPS = 1e-12;
    private static final StructType SCHEMA = new StructType()
            .add("x", DataTypes.DoubleType).add("c", DataTypes.StringType);

    private static Dataset<Row> table(Object[]... rows) {
        SparkSession spark = SharedSparkSession.get();
        return spark.createDataFrame(Arrays.stream(rows).map(RowFactory::create).toList(), SCHEMA);
    }

    @Test
    void dcrMediansShareCloserToTrainOverfittingProtectionAndExactCopies() {
        // train range of x = 10; distance = mean over (x, c) of min(|Δx|/10, 1) and 0/1
        Dataset<Row> train = table(new Object[]{0.0, "a"}, new Object[]{10.0, "b"}, new Object[]{5.0, null});
        Dataset<Row> holdout = table(new Object[]{1.0, "a"}, new Object[]{9.0, "b"}, new Object[]{4.0, "c"});
        Dataset<Row> synthetic = table(
                new Object[]{0.0, "a"},   // copy of train 1: to train 0,    to holdout .05 → closer to train
                new Object[]{0.0, "a"},   // the same
                new Object[]{10.0, "b"},  // copy of train 2: to train 0,    to holdout .05 → closer to train
                new Object[]{null, "b"},  // to train (1+0)/2 = .5,          to holdout .5  → tie, not closer
                new Object[]{6.0, "c"});  // to train 5: (.1+1)/2 = .55,     to holdout 4: .1 → closer to holdout
        PrivacyEvaluator.Result r = new PrivacyEvaluator(100, 3L).evaluate(SharedSparkSession.get(), train, holdout,
                synthetic);

        assertThat(r.referenceRows()).isEqualTo(3);
        assertThat(r.holdoutRows()).isEqualTo(3);
        assertThat(r.syntheticRows()).isEqualTo(5);
        assertThat(r.medianSyntheticToTrain()).isCloseTo(0.0, within(EPS));     // 0 0 0 .5 .55
        assertThat(r.medianSyntheticToHoldout()).isCloseTo(0.05, within(EPS));  // .05 .05 .05 .1 .5
        // holdout → train: (1,a)→(0,a) .05; (9,b)→(10,b) .05; (4,c)→(5,null) (.1+1)/2 = .55
        assertThat(r.medianHoldoutToTrain()).isCloseTo(0.05, within(EPS));
        assertThat(r.closerToTrainShare()).isCloseTo(0.6, within(EPS));
        assertThat(r.overfittingProtection()).isCloseTo(0.8, within(EPS));    // min(2·(1 − .6), 1)
        assertThat(r.exactCopies()).isEqualTo(3);
        assertThat(r.exactCopyRate()).isCloseTo(0.6, within(EPS));
        assertThat(r.holdoutExactCopies()).isZero();
    }

    @Test
    void withoutHoldoutOnlyTheTrainSideIsMeasuredAndNullsMatchNulls() {
        Dataset<Row> train = table(new Object[]{0.0, null}, new Object[]{4.0, "b"});
        Dataset<Row> synthetic = table(new Object[]{0.0, null}, new Object[]{1.0, "b"}, new Object[]{null, "z"});
        PrivacyEvaluator.Result r = new PrivacyEvaluator(100, 3L).evaluate(SharedSparkSession.get(), train, null,
                synthetic);
        // range 4: (0,null) → 0 (null equals null); (1,b) → (4,b): (.75+0)/2 = .375; (null,z) → 1 (null vs value, new category)
        assertThat(r.medianSyntheticToTrain()).isCloseTo(0.375, within(EPS));
        assertThat(r.hasHoldout()).isFalse();
        assertThat(r.closerToTrainShare()).isNaN();
        assertThat(r.overfittingProtection()).isNaN();
        assertThat(r.exactCopies()).isEqualTo(1); // null-safe equality
    }

    @Test
    void trainingValuesSeenOnceThatTheSyntheticTablePublishesAreCountedApartFromThoseTheHoldoutHasToo() {
        Dataset<Row> train = table(new Object[]{0.0, "a"}, new Object[]{1.0, "a"}, new Object[]{2.0, "b"},
                new Object[]{3.0, "q"}, new Object[]{4.0, "r"}, new Object[]{5.0, null}, new Object[]{6.0, null});
        Dataset<Row> holdout = table(new Object[]{0.5, "a"}, new Object[]{1.5, "r"});
        Dataset<Row> synthetic = table(new Object[]{0.1, "q"}, new Object[]{0.2, "r"}, new Object[]{0.3, "a"},
                new Object[]{0.4, null});
        PrivacyEvaluator.Result r = new PrivacyEvaluator(100, 3L).evaluate(SharedSparkSession.get(), train, holdout,
                synthetic);
        // singletons b, q, r (nulls are not values); q and r published; r is also a holdout value
        assertThat(r.rareValues()).containsExactly(new PrivacyEvaluator.RareValues("c", 3, 2, 1));
        PrivacyEvaluator.Result noHoldout = new PrivacyEvaluator(100, 3L).evaluate(SharedSparkSession.get(), train,
                null, synthetic);
        assertThat(noHoldout.rareValues()).containsExactly(new PrivacyEvaluator.RareValues("c", 3, 2, -1));
    }

    @Test
    void numericDistanceIsCappedAndHandlesNullsAndConstantColumns() {
        assertThat(PrivacyEvaluator.numeric(0, 30, 10)).isEqualTo(1.0);
        assertThat(PrivacyEvaluator.numeric(Double.NaN, Double.NaN, 10)).isEqualTo(0.0);
        assertThat(PrivacyEvaluator.numeric(Double.NaN, 1, 10)).isEqualTo(1.0);
        assertThat(PrivacyEvaluator.numeric(3, 3, 0)).isEqualTo(0.0);
        assertThat(PrivacyEvaluator.numeric(3, 4, 0)).isEqualTo(1.0);
        assertThat(PrivacyEvaluator.overfittingProtection(0.3)).isEqualTo(1.0);
        assertThat(PrivacyEvaluator.overfittingProtection(1.0)).isEqualTo(0.0);
    }
}
