package io.flowsynth.spark.sample;

import io.flowsynth.spark.Seeds;
import io.flowsynth.spark.TaskMemory;
import io.flowsynth.encode.BatchDecoder;
import io.flowsynth.flow.ConditionalFlow;
import io.flowsynth.flow.DiscreteContext;
import io.flowsynth.flow.Flow;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.model.ModelPayload;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Distributed inverse sampling: partition p of P generates its share of the N rows (N/P, the first N mod P
 * partitions one more) from generators seeded by (seed, p); in batches it draws z ~ N(0, I), computes x = f⁻¹(z) with
 * the plain-ND4J flow and decodes x into rows of the source schema. Rows depend only on (model, seed, P).
 * Identifier columns get fresh unique values from each row's global index (partition p's rows start at the sum of the
 * earlier partitions' counts), N and the seed. The output has the model's source schema exactly (names, order, types,
 * declared nullability).
 */
public final class SyntheticSampler {
    private final int batchSize;

    public SyntheticSampler(int batchSize) {
        this.batchSize = batchSize;
    }

    /**
     * @param independent skip the flow: decode the base noise directly, which samples every column independently
     *                    from its own marginal (the independent-columns baseline)
     */
    public Dataset<Row> sample(SparkSession spark, FlowsynthModel model, long rows, long seed, int partitions,
                               boolean independent) {
        return sample(spark, model, rows, seed, partitions, 1.0, independent);
    }

    /**
     * @param temperature scales the base noise: z ~ N(0, T²I); T &lt; 1 trades diversity for typicality
     */
    public Dataset<Row> sample(SparkSession spark, FlowsynthModel model, long rows, long seed, int partitions,
                               double temperature, boolean independent) {
        if (rows < 0 || partitions < 1) {
            throw new IllegalArgumentException("rows must be ≥ 0 and partitions ≥ 1");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a positive number, got " + temperature);
        }
        return sample(spark, model, rows, seed, partitions, temperature, independent, false);
    }

    /** Name of the global row index column that {@link #sampleIndexed} and {@link #redraw} append. */
    public static final String ROW_INDEX = "__flowsynth_row";

    /**
     * {@link #sample} with the global row index r ∈ [0, rows) appended as a last long column {@link #ROW_INDEX}
     * (the exact-copy guard uses it to name the rows it drops).
     */
    public Dataset<Row> sampleIndexed(SparkSession spark, FlowsynthModel model, long rows, long seed, int partitions,
                                      double temperature) {
        return sample(spark, model, rows, seed, partitions, temperature, false, true);
    }

