package io.flowsynth.config;

import io.flowsynth.error.BadInputException;
import io.flowsynth.flow.FlowType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every numeric key's bounds are checked once, when the configuration is resolved (no Spark involved): a value just
 * outside the accepted range fails with one line naming the key, the value and the range; the boundary itself passes.
 */
class ConfigBoundsTest {
    /** A bounded numeric key, a value just outside its range, the accepted range as the message states it, and the
     * value at the boundary (accepted). */
    record Bound(String key, String bad, String range, String edge) {
    }

    static final List<Bound> BOUNDS = List.of(
            new Bound(ConfigKeys.FLOW_LAYERS, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.FLOW_HIDDEN_FEATURES, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.FLOW_HIDDEN_LAYERS, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.FLOW_BINS, "1", "in [2, 256]", "2"),
            new Bound(ConfigKeys.FLOW_BINS, "257", "in [2, 256]", "256"),
            new Bound(ConfigKeys.FLOW_TAIL_BOUND, "0.0009", "in [0.001, 1000]", "0.001"),
            new Bound(ConfigKeys.FLOW_TAIL_BOUND, "1000.5", "in [0.001, 1000]", "1000"),
            new Bound(ConfigKeys.TRAIN_EPOCHS, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_STEPS, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.TRAIN_MIN_DELTA, "-0.1", "a finite number ≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_MAX_MINUTES, "-1", "a finite number ≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_MAX_MINUTES, "Infinity", "a finite number ≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_BATCH_SIZE, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_LEARNING_RATE, "0", "in [0.000000001, 10]", "10"),
            new Bound(ConfigKeys.TRAIN_LEARNING_RATE, "10.5", "in [0.000000001, 10]", "0.000000001"),
            new Bound(ConfigKeys.TRAIN_LEARNING_RATE_DECAY, "1.01", "in [0.000001, 1]", "1"),
            new Bound(ConfigKeys.TRAIN_LEARNING_RATE_DECAY, "0", "in [0.000001, 1]", "0.000001"),
            new Bound(ConfigKeys.TRAIN_LOCAL_STEPS, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_GRADIENT_CLIP, "-1", "a finite number ≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_VALIDATION_FRACTION, "0.51", "in [0, 0.5]", "0.5"),
            new Bound(ConfigKeys.TRAIN_VALIDATION_FRACTION, "-0.1", "in [0, 0.5]", "0"),
            new Bound(ConfigKeys.TRAIN_MAX_VALIDATION_ROWS, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_ROUND_VALIDATION_ROWS, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_PARTITIONS, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_PATIENCE, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_CALIBRATION_KNOTS, "1", "0 (off) or in [2, 2147483647]", "2"),
            new Bound(ConfigKeys.TRAIN_CALIBRATION_KNOTS, "-1", "0 (off) or in [2, 2147483647]", "0"),
            new Bound(ConfigKeys.TRAIN_CALIBRATION_ROWS, "1", "≥ 2", "2"),
            new Bound(ConfigKeys.TRAIN_CALIBRATION_MAX_VALUES, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.TRAIN_AVERAGING_FREQUENCY, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.TRAIN_WORKER_PREFETCH, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.ENCODE_MAX_DISCRETE_VALUES, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.ENCODE_MAX_CATEGORIES, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.ENCODE_QUANTILES, "1", "≥ 2", "2"),
            new Bound(ConfigKeys.ENCODE_MIN_CATEGORY_FREQUENCY, "1", "in [0, 0.999999]", "0.999999"),
            new Bound(ConfigKeys.ENCODE_MIN_CATEGORY_FREQUENCY, "-0.01", "in [0, 0.999999]", "0"),
            new Bound(ConfigKeys.ENCODE_ONEHOT_MAX_CATEGORIES, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.ENCODE_MAX_MODES, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.ENCODE_BOUNDS_QUANTILE, "0.5", "in [0.000000001, 0.499999]", "0.499999"),
            new Bound(ConfigKeys.ENCODE_BOUNDS_QUANTILE, "0", "in [0.000000001, 0.499999]", "0.000000001"),
            new Bound(ConfigKeys.PRIVACY_EXTREME_K, "1001", "in [0, 1000]", "1000"),
            new Bound(ConfigKeys.PRIVACY_EXTREME_K, "-1", "in [0, 1000]", "0"),
            new Bound(ConfigKeys.FIT_MIN_ROWS, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT, "1", "≥ 2", "2"),
            new Bound(ConfigKeys.SAMPLE_BATCH_SIZE, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.SAMPLE_TARGET_FILE_MB, "0", "in [0.001, 1000000]", "0.001"),
            new Bound(ConfigKeys.SAMPLE_TARGET_FILE_MB, "1000001", "in [0.001, 1000000]", "1000000"),
            new Bound(ConfigKeys.REPORT_MAX_ROWS, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.REPORT_MAX_PAIRS, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.REPORT_HOLDOUT_FRACTION, "0.6", "in [0, 0.5]", "0.5"),
            new Bound(ConfigKeys.REPORT_PRIVACY_ROWS, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.REPORT_ATTACK_TARGETS, "0", "≥ 1", "1"),
            new Bound(ConfigKeys.REPORT_CONDITION_TOP, "1001", "in [1, 1000]", "1000"),
            new Bound(ConfigKeys.PRIVACY_COPY_REDRAWS, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.CONDITION_BALANCE, "1.5", "in [0, 1]", "1"),
            new Bound(ConfigKeys.CONDITION_AUTO_DEPENDENCE_RATIO, "-1", "in [0, 1000000]", "0"),
            new Bound(ConfigKeys.PRIVACY_EPSILON, "0", "in (0, 1000]", "1000"),
            new Bound(ConfigKeys.PRIVACY_DELTA, "0.02", "in (0, 0.01]", "0.01"),
            new Bound(ConfigKeys.PRIVACY_ENCODER_SHARE, "0", "in (0, 0.99]", "0.99"),
            new Bound(ConfigKeys.PRIVACY_ENCODER_SHARE, "1", "in (0, 0.99]", "0.99"),
            new Bound(ConfigKeys.PRIVACY_COPULA_SHARE, "-0.1", "in [0, 1]", "0"),
            new Bound(ConfigKeys.PRIVACY_COPULA_SHARE, "1.01", "in [0, 1]", "1"),
            new Bound(ConfigKeys.PRIVACY_MAX_STEPS, "-1", "≥ 0", "0"),
            new Bound(ConfigKeys.PRIVACY_MAX_GRAD_NORM, "0", "in (0, 1000000]", "0.001"));

    /** Numeric keys without a bound: any value of the type is accepted. */
    static final Set<String> UNBOUNDED = Set.of(ConfigKeys.SEED);

    @Test
    void everyOutOfRangeValueFailsAtResolveNamingKeyValueAndRange() {
        for (Bound b : BOUNDS) {
            assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of(b.key(), b.bad())))
                    .as(b.key() + " = " + b.bad())
                    .isInstanceOf(BadInputException.class)
                    .hasMessage("Configuration " + b.key() + ": must be " + b.range() + ", got " + b.bad()
                            + (b.key().equals(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT)
                            ? " (set " + ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES + "=false to switch the protection off)"
                            : ""));
        }
    }

