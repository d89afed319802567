package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which categorical columns an unconditional fit conditions on: fewest outcomes first, while their joint covers the rows. */
class AutoContextTest {
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);

    private static CategoricalEncoder cat(String name, Map<Object, Long> counts) {
        return new CategoricalEncoder(name, STRING, counts, 0, Map.of());
    }

    @Test
    void candidatesAreFewOutcomeCategoricalsAndAColumnJoinsWhileTheKeptCombinationsCoverTheRows() {
        // 1,000 rows: a (2 levels) and b (3 levels) independent-ish; c (4 levels) splits every (a, b) so that most
        // combinations of all three are rarer than 5 rows; x is numeric
        CategoricalEncoder a = cat("a", Map.of("a0", 600L, "a1", 400L));
        CategoricalEncoder b = cat("b", Map.of("b0", 500L, "b1", 300L, "b2", 200L));
        CategoricalEncoder c = cat("c", Map.of("c0", 400L, "c1", 300L, "c2", 200L, "c3", 100L));
        QuantileEncoder x = Fixtures.quantile("x", "continuous", DOUBLE, List.of(1.0, 2.0, 3.0, 4.0), 4);
        TableEncoder encoder = new TableEncoder(List.of(x, c, b, a));
        List<Integer> candidates = AutoContext.candidates(encoder);
        assertThat(candidates).containsExactly(3, 2, 1); // a, b, c: fewest outcomes first, no numeric column
        List<Object[]> values = new ArrayList<>();
        List<Long> rows = new ArrayList<>();
        // (a, b) combinations all common; with c, 2 % of the rows sit in combinations of fewer than 5 rows
        long[][] ab = {{300, 180, 120}, {200, 120, 80}};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                long n = ab[i][j];
                long rare = i == 1 && j == 2 ? 20 : 0; // 20 rows in 5 combinations of 4 rows
                for (int k = 0; k < 4; k++) {
                    long share = k == 3 && rare > 0 ? 4 : (n - (rare > 0 ? 4 : 0)) / 3;
                    values.add(new Object[]{"a" + i, "b" + j, "c" + k});
                    rows.add(share);
                }
            }
        }
        long total = rows.stream().mapToLong(Long::longValue).sum();
        assertThat(AutoContext.choose(encoder, candidates, values, rows, total, 5)).containsExactly("a", "b", "c");
        // a threshold that makes c's split leave more than 1 % of the rows in rare combinations: c stays out
        assertThat(AutoContext.choose(encoder, candidates, values, rows, total, 30)).containsExactly("a", "b");
        // a value that is not kept counts for no combination
        List<Object[]> unseen = new ArrayList<>(values);
        unseen.replaceAll(v -> v[0].equals("a1") ? new Object[]{"a9", v[1], v[2]} : v);
        assertThat(AutoContext.choose(encoder, candidates, unseen, rows, total, 5)).doesNotContain("a");
        // a table of these categoricals only: the one with the most outcomes stays for the flow
        TableEncoder cats = new TableEncoder(List.of(c, b, a));
        assertThat(AutoContext.choose(cats, AutoContext.candidates(cats), values, rows, total, 5))
                .containsExactly("a", "b");
    }
}
