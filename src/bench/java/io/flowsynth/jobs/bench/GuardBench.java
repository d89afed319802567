package io.flowsynth.jobs.bench;

import io.flowsynth.spark.sample.ExactCopyGuard;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static org.apache.spark.sql.functions.col;

/**
 * {@code jobs/bench.sh guard}: the exact-copy match of a synthetic table against its training table, both
 * {@code ROWS} rows × {@code COLUMNS} wide-benchmark columns ({@link WideBench}), the synthetic one a tenth copies of
 * training rows: the hash join with exact verification ({@link ExactCopyGuard#countEqualRows}) against the former
 * left-semi join on one {@code <=>} condition per column, in one JVM on the same cached inputs. Both must find the
 * same copies. Arguments: {@code OUT.json ROWS COLUMNS [new|both]}.
 */
public final class GuardBench {
    private GuardBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.parseLong(args[1]);
        int columns = Integer.parseInt(args[2]);
        boolean old = args.length < 4 || args[3].equals("both");
        SparkSession spark = SparkSession.builder().master(System.getenv().getOrDefault("FLOWSYNTH_MASTER", "local[1]"))
                .appName("guard-bench").config("spark.ui.enabled", "false")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer").getOrCreate();
        try {
            Dataset<Row> train = WideBench.generate(spark, rows, columns, 7, 2).cache();
            long copies = rows / 10;
            Dataset<Row> synthetic = WideBench.generate(spark, rows - copies, columns, 8, 2)
                    .union(train.limit((int) copies)).cache();
            train.count();
            synthetic.count();
            String[] names = train.columns();
            long t = System.nanoTime();
            long found = ExactCopyGuard.countEqualRows(synthetic, train, names);
            double hashSeconds = (System.nanoTime() - t) / 1e9;
            System.out.printf(Locale.ROOT, "guard: %d columns, %d rows: hash join %.1f s, %d copies%n", columns, rows,
                    hashSeconds, found);
            double oldSeconds = Double.NaN;
            long oldFound = -1;
            String oldError = null;
            if (old) {
                t = System.nanoTime();
                // the former guard's join, as it was: aliased columns, one <=> per column
                Column[] l = new Column[names.length];
                Column[] r = new Column[names.length];
                Column on = null;
                for (int c = 0; c < names.length; c++) {
                    l[c] = col("`" + names[c] + "`").as("l" + c);
                    r[c] = col("`" + names[c] + "`").as("r" + c);
                    Column eq = col("l" + c).eqNullSafe(col("r" + c));
                    on = on == null ? eq : on.and(eq);
                }
                try {
                    oldFound = synthetic.select(l).join(train.select(r), on, "left_semi").count();
                } catch (StackOverflowError e) {
                    // seen at 1,000 columns: Catalyst's optimizer recurses through the 1,000-deep AND
                    oldError = "StackOverflowError in the optimizer";
                    oldFound = found;
                }
                oldSeconds = (System.nanoTime() - t) / 1e9;
                System.out.printf(Locale.ROOT, "guard: %d columns, %d rows: <=> join %.1f s, %s%n", columns,
                        rows, oldSeconds, oldError == null ? oldFound + " copies" : "failed: " + oldError);
                if (oldFound != found) {
                    throw new IllegalStateException("the joins disagree: " + found + " vs " + oldFound);
                }
            }
            if (found != copies) {
                throw new IllegalStateException("expected " + copies + " copies, found " + found);
            }
            Files.writeString(Path.of(args[0]), String.format(Locale.ROOT,
                    "{\"columns\": %d, \"rows\": %d, \"copies\": %d, \"hash_join_seconds\": %.2f, "
                            + "\"null_safe_join_seconds\": %s, \"null_safe_join_error\": %s, \"speedup\": %s, "
                            + "\"master\": \"%s\"}%n",
                    columns, rows, found, hashSeconds, old ? String.format(Locale.ROOT, "%.2f", oldSeconds) : "null",
                    oldError == null ? "null" : "\"" + oldError + "\"",
                    old && oldError == null ? String.format(Locale.ROOT, "%.2f", oldSeconds / hashSeconds) : "null",
                    spark.sparkContext().master()), StandardCharsets.UTF_8);
        } finally {
            spark.stop();
        }
    }
}
