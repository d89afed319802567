package io.flowsynth.spark.io;

import io.flowsynth.config.BadInputException;
import java.util.Locale;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads an input table: a Parquet file or directory, or a CSV file or directory with a header row. */
public final class TableReader {
    private TableReader() {
    }

    /**
     * @param format "parquet", "csv", or null to infer from the path (a name ending in .csv means CSV)
     */
    public static Dataset<Row> read(SparkSession spark, String path, String format) {
        HadoopFiles.requireExists(path, "Input", spark.sparkContext().hadoopConfiguration());
        String f = format == null ? (path.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "parquet")
                : format.toLowerCase(Locale.ROOT);
        try {
            Dataset<Row> df = switch (f) {
                case "parquet" -> spark.read().parquet(path);
                case "csv" -> spark.read().option("header", "true").option("inferSchema", "true")
                        .option("mode", "FAILFAST").csv(path);
                default -> throw new BadInputException("Option --format: expected parquet or csv, got '" + format + "'");
            };
            if (df.schema().fields().length == 0) {
                throw new BadInputException("Input " + path + " has no columns");
            }
            return df;
        } catch (BadInputException e) {
            throw e;
        } catch (Exception e) {
            // Spark reports unreadable or malformed input as AnalysisException (declared by no Java signature)
            // or as a SparkException from the schema-inference job.
            if (e instanceof AnalysisException || e.getCause() instanceof AnalysisException
                    || e.getClass().getName().contains("SparkException")) {
                throw new BadInputException("Cannot read input " + path + " as " + f + ": " + firstLine(e.getMessage()));
            }
            throw e;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
