package io.flowsynth.encode;

import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigKeys;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kind and encoder choices of {@link EncoderChoice} from a column's statistics, without Spark. */
class EncoderChoiceTest {
    private static final ColumnType INT = ColumnType.of(ColumnType.Base.INT);
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);
    private static final ColumnType DATE = ColumnType.of(ColumnType.Base.DATE);

    private static EncodeOptions options(int onehotMaxCategories, Map<String, String> encoderOverrides) {
        EncodeOptions d = EncodeOptions.defaults();
        return new EncodeOptions(d.maxDiscreteValues(), d.maxCategories(), d.quantiles(), d.quantileRelativeError(),
                d.dropUnsupported(), d.kindOverrides(), d.minCategoryFrequency(), onehotMaxCategories, d.maxModes(),
                d.detectIds(), encoderOverrides, d.minCategoryCount());
    }

    /** A column of {@code rows} rows, none null, with the given distinct count and range. */
    private static ColumnPlan plan(String name, ColumnType type, long rows, long distinct, Object min, Object max) {
        ColumnPlan p = new ColumnPlan(0, name, type, null);
        p.nonNull = rows;
        p.distinct = distinct;
        p.min = min;
        p.max = max;
        return p;
    }

    @Test
    void integersWithFewDistinctValuesAreCategoricalAndWithManyAreIntegers() {
        EncoderChoice choice = new EncoderChoice(EncodeOptions.defaults());
        int limit = EncodeOptions.defaults().maxDiscreteValues();
        ColumnPlan few = plan("term", INT, 1000, limit, 1, 60);
        choice.decide(few, 1000);
        assertThat(few.mode).isEqualTo(ColumnPlan.Mode.CATEGORICAL);
        assertThat(few.kind).isEqualTo(EncodeOptions.CATEGORICAL);
        assertThat(few.why).isEqualTo(limit + " distinct values ≤ " + ConfigKeys.ENCODE_MAX_DISCRETE_VALUES + " = "
                + limit);
        ColumnPlan many = plan("amount", INT, 1000, limit + 1, 0, 1_000_000);
        choice.decide(many, 1000);
        assertThat(many.mode).isEqualTo(ColumnPlan.Mode.QUANTILE);
        assertThat(many.kind).isEqualTo(EncodeOptions.INTEGER);
    }

    @Test
    void denseUniqueIntegersAreIdentifiersButSparseUniqueIntegersAreNot() {
        EncoderChoice choice = new EncoderChoice(EncodeOptions.defaults());
        ColumnPlan dense = plan("row", INT, 1000, 1000, 1, 1000);
        choice.decide(dense, 1000);
        assertThat(dense.encoder).isInstanceOf(IdEncoder.class);
        assertThat(dense.why).startsWith("unique per row (1000 distinct of 1000)");
        ColumnPlan sparse = plan("hash", INT, 1000, 1000, 0, 50_000);
        choice.decide(sparse, 1000);
        assertThat(sparse.encoder).isNull();
        assertThat(sparse.kind).isEqualTo(EncodeOptions.INTEGER);
        ColumnPlan few = plan("row", INT, EncoderChoice.MIN_ID_ROWS - 1, EncoderChoice.MIN_ID_ROWS - 1, 1,
                (int) EncoderChoice.MIN_ID_ROWS - 1);
        choice.decide(few, EncoderChoice.MIN_ID_ROWS - 1);
        assertThat(few.encoder).as("too few rows to call it an id").isNull();
    }

    /** A string column whose non-null values have the given shape shares (indexes of {@link EncoderChoice#SHAPES}). */
    private static ColumnPlan strings(String name, double email, double fullName, double oneWord) {
        ColumnPlan p = plan(name, STRING, 1000, 900, "a", "z");
        p.shapeCounts = new long[EncoderChoice.SHAPES.length];
        p.shapeCounts[0] = Math.round(1000 * email);
        p.shapeCounts[1] = Math.round(1000 * fullName);
        p.shapeCounts[2] = Math.round(1000 * oneWord);
        return p;
    }

    @Test
    void personalDataIsDetectedFromTheNameAndTheValuesShapeButNotForProductNames() {
        EncoderChoice choice = new EncoderChoice(EncodeOptions.defaults());
        ColumnPlan email = strings("contact", 0.95, 0, 0);
        choice.decide(email, 1000);
        assertThat(email.kind).isEqualTo(EncodeOptions.EMAIL);
        assertThat(email.mode).isEqualTo(ColumnPlan.Mode.FAKE);
        ColumnPlan person = strings("customerFullName", 0, 0.9, 0);
        choice.decide(person, 1000);
        assertThat(person.kind).isEqualTo(EncodeOptions.PERSON_NAME);
        ColumnPlan first = strings("first_name", 0, 0, 0.9);
        choice.decide(first, 1000);
        assertThat(first.kind).isEqualTo(EncodeOptions.FIRST_NAME);
        ColumnPlan product = strings("product_name", 0, 0.9, 0);
        choice.decide(product, 1000);
        assertThat(product.mode).as("a product name is not a person's").isEqualTo(ColumnPlan.Mode.CATEGORICAL);
        ColumnPlan enumeration = strings("sales_rep_name", 0, 0.9, 0);
        enumeration.distinct = EncodeOptions.defaults().maxDiscreteValues();
        choice.decide(enumeration, 1000);
        assertThat(enumeration.mode).as("a few names stay categorical").isEqualTo(ColumnPlan.Mode.CATEGORICAL);
        assertThat(EncoderChoice.nameWords("customerFullName")).containsExactly("customer", "full", "name");
    }

    @Test
    void singleValuesAndAllNullColumnsAreConstant() {
        EncoderChoice choice = new EncoderChoice(EncodeOptions.defaults());
        ColumnPlan one = plan("flag", INT, 500, 1, 7, 7);
        one.finite = 500;
        choice.decide(one, 500);
        assertThat(one.encoder).isInstanceOf(ConstantEncoder.class);
        assertThat(one.why).isEqualTo("a single value");
        ColumnPlan none = plan("empty", DOUBLE, 0, 0, null, null);
        choice.decide(none, 500);
        assertThat(none.encoder).isInstanceOf(ConstantEncoder.class);
        assertThat(none.why).isEqualTo("every value is null");
    }

    @Test
    void overridesThatDoNotFitAreRefusedNamingTheColumnAndWhatIsAllowed() {
        assertThatThrownBy(() -> EncoderChoice.checkOverride("day", DATE, EncodeOptions.INTEGER))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Column 'day': kind override 'integer' does not fit type date (allowed: categorical, "
                        + "continuous, datetime, ignore)");
        EncoderChoice.checkOverride("day", DATE, EncodeOptions.CATEGORICAL); // fits every type
        EncoderChoice choice = new EncoderChoice(options(0, Map.of("price", EncodeOptions.ONEHOT)));
        ColumnPlan price = plan("price", DOUBLE, 1000, 0, 1.0, 9.0);
        price.finite = 1000;
        price.encoderOverride = EncodeOptions.ONEHOT;
        assertThatThrownBy(() -> choice.decide(price, 1000)).isInstanceOf(BadInputException.class)
                .hasMessage("Column 'price': encoder 'onehot' does not fit its kind continuous (quantile, mode "
                        + "allowed)");
    }

    /** Knots at probabilities j/(n−1) of sorted data (an exact quantile sketch). */
    private static double[] knots(double[] data, double[] probabilities) {
        double[] sorted = data.clone();
        Arrays.sort(sorted);
        double[] q = new double[probabilities.length];
        for (int j = 0; j < q.length; j++) {
            q[j] = sorted[(int) Math.round(probabilities[j] * (sorted.length - 1))];
        }
        return q;
    }

    @Test
    void aMultiModalColumnGetsAModeEncoderAndAOnePeakColumnAQuantileEncoder() {
        EncoderChoice choice = new EncoderChoice(EncodeOptions.defaults());
        Random rng = new Random(3);
        double[] bimodal = new double[20_000];
        double[] normal = new double[20_000];
        for (int i = 0; i < bimodal.length; i++) {
            bimodal[i] = rng.nextDouble() < 0.3 ? -5 + 0.5 * rng.nextGaussian() : 10 + 2 * rng.nextGaussian();
            normal[i] = rng.nextGaussian();
        }
        double[] probabilities = EncoderChoice.quantileProbabilities(200, 0.0);
        assertThat(probabilities).hasSize(200).startsWith(0.0).endsWith(1.0);
        assertThat(EncoderChoice.quantileProbabilities(200, 0.001)).hasSize(202).contains(0.001, 0.999);
        for (double[] data : new double[][]{bimodal, normal}) {
            double[] q = knots(data, probabilities);
            ColumnPlan p = plan("x", DOUBLE, data.length, data.length, q[0], q[q.length - 1]);
            p.finite = data.length;
            choice.decide(p, data.length);
            ColumnEncoder e = choice.quantileEncoder(p, q, probabilities, BoundsOptions.unprotected());
            if (data == bimodal) {
                assertThat(e).isInstanceOf(ModeEncoder.class);
                assertThat(p.encoding).startsWith("multi-modal: ");
            } else {
                assertThat(e).isInstanceOf(QuantileEncoder.class);
                assertThat(p.encoding).isEqualTo("one peak: quantiles suffice");
            }
        }
        assertThat(EncoderChoice.encoderName(new ConstantEncoder("c", INT, 1))).isEqualTo("constant encoder");
    }

    @Test
    void categoricalColumnsAreOneHotOnlyWithinTheConfiguredOutcomesAndCountNullsAndProtectedRows() {
        EncoderChoice choice = new EncoderChoice(options(4, Map.of()));
        ColumnPlan p = plan("colour", STRING, 90, 3, "blue", "red");
        p.nulls = 10;
        Map<Object, Long> kept = new HashMap<>(Map.of("red", 50L, "blue", 40L));
        EncoderChoice.Categorical c = choice.categorical(p, kept, Map.of(), 2, 7);
        assertThat(c.onehot()).as("red, blue and null: 3 outcomes").isTrue();
        assertThat(c.other()).isZero();
        assertThat(kept).containsEntry(null, 10L);
        assertThat(c.encoder().categories()).containsExactlyInAnyOrder("red", "blue", null);
        assertThat(c.protection()).isEqualTo(new CategoricalEncoder.Protection(
                EncodeOptions.defaults().minCategoryCount(), 2, 7));
        assertThat(p.encoder).isSameAs(c.encoder());
        ColumnPlan two = plan("flag", STRING, 100, 2, "n", "y");
        assertThat(choice.categorical(two, new HashMap<>(Map.of("y", 60L, "n", 40L)), Map.of(), 0, 0).onehot())
                .as("two outcomes use frequency intervals").isFalse();
        assertThat(choice.keptCategory(1, 5, 1000)).isTrue();
        assertThat(choice.keptCategory(EncodeOptions.defaults().maxCategories() + 1, 500, 1000)).isFalse();
    }

    /** A 100-row string column with one kept value of {@code kept} rows, after the text fallback's decision. */
    private static ColumnPlan fallback(EncoderChoice choice, String name, long kept, long protectedCategories,
                                       long protectedRows) {
        ColumnPlan p = plan(name, STRING, 100, protectedCategories + 1, "a", "z");
        p.mode = ColumnPlan.Mode.CATEGORICAL;
        p.kind = EncodeOptions.CATEGORICAL;
        choice.categorical(p, new HashMap<>(Map.of("ok", kept)), Map.of(), protectedCategories, protectedRows);
        choice.textFallback(p);
        return p;
    }

    @Test
    void aStringColumnMostlyInProtectedValuesBecomesGeneratedText() {
        EncoderChoice choice = new EncoderChoice(EncodeOptions.defaults());
        // 70 of 100 rows in protected values: text
        ColumnPlan p = fallback(choice, "note", 30, 65, 70);
        assertThat(p.mode).isEqualTo(ColumnPlan.Mode.TEXT);
        assertThat(p.kind).isEqualTo(EncodeOptions.TEXT);
        // 60 of 100 (a director column: the kept 40 % of rows describe it better than fresh strings): categorical
        assertThat(fallback(choice, "director", 40, 55, 60).mode).isEqualTo(ColumnPlan.Mode.CATEGORICAL);
        assertThat(fallback(choice, "code", 70, 5, 30).mode).isEqualTo(ColumnPlan.Mode.CATEGORICAL);
        // mostly protected, but with many kept values (a city column): categories over them, not text
        ColumnPlan city = plan("city", STRING, 10_000, 5_000, "a", "z");
        city.mode = ColumnPlan.Mode.CATEGORICAL;
        city.kind = EncodeOptions.CATEGORICAL;
        Map<Object, Long> cities = new HashMap<>();
        for (int i = 0; i < EncoderChoice.TEXT_FALLBACK_MAX_KEPT; i++) {
            cities.put("city" + i, 38L);
        }
        choice.categorical(city, cities, Map.of(), 4_900, 6_200);
        assertThat(((CategoricalEncoder) city.encoder).protection().rows()).isGreaterThan(5_000);
        choice.textFallback(city);
        assertThat(city.mode).isEqualTo(ColumnPlan.Mode.CATEGORICAL);
        assertThat(((CategoricalEncoder) city.encoder).categories()).hasSize(EncoderChoice.TEXT_FALLBACK_MAX_KEPT);
    }
}