    private Dataset<Row> sample(SparkSession spark, FlowsynthModel model, long rows, long seed, int partitions,
                                double temperature, boolean independent, boolean indexed) {
        if (rows < 0 || partitions < 1) {
            throw new IllegalArgumentException("rows must be ≥ 0 and partitions ≥ 1");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a positive number, got " + temperature);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelPayload> payload = jsc.broadcast(new ModelPayload(model));
        StructType source = model.sourceSchema();
        int[] target = InternalRowSink.targets(source, model.encoder()); // checked here, on the driver
        StructType schema = indexed ? source.add(ROW_INDEX, DataTypes.LongType, false) : source;
        int indexColumn = indexed ? source.size() : -1;
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ids.add(p);
        }
        int batch = batchSize;
        // checked when the model was fitted (FlowsynthConfig); a model fitted before the key samples stratified
        boolean stratify = Boolean.parseBoolean(model.config().getOrDefault(
                io.flowsynth.config.ConfigKeys.SAMPLE_STRATIFY_CONTEXT,
                String.valueOf(io.flowsynth.config.ConfigKeys.SAMPLE_STRATIFY_CONTEXT_DEFAULT)).trim());
        JavaRDD<InternalRow> out = jsc.parallelize(ids, partitions).mapPartitions(it -> {
            if (!it.hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            int p = it.next();
            long count = rows / partitions + (p < rows % partitions ? 1 : 0);
            long first = p * (rows / partitions) + Math.min(p, rows % partitions);
            return TaskMemory.guard(String.format("sampling %d rows of %d columns in batches of %d (partition %d)",
                    count, schema.size(), batch, p), () -> new RowIterator(payload.value(), count, Seeds.mix(seed, p),
                    batch, temperature, independent, first, rows, seed, new InternalRowSink(schema, target),
                    indexColumn, stratify));
        });
        // internal rows straight from the decoders: Spark's conversion of external Rows cost ~40% of the inverse.
        // internalCreateDataFrame is private[sql] in Scala, public in bytecode, and unchanged since Spark 2.0
        return spark.internalCreateDataFrame(out.rdd(), schema, false);
    }

    /**
     * Fresh draws for the rows whose global indices are given (a one-column long table, e.g. the rows the exact-copy
     * guard dropped), with the schema of {@link #sampleIndexed}. Row r of redraw {@code attempt} comes from
     * generators seeded by (seed, attempt, r) alone, so the result does not depend on how the indices are
     * partitioned; identifier columns are generated for index r of the {@code totalRows}-row table, so they stay
     * unique across the first draw and every redraw.
     */
    public Dataset<Row> redraw(SparkSession spark, FlowsynthModel model, Dataset<Row> indices, long totalRows,
                               long seed, int attempt, double temperature, int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelPayload> payload = jsc.broadcast(new ModelPayload(model));
        StructType source = model.sourceSchema();
        int[] target = InternalRowSink.targets(source, model.encoder());
        StructType schema = source.add(ROW_INDEX, DataTypes.LongType, false);
        int indexColumn = source.size();
        long redrawSeed = Seeds.mix(seed ^ REDRAW_STREAM, attempt);
        int batch = batchSize;
        JavaRDD<InternalRow> out = indices.coalesce(Math.max(1, partitions)).javaRDD().mapPartitions(it ->
                TaskMemory.guard(String.format("redrawing rows of %d columns in batches of %d (partition %d)",
                        schema.size(), batch, org.apache.spark.TaskContext.getPartitionId()),
                        () -> new RedrawIterator(payload.value(), it, redrawSeed, batch, temperature, totalRows, seed,
                                new InternalRowSink(schema, target), indexColumn)));
        return spark.internalCreateDataFrame(out.rdd(), schema, false);
    }

    /** Separates the redraw generators from the first draw's (seed, partition) streams. */
    static final long REDRAW_STREAM = 0x7E57C0B1E5L;

    /** Rows for given global indices, each from its own generators (see {@link #redraw}). */
    static final class RedrawIterator implements Iterator<InternalRow> {
        private final BatchDecoder decoder;
        private final Flow flow;
        private final Iterator<Row> indices;
        private final long redrawSeed;
        private final int batchSize;
        private final double temperature;
        private final long tableRows;
        private final long tableSeed;
        private final InternalRowSink sink;
        private final int indexColumn;
        private final int features;
        private final ConditionalFlow conditional; // a conditional model's plain sampling, else null
        private final Random decodeRng = new Random();
        private long[] batch = new long[0];
        private int batchRows;
        private int next;

        RedrawIterator(ModelPayload model, Iterator<Row> indices, long redrawSeed, int batchSize, double temperature,
                       long tableRows, long tableSeed, InternalRowSink sink, int indexColumn) {
            this.decoder = new BatchDecoder(model.encoder(), false);
            this.flow = model.flow();
            this.conditional = model.spec().conditional() ? model.conditionalFlow() : null;
            this.indices = indices;
            this.redrawSeed = redrawSeed;
            this.batchSize = batchSize;
            this.temperature = temperature;
            this.tableRows = tableRows;
            this.tableSeed = tableSeed;
            this.sink = sink;
            this.indexColumn = indexColumn;
            this.features = model.encoder().width();
        }

        @Override
        public boolean hasNext() {
            return next < batchRows || indices.hasNext();
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (next == batchRows) {
                fill();
            }
            long row = batch[next];
            decodeRng.setSeed(Seeds.mix(redrawSeed ^ 0x5DEECE66DL, row));
            decoder.emit(next++, decodeRng, row, tableRows, tableSeed, sink);
            sink.row().setLong(indexColumn, row);
            return sink.row();
        }

        private void fill() {
            if (batch.length < batchSize) {
                batch = new long[batchSize];
            }
            batchRows = 0;
            while (batchRows < batchSize && indices.hasNext()) {
                batch[batchRows++] = indices.next().getLong(0);
            }
            next = 0;
            float[] z = new float[batchRows * features];
            for (int r = 0; r < batchRows; r++) {
                SplittableRandom noise = new SplittableRandom(Seeds.mix(redrawSeed, batch[r]));
                for (int f = 0; f < features; f++) {
                    z[r * features + f] = (float) (noise.nextGaussian() * temperature);
                }
            }
            decoder.load(features == 0 ? z : conditional != null ? conditional.sampleFrom(z, batchRows)
                    : flow.sampleFrom(z, batchRows, false), batchRows);
        }
    }

    /**
     * Generates one partition's rows batch by batch, never holding more than one batch. Every row is the same
     * {@link InternalRowSink} row, refilled: Spark copies each before asking for the next.
     */
    static final class RowIterator implements Iterator<InternalRow> {
        /** Seed stream of the stratified context levels ({@link DiscreteContext#stratifiedNoise}). */
        static final long STRATIFIED_STREAM = 0x57A7L;
        private final boolean stratify;
        private final long stratifiedOffset;
        private final BatchDecoder decoder;
        private final Flow flow;
        private final ConditionalFlow conditional; // a conditional model's plain sampling, else null
        private final long total;
        private final int batchSize;
        private final boolean independent;
        private final double temperature;
        private final SplittableRandom noise;
        private final Random decodeRng;
        private final int features;
        private final long firstRow;
        private final long tableRows;
        private final long tableSeed;
        private long produced;
        private int batchRows;
        private int next;
        private final InternalRowSink sink;
        private final int indexColumn;

        RowIterator(ModelPayload model, long total, long seed, int batchSize, double temperature,
                    boolean independent, long firstRow, long tableRows, long tableSeed, InternalRowSink sink,
                    int indexColumn, boolean stratify) {
            this.stratify = stratify;
            this.stratifiedOffset = DiscreteContext.stratifiedOffset(Seeds.mix(tableSeed, STRATIFIED_STREAM));
            this.sink = sink;
            this.indexColumn = indexColumn;
            this.firstRow = firstRow;
            this.tableRows = tableRows;
            this.tableSeed = tableSeed;
            this.decoder = new BatchDecoder(model.encoder(), independent);
            this.flow = model.flow();
            this.conditional = model.spec().conditional() && !independent ? model.conditionalFlow() : null;
            this.total = total;
            this.batchSize = batchSize;
            this.independent = independent;
            this.temperature = temperature;
            this.noise = new SplittableRandom(seed);
            this.decodeRng = new Random(seed ^ 0x5DEECE66DL);
            this.features = model.encoder().width();
        }

        @Override
        public boolean hasNext() {
            return produced < total;
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (next == batchRows) {
                fill();
            }
            decoder.emit(next++, decodeRng, firstRow + produced, tableRows, tableSeed, sink);
            if (indexColumn >= 0) {
                sink.row().setLong(indexColumn, firstRow + produced);
            }
            produced++;
            return sink.row();
        }

        private void fill() {
            batchRows = (int) Math.min(batchSize, total - produced);
            next = 0;
            if (features == 0) {
                decoder.load(new float[0], batchRows);
            } else if (conditional != null) {
                float[] z = new float[batchRows * features];
                for (int i = 0; i < z.length; i++) {
                    z[i] = (float) (noise.nextGaussian() * temperature);
                }
                // the discrete context levels from a low-discrepancy sequence over the table's row numbers: the
                // table holds each level (or combination) in its stored proportion, not with a sample's scatter
                int stratified = stratify && temperature == 1.0 ? conditional.stratifiableFeature() : -1;
                if (stratified >= 0) {
                    for (int r = 0; r < batchRows; r++) {
                        z[r * features + stratified] = (float) DiscreteContext.stratifiedNoise(
                                firstRow + produced + r, stratifiedOffset);
                    }
                }
                decoder.load(conditional.sampleFrom(z, batchRows), batchRows);
            } else {
                decoder.load(flow.sample(batchRows, temperature, noise, independent), batchRows);
            }
        }
    }
}
