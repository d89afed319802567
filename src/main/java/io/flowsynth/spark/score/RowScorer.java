package io.flowsynth.spark.score;

import io.flowsynth.spark.Seeds;
import io.flowsynth.error.BadInputException;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.flow.ConditionalFlow;
import io.flowsynth.flow.Flow;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact log density of table rows under a model, in the table's own units: log p(row) = log N(f(x); 0, I) +
 * log|det Df(x)| + Σ_columns {@link io.flowsynth.encode.ColumnEncoder#logDensityCorrection}, with x the encoded row.
 * Discrete columns make it a dequantization lower bound evaluated at one draw of the encoders' noise; that draw comes
 * from a generator seeded by (seed, the row's values), so a row's score does not depend on partitioning or order, and
 * equal rows score equally. A conditional model's rows score log p(rest | context) instead (see the conditional
 * constructor). Works in batches (ND4J's per-op cost makes single rows slow). Non-finite results (only
 * possible from float overflow in the flow) are returned as NaN here and written as null by {@link ScorePipeline}.
 */
public final class RowScorer {
    private final TableEncoder encoder;
    private final Flow flow;
    private final ConditionalFlow conditional;
    private final int contextColumns;
    private final boolean whole;
    private final long seed;

    public RowScorer(TableEncoder encoder, Flow flow, long seed) {
        this.encoder = encoder;
        this.flow = flow;
        this.conditional = null;
        this.contextColumns = 0;
        this.whole = false;
        this.seed = seed;
    }

    /**
     * A scorer of a conditional model: log p(rest | context) = log p(row) − log p(context), the context's columns
     * being the encoder's first {@code contextColumns} (their log-density corrections belong to p(context) and are
     * left out).
     */
    public RowScorer(TableEncoder encoder, ConditionalFlow conditional, int contextColumns, long seed) {
        this(encoder, conditional, contextColumns, false, seed);
    }

    /**
     * @param whole score log p(row) = log p(context) + log p(rest | context) instead (an automatic context's model):
     *              p(context) is the levels' frequencies (or their joint's), times, for a value of a context column's
     *              "other" bucket, its share of the bucket ({@link TableEncoder#logOutcomeShare})
     */
    public RowScorer(TableEncoder encoder, ConditionalFlow conditional, int contextColumns, boolean whole, long seed) {
        this.encoder = encoder;
        this.flow = conditional.flow();
        this.conditional = conditional;
        this.contextColumns = contextColumns;
        this.whole = whole;
        this.seed = seed;
    }

    /** @param rows values in {@link TableEncoder#columns()} order, one array per row */
    public double[] score(List<Object[]> rows) {
        int n = rows.size();
        int d = encoder.width();
        double[] out = new double[n];
        float[] features = new float[n * d];
        double[] f = new double[d];
        for (int r = 0; r < n; r++) {
            Object[] values = rows.get(r);
            try {
                encoder.encode(values, f, new Random(Seeds.mix(seed, Arrays.hashCode(values))));
                out[r] = encoder.logDensityCorrection(values, f, contextColumns)
                        + (whole ? encoder.logOutcomeShare(values, contextColumns) : 0);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
            for (int j = 0; j < d; j++) {
                features[r * d + j] = (float) f[j];
            }
        }
        if (d > 0 && n > 0) {
            INDArray x = Nd4j.createFromArray(features).reshape('c', n, d);
            INDArray lp = conditional == null ? flow.logProb(x.castTo(flowType()))
                    : whole ? conditional.logProb(x.castTo(flowType()))
                    : conditional.logProbRest(x.castTo(flowType()));
            for (int r = 0; r < n; r++) {
                out[r] += lp.getDouble(r);
            }
        }
        for (int r = 0; r < n; r++) {
            if (!Double.isFinite(out[r])) {
                out[r] = Double.NaN;
            }
        }
        return out;
    }

    private DataType flowType() {
        return DataType.FLOAT;
    }

}
