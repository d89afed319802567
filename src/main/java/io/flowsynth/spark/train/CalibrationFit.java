package io.flowsynth.spark.train;

import io.flowsynth.flow.ConditionalFlow;
import io.flowsynth.flow.Flow;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.MarginalCalibration;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.spark.Seeds;
import io.flowsynth.flow.transforms.Flows;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits a {@link MarginalCalibration} after training: quantiles of a seeded sample of the encoded training rows
 * (at most {@code rows}, drawn inside the partitions, so the driver holds rows × features floats whatever the table's
 * size) against quantiles of as many rows sampled from the trained flow on the driver.
 */
public final class CalibrationFit {
    private static final Logger LOG = LoggerFactory.getLogger(CalibrationFit.class);
    private static final int BATCH = 4096;
    /** Keeps the calibration's generators apart from the other users of the job seed. */
    private static final long CALIBRATION_STREAM = 0x632BE59BD9B4E019L;

    /** Most flow samples drawn for the calibration of an autoregressive flow ({@link #flowRows}). */
    public static final int SLOW_FLOW_ROWS = 50_000;

    /** Fewest calibration rows the value cap leaves (500 knots need a few rows each). */
    public static final int MIN_ROWS = 1_000;

    private CalibrationFit() {
    }

    /**
     * Rows of flow samples and of training rows the calibration matches: {@code configured}
     * ({@code flowsynth.train.calibration-rows}), but at most {@code maxValues / features}
     * ({@code flowsynth.train.calibration-max-values}: both sets are held on the driver as rows × features floats)
     * and, of that cap, at least {@value #MIN_ROWS}. Narrow tables keep {@code configured}: with the defaults every
     * table of up to 125 features; a 1,000-feature one gets 25,000 rows (200 MB rather than 1.6 GB).
     */
    public static int rows(int configured, int features, long maxValues) {
        long cap = Math.max(MIN_ROWS, maxValues / Math.max(1, features));
        return (int) Math.min(configured, cap);
    }

    /**
     * Flow samples the calibration draws: {@code rows} (at least 2); an autoregressive flow (MAF) inverts one feature
     * after another, one pass of its conditioner per feature, so it draws {@value #SLOW_FLOW_PER_ROW} per calibration
     * row of the data ({@code dataRows}, whose quantiles are no more precise), at least {@value #SLOW_FLOW_MIN_ROWS}
     * and at most {@value #SLOW_FLOW_ROWS} (about 100 per interval of the default 500 knots): measured on ames (97
     * features, 2,097 rows, 2 busy cores), 50,000 draws took 227 s.
     */
    public static int flowRows(int rows, boolean sequentialInverse, int dataRows) {
        if (!sequentialInverse) {
            return Math.max(2, rows);
        }
        long wanted = Math.max(SLOW_FLOW_MIN_ROWS, (long) SLOW_FLOW_PER_ROW * Math.max(0, dataRows));
        return (int) Math.max(2, Math.min(rows, Math.min(SLOW_FLOW_ROWS, wanted)));
    }

    /** Flow draws per data row of an autoregressive flow's calibration ({@link #flowRows}). */
    public static final int SLOW_FLOW_PER_ROW = 4;
    /** Fewest flow draws of an autoregressive flow's calibration ({@link #flowRows}). */
    public static final int SLOW_FLOW_MIN_ROWS = 10_000;

    /**
     * @param parameters the trained parameters in the flow spec's order
     * @param trainRows  the training rows across all blocks (sets the sampling fraction)
     * @param edges      per feature, where its decoding changes ({@link MarginalCalibration#fit}); null: none
     */
    public static MarginalCalibration fit(JavaRDD<FeatureBlock> blocks, long trainRows, FlowSpec spec,
                                          float[] parameters, int knots, int rows,
                                          java.util.function.DoubleUnaryOperator[] edges, long seed) {
        long start = System.nanoTime();
        double fraction = Math.min(1.0, rows / (double) Math.max(1, trainRows));
        List<float[]> parts = blocks.mapPartitionsWithIndex((p, it) -> {
            List<float[]> out = new ArrayList<>();
            Random rng = new Random(Seeds.mix(seed ^ CALIBRATION_STREAM, p));
            while (it.hasNext()) {
                FeatureBlock b = it.next();
                float[] kept = new float[b.train.length];
                int n = 0;
                for (int r = 0; r < b.trainRows; r++) {
                    if (fraction >= 1.0 || rng.nextDouble() < fraction) {
                        System.arraycopy(b.train, r * b.features, kept, n * b.features, b.features);
                        n++;
                    }
                }
                out.add(java.util.Arrays.copyOf(kept, n * b.features));
            }
            return out.iterator();
        }, false).collect();
        int total = parts.stream().mapToInt(a -> a.length).sum();
        float[] data = new float[total];
        int at = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, data, at, a.length);
            at += a.length;
        }
        int dataRows = total / spec.features();
        if (dataRows < 2) {
            return null;
        }
        Flow flow = Flows.build(spec, FlowNetworks.unflatten(spec, parameters, DataType.FLOAT));
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed ^ 0x5851F42D4C957F2DL);
        int flowRows = flowRows(rows, spec.type() == io.flowsynth.flow.FlowType.MAF, dataRows);
        int d = spec.features();
        float[] samples = new float[flowRows * d];
        for (int done = 0; done < flowRows; ) {
            int n = Math.min(BATCH, flowRows - done);
            float[] x = flow.sample(n, 1.0, rng, false);
            System.arraycopy(x, 0, samples, done * d, x.length);
            done += n;
        }
        if (spec.conditional()) {
            restGivenRealContexts(flow, spec, parameters, data, dataRows, samples, flowRows, rng);
        }
        MarginalCalibration c = MarginalCalibration.fit(samples, data, spec.features(), knots, edges);
        LOG.info("Calibrated the flow's marginals: {} knots per feature on {} training rows and {} flow samples in {}s",
                knots, dataRows, flowRows, String.format("%.1f", (System.nanoTime() - start) / 1e9));
        return c;
    }

    /**
     * A conditional model is sampled given contexts, so its other features are calibrated on draws of p(rest | c)
     * given the training rows' own contexts (a context drawn at random per row), not on draws of the unconditional
     * flow: their marginals then compare like with like whatever the context distribution the flow learned (under
     * context-balanced training it learned a re-weighted one). The context features keep the unconditional draws,
     * so plain sampling's p(c) is calibrated to the real context marginals.
     */
    private static void restGivenRealContexts(Flow flow, FlowSpec spec, float[] parameters, float[] data, int dataRows,
                                              float[] samples, int flowRows, java.util.SplittableRandom rng) {
        int d = spec.features();
        int k = spec.contextFeatures();
        ConditionalFlow conditional = new ConditionalFlow(flow,
                spec.contextToNoise(FlowNetworks.unflatten(spec, parameters, DataType.FLOAT)));
        for (int done = 0; done < flowRows; ) {
            int n = Math.min(BATCH, flowRows - done);
            float[] context = new float[n * k];
            float[] noise = new float[n * d];
            for (int r = 0; r < n; r++) {
                System.arraycopy(data, rng.nextInt(dataRows) * d, context, r * k, k);
                for (int i = k; i < d; i++) {
                    noise[r * d + i] = (float) rng.nextGaussian();
                }
            }
            float[] x = conditional.sampleGiven(noise, context, n);
            for (int r = 0; r < n; r++) {
                System.arraycopy(x, r * d + k, samples, (done + r) * d + k, d - k);
            }
            done += n;
        }
    }
}