    /**
     * A value the resolver accepts is accepted by every record built from it later too (here the flow spec, built at
     * fit time once the width and rows are known): no value can pass one read and fail another.
     */
    @Test
    void theBoundaryValuesAreAcceptedHereAndByTheFlowSpecBuiltFromThem() {
        for (Bound b : BOUNDS) {
            assertThatCode(() -> {
                FlowsynthConfig c = ConfigResolver.resolve(null, null, null, Map.of(b.key(), b.edge()));
                for (FlowType type : FlowType.values()) {
                    for (boolean copulaInit : new boolean[]{false, true}) {
                        FlowSettings f = new FlowSettings(type, c.flow().layers(), c.flow().hiddenFeatures(),
                                c.flow().hiddenLayers(), c.flow().bins(), c.flow().tailBound(), c.flow().activation(),
                                c.flow().affineScale(), copulaInit);
                        f.spec(1, 1, c.seed());
                        f.spec(300, 1_000_000, c.seed());
                    }
                }
            }).as(b.key() + " = " + b.edge()).doesNotThrowAnyException();
        }
    }

    @Test
    void everyNumericKeyHasItsBoundsTested() {
        Set<String> numeric = new TreeSet<>();
        for (Map.Entry<String, String> e : ConfigKeys.DEFAULTS.entrySet()) {
            try {
                Double.parseDouble(e.getValue());
                numeric.add(e.getKey());
            } catch (NumberFormatException notNumeric) {
                // a boolean or a choice: checked by the other tests
            }
        }
        Set<String> covered = new TreeSet<>(UNBOUNDED);
        BOUNDS.forEach(b -> covered.add(b.key()));
        assertThat(covered).as("numeric keys with a bound case in BOUNDS (or listed as unbounded)")
                .containsAll(numeric);
    }

    @Test
    void calibrationKnotsOfOneFailsBeforeAnyTraining() {
        assertThatThrownBy(() -> ConfigResolver.resolve(null, "flowsynth.train.calibration-knots = 1\n", "job.conf",
                Map.of()))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining(ConfigKeys.TRAIN_CALIBRATION_KNOTS).hasMessageContaining("got 1");
        assertThat(ConfigResolver.resolve(null, null, null, Map.of(ConfigKeys.TRAIN_CALIBRATION_KNOTS, "0"))
                .train().calibrationKnots()).isZero();
    }

