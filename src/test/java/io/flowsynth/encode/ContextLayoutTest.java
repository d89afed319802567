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
}
