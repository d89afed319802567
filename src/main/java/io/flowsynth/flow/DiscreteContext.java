package io.flowsynth.flow;

import io.flowsynth.math.StandardNormal;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The categorical features of a conditional flow's context, fed to the flow as one fixed value per category (the
 * midpoint of its frequency interval, z = Φ⁻¹((c_k + c_{k+1}) / 2)) rather than dequantized within the interval: the
 * conditioners then see exactly one input per level, so a level's conditional p(rest | c) is not blurred into its
 * neighbours' near the interval boundaries (a rare level's interval is narrow, and with dequantized inputs its rows
 * came out like those of the level beside it). p(c) of these features is the categories' frequencies themselves:
 * plain sampling draws a level with its frequency from the feature's base noise (the interval holding Φ(z)).
 *
 * <p>A discrete feature may be followed by its <b>level indicators</b> (one feature per category, 1 for the row's
 * category and 0 for the others), so the conditioners get one input per level; they are a function of the discrete
 * feature, set with it wherever it is set (snapped, drawn), and carry no probability of their own.
 *
 * <p>Immutable; per context feature either discrete (the frequency intervals' bounds), an indicator of the discrete
 * feature before it, or continuous (null).
 */
public final class DiscreteContext implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[][] lower;     // per feature: interval bounds c_0 = 0 … c_n = 1, or null
    private final double[][] midpoint;  // per feature: Φ⁻¹ of each interval's midpoint
    private final double[][] logFrequency;
    private final int[] indicators;     // per feature: its indicator features after it (0: none)
    private final boolean[] indicator;  // per feature: whether it is another feature's indicator
    private int[] jointFeatures;        // the features drawn together, or null
    private int[][] jointLevels;        // per combination, each joint feature's category
    private double[] jointCumulative;   // running probabilities of the combinations, ending at 1
    private java.util.Map<java.util.List<Integer>, Double> jointLogProb;
    private Child[] children = new Child[0]; // features drawn after the joint, each given its parent's category

    /** A feature drawn given its parent feature's category: per parent category, its categories' running shares. */
    private record Child(int feature, int parent, int[][] categories, double[][] cumulative, double[][] logProb)
            implements Serializable {
        /** ln p(child category k | parent category p), or NaN when the pair is not stored. */
        double logProb(int p, int k) {
            if (categories[p] == null) {
                return Double.NaN;
            }
            for (int j = 0; j < categories[p].length; j++) {
                if (categories[p][j] == k) {
                    return logProb[p][j];
                }
            }
            return Double.NaN;
        }
    }

    /**
     * @param lower per context feature, its categories' interval bounds in [0, 1] (n + 1 increasing values from 0 to
     *              1), or null for a continuous feature
     */
    public DiscreteContext(double[][] lower) {
        this(lower, new int[lower.length]);
    }

    /**
     * @param lower      as above; an indicator feature's entry is null
     * @param indicators per context feature, the number of its level indicators right after it: 0, or its number of
     *                   categories (discrete features only)
     */
    public DiscreteContext(double[][] lower, int[] indicators) {
        if (indicators.length != lower.length) {
            throw new IllegalArgumentException("Indicators for " + indicators.length + " features, bounds for "
                    + lower.length);
        }
        this.indicators = indicators.clone();
        this.indicator = new boolean[lower.length];
        for (int i = 0; i < lower.length; i++) {
            if (indicators[i] == 0) {
                continue;
            }
            if (lower[i] == null || indicators[i] != lower[i].length - 1 || i + indicators[i] >= lower.length) {
                throw new IllegalArgumentException("Context feature " + i + ": " + indicators[i]
                        + " indicators need a discrete feature of as many categories followed by them");
            }
            for (int j = 1; j <= indicators[i]; j++) {
                if (lower[i + j] != null || indicators[i + j] != 0) {
                    throw new IllegalArgumentException("Context feature " + (i + j) + " is an indicator of feature "
                            + i + ", not a feature of its own");
                }
                indicator[i + j] = true;
            }
        }
        this.lower = new double[lower.length][];
        this.midpoint = new double[lower.length][];
        this.logFrequency = new double[lower.length][];
        for (int i = 0; i < lower.length; i++) {
            if (lower[i] == null) {
                continue;
            }
            double[] b = lower[i].clone();
            if (b.length < 2) {
                throw new IllegalArgumentException("Context feature " + i + " needs at least one category");
            }
            this.lower[i] = b;
            midpoint[i] = new double[b.length - 1];
            logFrequency[i] = new double[b.length - 1];
            for (int k = 0; k < b.length - 1; k++) {
                midpoint[i][k] = StandardNormal.inverseCdf(0.5 * (b[k] + b[k + 1]));
                logFrequency[i][k] = Math.log(b[k + 1] - b[k]);
            }
        }
    }

    /**
     * This context with a joint of some of its discrete features: plain sampling draws their categories together,
     * combination c with probability counts[c] / Σ counts, and log p of their categories is the combination's.
     *
     * @param features discrete features drawn together (two or more)
     * @param levels   per combination, each feature's category
     * @param counts   per combination, its weight (rows)
     */
    public DiscreteContext withJoint(int[] features, int[][] levels, long[] counts) {
        DiscreteContext copy = copy();
        for (int f : features) {
            if (f < 0 || f >= lower.length || lower[f] == null) {
                throw new IllegalArgumentException("Joint feature " + f + " is not a discrete context feature");
            }
        }
        double total = 0;
        for (long c : counts) {
            total += c;
        }
        copy.jointFeatures = features.clone();
        copy.jointLevels = new int[levels.length][];
        copy.jointCumulative = new double[levels.length];
        copy.jointLogProb = new java.util.HashMap<>();
        double running = 0;
        for (int c = 0; c < levels.length; c++) {
            for (int j = 0; j < features.length; j++) {
                if (levels[c][j] < 0 || levels[c][j] >= midpoint[features[j]].length) {
                    throw new IllegalArgumentException("Joint combination " + c + " has no category " + levels[c][j]
                            + " in feature " + features[j]);
                }
            }
            copy.jointLevels[c] = levels[c].clone();
            running += counts[c];
            copy.jointCumulative[c] = running / total;
            copy.jointLogProb.put(java.util.Arrays.stream(levels[c]).boxed().toList(), Math.log(counts[c] / total));
        }
        copy.jointCumulative[levels.length - 1] = 1.0;
        return copy;
    }

    /** A copy sharing this context's (immutable) joint and children, for a {@code with…} method to change. */
    private DiscreteContext copy() {
        DiscreteContext copy = new DiscreteContext(lower, indicators);
        copy.jointFeatures = jointFeatures;
        copy.jointLevels = jointLevels;
        copy.jointCumulative = jointCumulative;
        copy.jointLogProb = jointLogProb;
        copy.children = children;
        return copy;
    }

    /**
     * This context with one more <b>child</b> feature, drawn after the joint (and earlier children) given its parent
     * feature's category: category k with probability counts[p, k] / Σ_k counts[p, k] for the parent's category p;
     * a parent category without pairs draws it by its own frequency. log p of its category is the pair's conditional
     * (its own frequency when the pair is not stored: a rare pair left out).
     *
     * @param feature the child, a discrete feature in no joint
     * @param parent  a joint feature or an earlier child
     * @param pairs   per pair, the parent's and the child's category
     * @param counts  per pair, its weight (rows)
     */
    public DiscreteContext withChild(int feature, int parent, int[][] pairs, long[] counts) {
        for (int f : new int[]{feature, parent}) {
            if (f < 0 || f >= lower.length || lower[f] == null) {
                throw new IllegalArgumentException("Child or parent feature " + f + " is not a discrete context feature");
            }
        }
        boolean parentDrawn = jointFeatures != null && Arrays.stream(jointFeatures).anyMatch(f -> f == parent);
        for (Child c : children) {
            parentDrawn |= c.feature() == parent;
            if (c.feature() == feature) {
                throw new IllegalArgumentException("Feature " + feature + " is a child already");
            }
        }
        if (!parentDrawn || (jointFeatures != null && Arrays.stream(jointFeatures).anyMatch(f -> f == feature))) {
            throw new IllegalArgumentException("Child feature " + feature + " needs a parent drawn before it and no "
                    + "place in the joint");
        }
        int parents = midpoint[parent].length;
        java.util.List<java.util.List<int[]>> byParent = new java.util.ArrayList<>();
        for (int p = 0; p < parents; p++) {
            byParent.add(new java.util.ArrayList<>());
        }
        for (int i = 0; i < pairs.length; i++) {
            int p = pairs[i][0];
            int k = pairs[i][1];
            if (p < 0 || p >= parents || k < 0 || k >= midpoint[feature].length || counts[i] <= 0) {
                throw new IllegalArgumentException("Child pair " + i + " (" + p + ", " + k + ", " + counts[i]
                        + ") is out of range");
            }
            byParent.get(p).add(new int[]{k, i});
        }
        int[][] categories = new int[parents][];
        double[][] cumulative = new double[parents][];
        double[][] logProb = new double[parents][];
        for (int p = 0; p < parents; p++) {
            java.util.List<int[]> list = byParent.get(p);
            if (list.isEmpty()) {
                continue;
            }
            double total = 0;
            for (int[] e : list) {
                total += counts[e[1]];
            }
            categories[p] = new int[list.size()];
            cumulative[p] = new double[list.size()];
            logProb[p] = new double[list.size()];
            double running = 0;
            for (int j = 0; j < list.size(); j++) {
                categories[p][j] = list.get(j)[0];
                running += counts[list.get(j)[1]];
                cumulative[p][j] = running / total;
                logProb[p][j] = Math.log(counts[list.get(j)[1]] / total);
            }
            cumulative[p][list.size() - 1] = 1.0;
        }
        DiscreteContext copy = copy();
        copy.children = Arrays.copyOf(children, children.length + 1);
        copy.children[children.length] = new Child(feature, parent, categories, cumulative, logProb);
        return copy;
    }

    /**
     * Plain sampling's discrete features of one row from its base noise {@code z} (the context features'), in place
     * in {@code c}: the joint's features together from the first one's noise, then each child from its own noise
     * given its parent's category, the other discrete features each from its own; continuous features are left as
     * they are.
     */
    public void draw(double[] z, double[] c) {
        for (int i = 0; i < lower.length; i++) {
            if (lower[i] != null) {
                c[i] = snap(i, z[i]);
            }
        }
        if (jointFeatures != null) {
            double u = StandardNormal.cdf(z[jointFeatures[0]]);
            int k = Arrays.binarySearch(jointCumulative, u);
            k = k >= 0 ? Math.min(k + 1, jointCumulative.length - 1) : Math.min(-k - 1, jointCumulative.length - 1);
            for (int j = 0; j < jointFeatures.length; j++) {
                c[jointFeatures[j]] = midpoint[jointFeatures[j]][jointLevels[k][j]];
            }
        }
        for (Child child : children) {
            int p = category(child.parent(), c[child.parent()]);
            int[] cats = child.categories()[p];
            if (cats == null) {
                continue; // a parent level without stored pairs: the child's own frequency (drawn above)
            }
            double[] cum = child.cumulative()[p];
            double u = StandardNormal.cdf(z[child.feature()]);
            int k = Arrays.binarySearch(cum, u);
            k = k >= 0 ? Math.min(k + 1, cum.length - 1) : Math.min(-k - 1, cum.length - 1);
            c[child.feature()] = midpoint[child.feature()][cats[k]];
        }
        snapRow(c); // the level indicators after the levels (the levels themselves are midpoints already)
    }

    /**
     * Σ ln p of a row's discrete context features: the joint combination's probability for the joint's features (the
     * product of their frequencies when the combination is not in the joint: a rare combination left out), each
     * other discrete feature's frequency.
     */
    public double logProbDiscrete(double[] row) {
        double lp = 0;
        java.util.Set<Integer> inJoint = new java.util.HashSet<>();
        if (jointFeatures != null) {
            java.util.List<Integer> key = new java.util.ArrayList<>();
            for (int f : jointFeatures) {
                key.add(category(f, row[f]));
            }
            Double joint = jointLogProb.get(key);
            if (joint != null) {
                lp += joint;
                for (int f : jointFeatures) {
                    inJoint.add(f);
                }
            }
        }
        for (Child child : children) {
            double conditional = child.logProb(category(child.parent(), row[child.parent()]),
                    category(child.feature(), row[child.feature()]));
            if (!Double.isNaN(conditional)) {
                lp += conditional;
                inJoint.add(child.feature());
            }
        }
        for (int i = 0; i < lower.length; i++) {
            if (lower[i] != null && !inJoint.contains(i)) {
                lp += logProb(i, row[i]);
            }
        }
        return lp;
    }

    /**
     * The one feature whose base noise alone picks a row's discrete context levels in {@link #draw} — the joint's
     * first feature when every discrete feature is in the joint or one of its children (which add their own noise
     * given the joint's levels), the only discrete feature when there is no joint —
     * or −1 (several features draw independently, or none is discrete). Plain sampling may give it
     * {@link #stratifiedNoise} instead of independent noise.
     */
    public int drawnBy() {
        java.util.List<Integer> drawn = new java.util.ArrayList<>();
        for (int i = 0; i < lower.length; i++) {
            if (lower[i] != null) {
                drawn.add(i);
            }
        }
        if (jointFeatures != null) { // children draw from their own noise given the joint's levels
            return drawn.size() == jointFeatures.length + children.length ? jointFeatures[0] : -1;
        }
        return drawn.size() == 1 ? drawn.get(0) : -1;
    }

    /** The offset of {@link #stratifiedNoise}'s sequence for a sample's seed (a well-mixed 64-bit value). */
    public static long stratifiedOffset(long seed) {
        return new java.util.SplittableRandom(seed).nextLong();
    }

    /**
     * The base noise of synthetic row {@code row} for {@link #drawnBy}'s feature: Φ⁻¹ of the 64-bit Weyl sequence
     * u = frac(offset + row · (√5 − 1)/2), {@code offset} from {@link #stratifiedOffset}. Rows 0 … N − 1 of a table then hold each
     * level (or combination) of frequency p in N·p rows give or take a few (the sequence's discrepancy is
     * O(log N / N)), where independent draws scatter by √(N·p): a context column's proportions come out as the
     * model stores them instead of with a sample's noise, and any slice of consecutive rows is itself spread over the
     * levels (each partition samples a range of rows).
     */
    public static double stratifiedNoise(long row, long offset) {
        long x = row * 0x9E3779B97F4A7C15L + offset;
        double u = ((x >>> 11) + 0.5) * 0x1.0p-53;
        return StandardNormal.inverseCdf(u);
    }

    /** Number of context features described (discrete or not). */
    public int features() {
        return lower.length;
    }

    /** Whether context feature {@code i} is discrete (or an indicator of a discrete feature). */
    public boolean discrete(int i) {
        return lower[i] != null || indicator[i];
    }

    /** The category of a discrete feature's value z: the interval holding Φ(z). */
    int category(int i, double z) {
        double u = StandardNormal.cdf(Double.isNaN(z) ? 0.0 : z);
        int k = Arrays.binarySearch(lower[i], u);
        k = k >= 0 ? k : -k - 2;
        return Math.max(0, Math.min(midpoint[i].length - 1, k));
    }

    /** The fixed value of a discrete feature's value z (its category's midpoint); z itself for a continuous one. */
    public double snap(int i, double z) {
        return lower[i] == null ? z : midpoint[i][category(i, z)];
    }

    /**
     * {@link #snap} of the context features of row-major rows of {@code width} features, in place, with their level
     * indicators set to match.
     */
    public void snapRows(float[] rows, int count, int width) {
        for (int r = 0; r < count; r++) {
            int at = r * width;
            for (int i = 0; i < lower.length; i++) {
                if (lower[i] != null) {
                    int k = category(i, rows[at + i]);
                    rows[at + i] = (float) midpoint[i][k];
                    for (int j = 0; j < indicators[i]; j++) {
                        rows[at + i + 1 + j] = j == k ? 1f : 0f;
                    }
                }
            }
        }
    }

    /** {@link #snap} of one row's context features, in place, with their level indicators set to match. */
    public void snapRow(double[] row) {
        for (int i = 0; i < lower.length; i++) {
            if (lower[i] != null) {
                int k = category(i, row[i]);
                row[i] = midpoint[i][k];
                for (int j = 0; j < indicators[i]; j++) {
                    row[i + 1 + j] = j == k ? 1.0 : 0.0;
                }
            }
        }
    }

    /** ln f_k of a discrete feature's value (its category's frequency). */
    public double logProb(int i, double z) {
        return logFrequency[i][category(i, z)];
    }
}