    @Test
    void rareCategoryCountIsOneWhenTheProtectionIsOffAndItsValueAtLeastTwoWhenOn() {
        Map<String, String> off = new LinkedHashMap<>();
        off.put(ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES, "false");
        off.put(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT, "1");
        assertThat(ConfigResolver.resolve(null, null, null, off).encode().minCategoryCount()).isEqualTo(1);
        off.put(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT, "0");
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, off))
                .isInstanceOf(BadInputException.class).hasMessageContaining(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT);
        assertThat(ConfigResolver.resolve(null, null, null, Map.of(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT, "7"))
                .encode().minCategoryCount()).isEqualTo(7);
    }

    @Test
    void theEncoderShareIsAutoByDefaultAndANumberWhenGiven() {
        Map<String, String> on = new LinkedHashMap<>();
        on.put(ConfigKeys.PRIVACY_EPSILON, "3");
        PrivacySettings auto = ConfigResolver.resolve(null, null, null, on).privacy();
        assertThat(auto.autoEncoderShare()).isTrue();
        on.put(ConfigKeys.PRIVACY_ENCODER_SHARE, " AUTO ");
        assertThat(ConfigResolver.resolve(null, null, null, on).privacy().autoEncoderShare()).isTrue();
        on.put(ConfigKeys.PRIVACY_ENCODER_SHARE, "0.9");
        PrivacySettings given = ConfigResolver.resolve(null, null, null, on).privacy();
        assertThat(given.autoEncoderShare()).isFalse();
        assertThat(given.encoderEpsilon()).isCloseTo(2.7, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(auto.withEncoderShare(0.9)).isEqualTo(given);
        on.put(ConfigKeys.PRIVACY_ENCODER_SHARE, "most");
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, on)).isInstanceOf(BadInputException.class)
                .hasMessageContaining(ConfigKeys.PRIVACY_ENCODER_SHARE);
    }

    @Test
    void privacyIsOffByDefaultAndSplitsItsBudgetWhenOn() {
        assertThat(FlowsynthConfig.defaults().privacy().enabled()).isFalse();
        Map<String, String> on = new LinkedHashMap<>();
        on.put(ConfigKeys.PRIVACY_EPSILON, "3");
        on.put(ConfigKeys.PRIVACY_ENCODER_SHARE, "0.25");
        PrivacySettings p = ConfigResolver.resolve(null, null, null, on).privacy();
        assertThat(p.enabled()).isTrue();
        assertThat(p.encoderEpsilon()).isEqualTo(0.75);
        assertThat(p.trainingEpsilon()).isEqualTo(2.25);
        assertThat(p.deltaFor(1000)).isEqualTo(1e-6);
        assertThat(p.encoderDelta(1000) + p.trainingDelta(1000)).isCloseTo(1e-6, org.assertj.core.data.Offset.offset(1e-18));
        on.put(ConfigKeys.PRIVACY_DELTA, "0.005");
        PrivacySettings given = ConfigResolver.resolve(null, null, null, on).privacy();
        assertThat(given.deltaFor(100)).isEqualTo(0.005);
        assertThatThrownBy(() -> given.deltaFor(1000)).isInstanceOf(BadInputException.class)
                .hasMessageContaining(ConfigKeys.PRIVACY_DELTA).hasMessageContaining("1/n");
    }

    @Test
    void malformedAndUnknownValuesNameTheKey() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(ConfigKeys.TRAIN_BATCH_SIZE, "lots");
        bad.put(ConfigKeys.FLOW_TAIL_BOUND, "wide");
        bad.put(ConfigKeys.TRAIN_CHECKPOINT, "maybe");
        bad.put(ConfigKeys.FLOW_COPULA_INIT, "perhaps");
        bad.put(ConfigKeys.ENCODE_BOUNDS, "clipped");
        bad.put(ConfigKeys.PRIVACY_DROP_EXACT_COPIES, "sometimes");
        bad.put(ConfigKeys.SAMPLE_COMPRESSION, "rar");
        bad.put(ConfigKeys.TRAIN_REPARTITION, "often");
        bad.put(ConfigKeys.FLOW_HIDDEN_FEATURES, "big");
        bad.put(ConfigKeys.PRIVACY_EPSILON, "none");
        bad.put(ConfigKeys.PRIVACY_DELTA, "tiny");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of(e.getKey(), e.getValue())))
                    .as(e.getKey()).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("Configuration " + e.getKey() + ": ").hasMessageContaining(e.getValue())
                    .hasMessageNotContaining("\n");
        }
    }
}
