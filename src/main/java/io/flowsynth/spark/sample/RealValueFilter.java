package io.flowsynth.spark.sample;

import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.GeneratedColumn;
import io.flowsynth.encode.RealValues;
import io.flowsynth.encode.TableEncoder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.sketch.BloomFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RealValues} of a table's generated columns as Spark Bloom filters (one aggregate job per column, false
 * positive rate {@value #FPP}), built by {@code run} from the input it holds and broadcast with the model for sampling
 * only: never saved, so the model stays free of any membership oracle.
 */
public final class RealValueFilter implements RealValues {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RealValueFilter.class);
    /** False positive rate of each filter: one generated value in a thousand is redrawn needlessly. */
    static final double FPP = 1e-3;

    private final Map<Integer, BloomFilter> filters;

    private RealValueFilter(Map<Integer, BloomFilter> filters) {
        this.filters = filters;
    }

    /** Filters of the real values of every generated column that may repeat them; null when there is none. */
    public static RealValueFilter of(Dataset<Row> real, TableEncoder encoder, long rows) {
        Map<Integer, BloomFilter> filters = new HashMap<>();
        List<ColumnEncoder> columns = encoder.columns();
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i) instanceof GeneratedColumn g && g.mayRepeatRealValues()) {
                String name = "`" + g.column().replace("`", "``") + "`";
                filters.put(i, real.stat().bloomFilter(real.col(name), Math.max(1000, rows), FPP));
            }
        }
        if (filters.isEmpty()) {
            return null;
        }
        LOG.info("Generated values equal to a real one are drawn again ({} columns; real values held in memory only)",
                filters.size());
        return new RealValueFilter(filters);
    }

    @Override
    public boolean mightContain(int column, Object value) {
        BloomFilter f = filters.get(column);
        return f != null && value != null && f.mightContainString(value.toString());
    }
}
