package io.flowsynth.spark.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * 2-d toy densities with a known density, for the density benchmark (columns {@code x}, {@code y}, doubles):
 * <ul>
 *   <li>{@code checkerboard}: uniform on the 8 dark squares (2×2 each) of a 4×4 board over [−4, 4]²: p = 1/32, so
 *       the optimal NLL is ln 32 ≈ 3.466 nats;</li>
 *   <li>{@code eight-gaussians}: equal mixture of N(c_k, 0.2²I), c_k on the circle of radius 2 at angles kπ/4;</li>
 *   <li>{@code two-moons}: the two interleaved half circles (unit radius, the second shifted by (1, −0.5)), a uniform
 *       angle plus N(0, 0.1²I) noise; density by quadrature over the angle.</li>
 * </ul>
 * Rows are generated on the driver (benchmark sizes: tens of thousands of rows).
 */
public final class ToyDensities {
    public static final List<String> NAMES = List.of("checkerboard", "eight-gaussians", "two-moons");
    private static final double EIGHT_SIGMA = 0.2;
    private static final double MOON_SIGMA = 0.1;
    private static final int MOON_QUADRATURE = 2000;

    private ToyDensities() {
    }

    public static StructType schema() {
        return new StructType(new StructField[]{
            DataTypes.createStructField("x", DataTypes.DoubleType, false),
            DataTypes.createStructField("y", DataTypes.DoubleType, false)});
    }

    public static double[] draw(String name, Random r) {
        switch (name) {
            case "checkerboard": {
                double x = -4 + 8 * r.nextDouble();
                int cx = Math.min(3, (int) Math.floor((x + 4) / 2));
                int ry = 2 * r.nextInt(2) + (cx % 2 == 0 ? 0 : 1); // squares with (column + row) even
                return new double[]{x, -4 + 2 * ry + 2 * r.nextDouble()};
            }
            case "eight-gaussians": {
                double a = r.nextInt(8) * Math.PI / 4;
                return new double[]{2 * Math.cos(a) + EIGHT_SIGMA * r.nextGaussian(),
                    2 * Math.sin(a) + EIGHT_SIGMA * r.nextGaussian()};
            }
            case "two-moons": {
                double t = Math.PI * r.nextDouble();
                boolean upper = r.nextBoolean();
                double cx = upper ? Math.cos(t) : 1 - Math.cos(t);
                double cy = upper ? Math.sin(t) : 0.5 - Math.sin(t);
                return new double[]{cx + MOON_SIGMA * r.nextGaussian(), cy + MOON_SIGMA * r.nextGaussian()};
            }
            default:
                throw new IllegalArgumentException("Unknown toy density '" + name + "' (known: " + NAMES + ")");
        }
    }

    private static double gauss2(double dx, double dy, double s) {
        return Math.exp(-(dx * dx + dy * dy) / (2 * s * s)) / (2 * Math.PI * s * s);
    }

    /** The true log density at (x, y). */
    public static double logDensity(String name, double x, double y) {
        switch (name) {
            case "checkerboard": {
                if (x < -4 || x >= 4 || y < -4 || y >= 4) {
                    return Double.NEGATIVE_INFINITY;
                }
                int cx = Math.min(3, (int) Math.floor((x + 4) / 2));
                int ry = Math.min(3, (int) Math.floor((y + 4) / 2));
                return (cx + ry) % 2 == 0 ? -Math.log(32) : Double.NEGATIVE_INFINITY;
            }
            case "eight-gaussians": {
                double p = 0;
                for (int k = 0; k < 8; k++) {
                    double a = k * Math.PI / 4;
                    p += gauss2(x - 2 * Math.cos(a), y - 2 * Math.sin(a), EIGHT_SIGMA) / 8;
                }
                return Math.log(p);
            }
            case "two-moons": {
                double p = 0;
                for (int i = 0; i < MOON_QUADRATURE; i++) {
                    double t = Math.PI * (i + 0.5) / MOON_QUADRATURE;
                    p += gauss2(x - Math.cos(t), y - Math.sin(t), MOON_SIGMA)
                            + gauss2(x - (1 - Math.cos(t)), y - (0.5 - Math.sin(t)), MOON_SIGMA);
                }
                return Math.log(p / (2.0 * MOON_QUADRATURE));
            }
            default:
                throw new IllegalArgumentException("Unknown toy density '" + name + "'");
        }
    }

    /** {@code rows} draws, as a table of {@link #schema()}, and the mean true NLL of exactly those rows. */
    public static Dataset<Row> generate(SparkSession spark, String name, int rows, long seed, double[] meanNll) {
        Random r = new Random(seed);
        List<Row> out = new ArrayList<>(rows);
        double nll = 0;
        for (int i = 0; i < rows; i++) {
            double[] p = draw(name, r);
            out.add(RowFactory.create(p[0], p[1]));
            nll -= logDensity(name, p[0], p[1]) / rows;
        }
        if (meanNll != null) {
            meanNll[0] = nll;
        }
        return spark.createDataFrame(out, schema());
    }
}
