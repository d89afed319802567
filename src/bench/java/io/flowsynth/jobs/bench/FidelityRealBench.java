package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.fidelity.ColumnDiagnostics;
import io.flowsynth.fidelity.ColumnKind;
import io.flowsynth.fidelity.FidelityReport;
import io.flowsynth.fidelity.PairScore;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.nn.Dl4jConsole;
import io.flowsynth.spark.fidelity.FidelityEvaluator;
import io.flowsynth.spark.io.TableReader;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.pipeline.FitPipeline;
import io.flowsynth.spark.sample.SyntheticSampler;
import io.flowsynth.spark.score.ScorePipeline;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-table fidelity benchmark behind {@code jobs/bench.sh fidelity-real}: for every public table that the script
 * installed under the data directory ({@code NAME.csv}, or {@code NAME.json} as an array of records), in one JVM,
 * <ol>
 *   <li>caps the table at {@code --max-rows} rows (a seeded random subset), splits it 80/20 with a seeded
 *       {@code rand(seed)} flag and writes both sides as Parquet (so every method reads the same rows);</li>
 *   <li>scores four "synthetic" tables against the 80 % training side with the report's own evaluator
 *       ({@link FidelityEvaluator#evaluateDetailed}): the real <b>ceiling</b> (the 20 % holdout itself, i.e. the
 *       sampling noise of a perfect model), <b>independent</b> columns (the default model's marginals, no flow), the
 *       Gaussian <b>copula</b> ({@code flowsynth.flow.type=linear}) and the <b>defaults</b>. Every synthetic table has
 *       as many rows as the holdout, so a perfect model scores the ceiling in expectation; and the defaults' model
 *       once more with independent context draws (<b>{@value #INDEPENDENT_DRAWS}</b>, {@code
 *       flowsynth.sample.stratify-context=false}): stratified draws hold the context columns' stored proportions,
 *       with less scatter than the holdout (a random sample) has, so they can score above the "ceiling" without a
 *       better-learned dependence; the independent draws are the like-for-like comparison with it;</li>
 *   <li>scores the holdout once more with every categorical column's non-null values that the training side holds
 *       fewer than {@code flowsynth.privacy.min-category-count} times replaced by training values drawn in proportion to the
 *       others' counts (<b>{@value #PROTECTED_CEILING}</b>): what rare-category protection, which withholds such
 *       values from every model and redistributes their rows the same way, leaves of the ceiling at best (pair-level
 *       protection, such as a city named under no state of fewer than k rows, costs more: it is an upper bound);</li>
 *   <li>records per method quality, column shapes, pair trends, per-numeric-column synthetic/real standard-deviation
 *       ratio (the report's diagnostics), the count of values beyond the training side's 0.1 %/99.9 % quantiles
 *       against the holdout's count (same row count), and fit seconds; per table the share of the copula-to-ceiling
 *       gap the defaults close.</li>
 * </ol>
 * Identifier columns (kind {@code id} in the default model) are left out of every score, as in {@code report}.
 * Arguments: {@code DATA_DIR OUT_JSON MAX_ROWS SEED [key=value]... -- TABLE...}; the {@code key=value} settings go
 * to both fitted methods (as {@code --set} would), the copula gets {@code flowsynth.flow.type=linear} on top.
 */
public final class FidelityRealBench {
    private static final Logger LOG = LoggerFactory.getLogger(FidelityRealBench.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final double HOLDOUT_FRACTION = 0.2;
    static final double LOW_TAIL = 0.001;
    static final double HIGH_TAIL = 0.999;
    /** The defaults' model sampled with independent context draws (see the class comment). */
    static final String INDEPENDENT_DRAWS = "indep-draws";
    /** The holdout with the values rare-category protection withholds replaced (see the class comment). */
    static final String PROTECTED_CEILING = "ceiling-k";
    static final List<String> METHODS = List.of("ceiling", PROTECTED_CEILING, "independent", "copula", "defaults",
            INDEPENDENT_DRAWS);
    /**
     * Extra settings fitted in the same run as the defaults, for comparing candidate defaults against the same split,
     * ceiling and copula: {@code FIDELITY_REAL_VARIANTS="NAME:key=value,key=value;NAME2:..."} (a piece without "=" continues
     * the value before it: {@code columns=a,b}); each is scored like the
     * defaults under method {@code NAME} with its own gap share.
     */
    static final String VARIANTS_ENV = "FIDELITY_REAL_VARIANTS";
    /**
     * {@code FIDELITY_REAL_MARGINALS=1}: every variant is also scored by independent sampling from its own model
     * (method {@code NAME~marginals}): its encoders' marginals without the flow, which separates what a variant loses
     * in its column encoders (e.g. their DP releases) from what its flow loses.
     */
    static final String MARGINALS_ENV = "FIDELITY_REAL_MARGINALS";

    static final String MARGINALS_SUFFIX = "~marginals";

    /**
     * {@code FIDELITY_REAL_DRAWS=N}: each model's scores are the mean over N samples of the holdout's size (seeds
     * seed, seed + 7919, ...), so a comparison of methods is not one sample's luck (the ceiling, the holdout itself,
     * stays one sample).
     */
    static final String DRAWS_ENV = "FIDELITY_REAL_DRAWS";
    static final int DRAWS_DEFAULT = 3;

    /**
     * {@code FIDELITY_REAL_SEEDS=N} (default 1): the defaults are fitted N − 1 more times with {@code flowsynth.seed}
     * 2 … N (methods {@code seed2} …, sampled with independent context draws like {@value #INDEPENDENT_DRAWS}), and
     * each table gets a {@code "seeds"} summary over {@value #INDEPENDENT_DRAWS} and them: the means, the share of the
     * copula-to-ceiling gap the means close, and the targets met or not. One seed's quality moves by ±0.001
     * to 0.002 on these tables, as much as most changes measured here: judge a change on the seeds' mean.
     */
    static final String SEEDS_ENV = "FIDELITY_REAL_SEEDS";
    static final String SEED_PREFIX = "seed";
    /** Least share of the copula-to-ceiling quality gap the defaults should close (issue 14). */
    static final double TARGET_GAP = 0.7;
    /** Most the defaults' pair trends may fall short of the ceiling's (issue 14). */
    static final double TARGET_PAIRS = 0.01;
    /** Most relative error of a numeric column's synthetic standard deviation (issue 14). */
    static final double TARGET_STD = 0.05;
    /** Most synthetic values beyond the real 0.1 % / 99.9 % quantiles, as a multiple of the holdout's count. */
    static final double TARGET_TAILS = 2.0;

    private FidelityRealBench() {
    }

    public static void main(String[] args) throws IOException {
        Dl4jConsole.quiet();
        String dataDir = args[0];
        String outJson = args[1];
        int maxRows = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        Map<String, String> sets = new LinkedHashMap<>();
        List<String> tables = new ArrayList<>();
        boolean inTables = false;
        for (int i = 4; i < args.length; i++) {
            if (args[i].equals("--")) {
                inTables = true;
            } else if (inTables) {
                tables.add(args[i]);
            } else {
                int eq = args[i].indexOf('=');
                sets.put(args[i].substring(0, eq), args[i].substring(eq + 1));
            }
        }
        String master = System.getenv().getOrDefault("FLOWSYNTH_MASTER", "local[2]");
        SparkSession spark = SparkSession.builder().master(master).appName("flowsynth fidelity-real bench")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator")
                .config("spark.executorEnv.OMP_NUM_THREADS", "1").getOrCreate();
        ObjectNode out = JSON.createObjectNode();
        out.put("master", master);
        out.put("max_rows", maxRows);
        out.put("seed", seed);
        out.put("holdout_fraction", HOLDOUT_FRACTION);
        ObjectNode setsNode = out.putObject("sets");
        sets.forEach(setsNode::put);
        ArrayNode results = out.putArray("tables");
        ArrayNode skipped = out.putArray("skipped");
        String work = outJson.replaceAll("\\.json$", "") + "-work";
        for (String table : tables) {
            String input = input(dataDir, table);
            if (input == null) {
                skipped.addObject().put("table", table).put("reason", "no data file " + table + ".csv or .json in "
                        + dataDir + " (its package could not be installed)");
                LOG.warn("fidelity-real: skipping {}: no data file in {}", table, dataDir);
                continue;
            }
            try {
                Map<String, Map<String, String>> variants = variants(System.getenv(VARIANTS_ENV));
                variants.putAll(seedVariants(seeds(System.getenv(SEEDS_ENV))));
                results.add(benchTable(spark, table, input, work + "/" + table, maxRows, seed, sets, variants));
            } catch (RuntimeException e) {
                LOG.error("fidelity-real: table " + table + " failed", e);
                skipped.addObject().put("table", table).put("reason", "failed: " + e);
            }
            JSON.writeValue(new File(outJson), out);
        }
        JSON.writeValue(new File(outJson), out);
        System.out.println(tableText(out));
        Files.writeString(Path.of(outJson.replaceAll("\\.json$", "") + ".txt"), tableText(out));
        spark.stop();
    }

    /** Parses {@link #SEEDS_ENV}: at least 1. */
    static int seeds(String env) {
        if (env == null || env.isBlank()) {
            return 1;
        }
        int n = Integer.parseInt(env.trim());
        if (n < 1) {
            throw new IllegalArgumentException(SEEDS_ENV + " must be at least 1, got " + n);
        }
        return n;
    }

    /** The variants of {@link #SEEDS_ENV}: {@code seed2} … {@code seedN}, the defaults with another seed. */
    static Map<String, Map<String, String>> seedVariants(int seeds) {
        Map<String, Map<String, String>> v = new LinkedHashMap<>();
        for (int s = 2; s <= seeds; s++) {
            v.put(SEED_PREFIX + s, Map.of(ConfigKeys.SEED, String.valueOf(s), ConfigKeys.SAMPLE_STRATIFY_CONTEXT,
                    "false"));
        }
        return v;
    }

    /**
     * The seeds' summary of one table's methods ({@link #SEEDS_ENV}): over {@value #INDEPENDENT_DRAWS} and the
     * {@code seed2} … methods present, the mean quality and pair trends, the gap shares of those means, the worst
     * standard-deviation error and tail count over the seeds (each against the ceiling's own: the real holdout
     * misses the std target on heavy-tailed columns too), and whether each of the targets is met; null
     * without a seed method.
     */
    static ObjectNode seedSummary(ObjectNode methods) {
        List<String> runs = new ArrayList<>();
        methods.fieldNames().forEachRemaining(name -> {
            if (name.equals(INDEPENDENT_DRAWS) || name.matches(SEED_PREFIX + "\\d+")) {
                runs.add(name);
            }
        });
        if (runs.size() < 2 || !runs.contains(INDEPENDENT_DRAWS)) {
            return null;
        }
        ObjectNode s = JSON.createObjectNode();
        ArrayNode names = s.putArray("methods");
        runs.forEach(names::add);
        double quality = 0;
        double pairs = 0;
        double std = 0;
        double tailRatio = 0;
        for (String r : runs) {
            var m = methods.path(r);
            quality += m.path("quality").asDouble() / runs.size();
            pairs += m.path("column_pair_trends").asDouble() / runs.size();
            std = Math.max(std, m.path("max_std_error_protected").asDouble());
            long real = m.path("beyond_tails_real").asLong();
            long synthetic = m.path("beyond_tails").asLong();
            tailRatio = Math.max(tailRatio, real > 0 ? synthetic / (double) real : synthetic > 0 ? Double.POSITIVE_INFINITY
                    : 0);
        }
        var ceiling = methods.path("ceiling");
        var copula = methods.path("copula");
        s.put("quality", quality);
        s.put("pairs", pairs);
        double qGap = ceiling.path("quality").asDouble() - copula.path("quality").asDouble();
        double pGap = ceiling.path("column_pair_trends").asDouble() - copula.path("column_pair_trends").asDouble();
        s.put("gap_closed_quality", qGap > 0 ? (quality - copula.path("quality").asDouble()) / qGap : Double.NaN);
        s.put("gap_closed_pairs", pGap > 0 ? (pairs - copula.path("column_pair_trends").asDouble()) / pGap
                : Double.NaN);
        s.put("pairs_below_ceiling", ceiling.path("column_pair_trends").asDouble() - pairs);
        s.put("max_std_error_protected", std);
        s.put("ceiling_max_std_error_protected", ceiling.path("max_std_error_protected").asDouble());
        s.put("max_tail_ratio", tailRatio);
        ObjectNode targets = s.putObject("targets");
        // copula ≥ ceiling: no gap to close at this holdout's size (null: the target does not apply)
        double gap = s.path("gap_closed_quality").asDouble();
        if (Double.isNaN(gap)) {
            targets.putNull("quality");
        } else {
            targets.put("quality", gap >= TARGET_GAP);
        }
        targets.put("pairs", s.path("pairs_below_ceiling").asDouble() <= TARGET_PAIRS);
        targets.put("std", std <= TARGET_STD);
        targets.put("ceiling_std", ceiling.path("max_std_error_protected").asDouble() <= TARGET_STD);
        targets.put("tails", tailRatio <= TARGET_TAILS);
        return s;
    }

    /** Parses {@link #VARIANTS_ENV}: name → settings, in order. */
    static Map<String, Map<String, String>> variants(String spec) {
        Map<String, Map<String, String>> v = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return v;
        }
        for (String part : spec.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int colon = part.indexOf(':');
            String name = (colon < 0 ? part : part.substring(0, colon)).trim();
            Map<String, String> kv = new LinkedHashMap<>();
            if (colon >= 0) {
                String last = null;
                for (String s : part.substring(colon + 1).split(",")) {
                    int eq = s.indexOf('=');
                    if (eq < 0 && last != null && !s.isBlank()) { // a list value: "columns=a,b,c"
                        kv.put(last, kv.get(last) + "," + s.trim());
                    } else if (eq > 0) {
                        last = s.substring(0, eq).trim();
                        kv.put(last, s.substring(eq + 1).trim());
                    } else if (!s.isBlank()) {
                        throw new IllegalArgumentException(VARIANTS_ENV + ": '" + s.trim() + "' in variant '" + name
                                + "' is not key=value");
                    }
                }
            }
            if (METHODS.contains(name)) {
                throw new IllegalArgumentException(VARIANTS_ENV + ": variant name '" + name + "' is a method's name");
            }
            if (name.matches(SEED_PREFIX + "\\d+")) {
                throw new IllegalArgumentException(VARIANTS_ENV + ": variant name '" + name + "' is reserved for "
                        + SEEDS_ENV + "'s seed runs");
            }
            v.put(name, kv);
        }
        return v;
    }

    private static String input(String dataDir, String table) {
        for (String ext : List.of(".csv", ".json")) {
            File f = new File(dataDir, table + ext);
            if (f.isFile() && f.length() > 0) {
                return f.getPath();
            }
        }
        return null;
    }

    static Dataset<Row> read(SparkSession spark, String input) {
        if (input.endsWith(".json")) {
            // an array of records with nulls and mixed types: Spark widens a mixed column to string
            return spark.read().option("multiLine", "true").json(input);
        }
        return TableReader.read(spark, input, "csv");
    }

    static ObjectNode benchTable(SparkSession spark, String table, String input, String dir, int maxRows, long seed,
                                 Map<String, String> sets, Map<String, Map<String, String>> variants) {
        LOG.info("fidelity-real: table {} from {}", table, input);
        Dataset<Row> raw = read(spark, input);
        long total = raw.count();
        if (total > maxRows) {
            raw = raw.orderBy(functions.rand(seed)).limit(maxRows);
        }
        Dataset<Row> flagged = raw.withColumn("__holdout", functions.rand(seed).lt(HOLDOUT_FRACTION));
        Column[] original = quoted(raw.columns());
        flagged.where(functions.not(functions.col("__holdout"))).select(original)
                .write().mode(SaveMode.Overwrite).parquet(dir + "/train");
        flagged.where(functions.col("__holdout")).select(original)
                .write().mode(SaveMode.Overwrite).parquet(dir + "/holdout");
        Dataset<Row> train = spark.read().parquet(dir + "/train").cache();
        Dataset<Row> holdout = spark.read().parquet(dir + "/holdout").cache();
        long trainRows = train.count();
        long holdoutRows = holdout.count();

        ObjectNode result = JSON.createObjectNode();
        result.put("table", table);
        result.put("input_rows", total);
        result.put("rows", Math.min(total, maxRows));
        result.put("columns", raw.columns().length);
        result.put("train_rows", trainRows);
        result.put("holdout_rows", holdoutRows);
        ObjectNode methods = result.putObject("methods");

        FlowsynthConfig defaults = ConfigResolver.resolve(null, null, null, with(sets, "flowsynth.seed",
                String.valueOf(seed)));
        Map<String, String> copulaSets = with(sets, "flowsynth.seed", String.valueOf(seed));
        copulaSets.put(ConfigKeys.FLOW_TYPE, FlowType.LINEAR.id());
        FlowsynthConfig copula = ConfigResolver.resolve(null, null, null, copulaSets);

        // the copula first: the first fit of a JVM pays the class loading and JIT warm-up, which the cheap one hides
        long t0 = System.nanoTime();
        FlowsynthModel copulaModel = FitPipeline.fit(spark, train, copula);
        double copulaSeconds = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        FlowsynthModel defaultModel = FitPipeline.fit(spark, train, defaults);
        double defaultSeconds = (System.nanoTime() - t0) / 1e9;
        FlowsynthModel independentDraws = defaultModel.withSetting(ConfigKeys.SAMPLE_STRATIFY_CONTEXT, "false");
        Map<String, FlowsynthModel> variantModels = new LinkedHashMap<>();
        Map<String, Double> variantSeconds = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> v : variants.entrySet()) {
            Map<String, String> vs = with(sets, "flowsynth.seed", String.valueOf(seed));
            vs.putAll(v.getValue());
            t0 = System.nanoTime();
            variantModels.put(v.getKey(), FitPipeline.fit(spark, train, ConfigResolver.resolve(null, null, null, vs)));
            variantSeconds.put(v.getKey(), (System.nanoTime() - t0) / 1e9);
        }

        List<String> ids = new ArrayList<>();
        defaultModel.encoder().columns().forEach(c -> {
            if (c.kind().equals("id")) {
                ids.add(c.column());
            }
        });
        result.putArray("not_compared").addAll(ids.stream().map(JSON.getNodeFactory()::textNode).toList());
        Dataset<Row> real = without(train, ids);
        Dataset<Row> realHoldout = without(holdout, ids);
        Map<String, double[]> tails = tailQuantiles(real);
        Map<String, Double> protectedStd = protectedStds(real, ConfigKeys.PRIVACY_EXTREME_K_DEFAULT);
        Map<String, Long> holdoutBeyond = beyond(realHoldout, tails);
        int partitions = spark.sparkContext().defaultParallelism();
        SyntheticSampler sampler = new SyntheticSampler(4096);
        FidelityEvaluator evaluator = new FidelityEvaluator(FidelityEvaluator.MAX_ROWS_DEFAULT, seed);
        List<String> allMethods = new ArrayList<>(METHODS);
        allMethods.addAll(variantModels.keySet());
        if ("1".equals(System.getenv(MARGINALS_ENV))) {
            variantModels.keySet().forEach(v -> allMethods.add(v + MARGINALS_SUFFIX));
        }
        int draws = draws(System.getenv(DRAWS_ENV));
        for (String method : allMethods) {
            // a model's scores are the mean over draws of holdout-sized samples (the ceiling is one: the holdout)
            int n = method.equals("ceiling") || method.equals(PROTECTED_CEILING) ? 1 : draws;
            List<ObjectNode> perDraw = new ArrayList<>();
            for (int d = 0; d < n; d++) {
                long drawSeed = seed + 7919L * d;
                Dataset<Row> synthetic = switch (method) {
                    case "ceiling" -> realHoldout;
                    case PROTECTED_CEILING -> protectedHoldout(spark, real, realHoldout, categoricalColumns(defaultModel),
                            ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT_DEFAULT, seed);
                    case "independent" -> sampler.sample(spark, defaultModel, holdoutRows, drawSeed, partitions, true);
                    case "copula" -> sampler.sample(spark, copulaModel, holdoutRows, drawSeed, partitions, false);
                    case "defaults" -> sampler.sample(spark, defaultModel, holdoutRows, drawSeed, partitions, false);
                    case INDEPENDENT_DRAWS -> sampler.sample(spark, independentDraws, holdoutRows, drawSeed,
                            partitions, false);
                    default -> method.endsWith(MARGINALS_SUFFIX)
                            ? sampler.sample(spark, variantModels.get(method.substring(0, method.length()
                            - MARGINALS_SUFFIX.length())), holdoutRows, drawSeed, partitions, true)
                            : sampler.sample(spark, variantModels.get(method), holdoutRows, drawSeed, partitions,
                            false);
                };
                synthetic = without(synthetic, ids).cache();
                perDraw.add(scores(evaluator, real, synthetic, tails, protectedStd, holdoutBeyond));
                synthetic.unpersist();
            }
            ObjectNode m = methods.putObject(method);
            m.setAll(mean(perDraw));
            m.put("draws", n);
            ArrayNode qualities = m.putArray("quality_draws");
            ArrayNode pairDraws = m.putArray("pairs_draws");
            for (ObjectNode p : perDraw) {
                qualities.add(p.path("quality").asDouble());
                pairDraws.add(p.path("column_pair_trends").asDouble());
            }
            switch (method) {
                case "copula" -> {
                    m.put("fit_seconds", copulaSeconds);
                    training(m, copulaModel);
                    holdoutLikelihood(m, spark, copulaModel, holdout, seed);
                }
                case "defaults" -> {
                    m.put("fit_seconds", defaultSeconds);
                    training(m, defaultModel);
                    holdoutLikelihood(m, spark, defaultModel, holdout, seed);
                }
                case INDEPENDENT_DRAWS -> {
                    m.putNull("fit_seconds"); // the defaults' model
                    training(m, defaultModel);
                    m.put("gap_closed_quality", gapClosed(methods, "quality", method));
                    m.put("gap_closed_pairs", gapClosed(methods, "column_pair_trends", method));
                }
                default -> {
                    if (variantModels.containsKey(method)) {
                        m.put("fit_seconds", variantSeconds.get(method));
                        training(m, variantModels.get(method));
                        holdoutLikelihood(m, spark, variantModels.get(method), holdout, seed);
                        m.put("gap_closed_quality", gapClosed(methods, "quality", method));
                        m.put("gap_closed_pairs", gapClosed(methods, "column_pair_trends", method));
                    } else {
                        m.putNull("fit_seconds");
                    }
                }
            }
            LOG.info(String.format(Locale.ROOT, "fidelity-real %s %s: quality %.4f shapes %.4f pairs %.4f (mean of %d "
                    + "draws; quality from %.4f to %.4f)", table, method, m.path("quality").asDouble(),
                    m.path("column_shapes").asDouble(), m.path("column_pair_trends").asDouble(), n,
                    perDraw.stream().mapToDouble(p -> p.path("quality").asDouble()).min().orElse(Double.NaN),
                    perDraw.stream().mapToDouble(p -> p.path("quality").asDouble()).max().orElse(Double.NaN)));
        }
        result.put("gap_closed_quality", gapClosed(methods, "quality"));
        result.put("gap_closed_pairs", gapClosed(methods, "column_pair_trends"));
        ObjectNode seedSummary = seedSummary(methods);
        if (seedSummary != null) {
            result.set("seeds", seedSummary);
            LOG.info("fidelity-real {} {}", table, seedLine(seedSummary));
        }
        train.unpersist();
        holdout.unpersist();
        return result;
    }

    /** The columns the model encodes as categories (frequency intervals or one-hot). */
    static List<String> categoricalColumns(FlowsynthModel model) {
        List<String> out = new ArrayList<>();
        model.encoder().columns().forEach(c -> {
            if (c instanceof CategoricalEncoder) {
                out.add(c.column());
            }
        });
        return out;
    }

    /**
     * The holdout with each of {@code columns}' non-null values that {@code train} holds fewer than {@code k} times
     * replaced by one of its values held k or more times, drawn in proportion to their counts (seeded); null stays (the
     * encoders keep null as a category whatever its count); the method {@value #PROTECTED_CEILING}.
     */
    static Dataset<Row> protectedHoldout(SparkSession spark, Dataset<Row> train, Dataset<Row> holdout,
                                         List<String> columns, int k, long seed) {
        List<String> names = List.of(holdout.columns());
        Map<Integer, Map<Object, Long>> counts = new LinkedHashMap<>();
        Map<Integer, List<Object>> keptValues = new LinkedHashMap<>();
        Map<Integer, long[]> keptCumulative = new LinkedHashMap<>();
        for (String c : columns) {
            int at = names.indexOf(c);
            if (at < 0) {
                continue;
            }
            Map<Object, Long> byValue = new java.util.HashMap<>();
            for (Row r : train.groupBy(functions.col("`" + c.replace("`", "``") + "`")).count().collectAsList()) {
                byValue.put(r.get(0), r.getLong(1));
            }
            List<Object> kept = new ArrayList<>();
            List<Long> running = new ArrayList<>();
            long sum = 0;
            List<Map.Entry<Object, Long>> entries = new ArrayList<>(byValue.entrySet());
            entries.sort(java.util.Comparator.comparing(e -> String.valueOf(e.getKey()))); // a fixed order
            for (Map.Entry<Object, Long> e : entries) {
                if (e.getKey() != null && e.getValue() >= k) {
                    kept.add(e.getKey());
                    sum += e.getValue();
                    running.add(sum);
                }
            }
            if (kept.isEmpty()) {
                continue;
            }
            counts.put(at, byValue);
            keptValues.put(at, kept);
            keptCumulative.put(at, running.stream().mapToLong(Long::longValue).toArray());
        }
        java.util.Random rng = new java.util.Random(seed);
        List<Row> out = new ArrayList<>();
        for (Row r : holdout.collectAsList()) {
            Object[] v = new Object[r.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i);
                Map<Object, Long> byValue = counts.get(i);
                if (byValue != null && v[i] != null && byValue.getOrDefault(v[i], 0L) < k) {
                    long[] cum = keptCumulative.get(i);
                    long u = (long) (rng.nextDouble() * cum[cum.length - 1]);
                    int pick = java.util.Arrays.binarySearch(cum, u + 1);
                    v[i] = keptValues.get(i).get(pick >= 0 ? pick : -pick - 1);
                }
            }
            out.add(org.apache.spark.sql.RowFactory.create(v));
        }
        return spark.createDataFrame(out, holdout.schema());
    }

    /** One synthetic sample's scores: quality, shapes, pairs, per-column scores, std ratios, tail counts. */
    static ObjectNode scores(FidelityEvaluator evaluator, Dataset<Row> real, Dataset<Row> synthetic,
                             Map<String, double[]> tails, Map<String, Double> protectedStd,
                             Map<String, Long> holdoutBeyond) {
        FidelityEvaluator.Evaluation e = evaluator.evaluateDetailed(real, synthetic);
        ObjectNode m = JSON.createObjectNode();
        FidelityReport r = e.report();
        m.put("quality", r.quality());
        m.put("column_shapes", r.columnShapes());
        m.put("column_pair_trends", r.columnPairTrends());
        columnScores(m, r);
        ObjectNode ratios = m.putObject("std_ratio");
        double worst = 0;
        for (ColumnDiagnostics d : e.columns()) {
            if (d.kind() == ColumnKind.NUMERICAL && d.real().std() > 0) {
                double ratio = d.synthetic().std() / d.real().std();
                ratios.put(d.name(), ratio);
                worst = Math.max(worst, Math.abs(ratio - 1));
            }
        }
        m.put("max_std_error", worst);
        // against what extreme-value protection lets a model learn: the real std without the k extremes at
        // each end (a heavy tail's std is mostly its few largest values, which no synthetic row may copy)
        ObjectNode protectedRatios = m.putObject("std_ratio_protected");
        double worstProtected = 0;
        for (ColumnDiagnostics d : e.columns()) {
            Double p = protectedStd.get(d.name());
            if (d.kind() == ColumnKind.NUMERICAL && p != null && p > 0) {
                double ratio = d.synthetic().std() / p;
                protectedRatios.put(d.name(), ratio);
                worstProtected = Math.max(worstProtected, Math.abs(ratio - 1));
            }
        }
        m.put("max_std_error_protected", worstProtected);
        Map<String, Long> synth = beyond(synthetic, tails);
        ObjectNode byColumn = m.putObject("beyond_tails_by_column");
        long sum = 0;
        long realSum = 0;
        for (String c : tails.keySet()) {
            byColumn.putObject(c).put("synthetic", synth.get(c)).put("real", holdoutBeyond.get(c));
            sum += synth.get(c);
            realSum += holdoutBeyond.get(c);
        }
        m.put("beyond_tails", sum);
        m.put("beyond_tails_real", realSum);
        return m;
    }

    /** Draws per model method: {@link #DRAWS_ENV}, default {@value #DRAWS_DEFAULT}. */
    static int draws(String env) {
        if (env == null || env.isBlank()) {
            return DRAWS_DEFAULT;
        }
        int n = Integer.parseInt(env.trim());
        if (n < 1) {
            throw new IllegalArgumentException(DRAWS_ENV + " must be at least 1, got " + n);
        }
        return n;
    }

    /**
     * The field-wise mean of the draws' scores: numbers averaged (whole numbers rounded: counts), objects field by
     * field, anything else from the first draw.
     */
    static ObjectNode mean(List<ObjectNode> draws) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode first = draws.get(0);
        first.fieldNames().forEachRemaining(f -> {
            com.fasterxml.jackson.databind.JsonNode v = first.get(f);
            if (v.isNumber()) {
                double sum = 0;
                for (ObjectNode d : draws) {
                    sum += d.path(f).asDouble();
                }
                if (v.isIntegralNumber()) {
                    out.put(f, Math.round(sum / draws.size()));
                } else {
                    out.put(f, sum / draws.size());
                }
            } else if (v.isObject()) {
                out.set(f, mean(draws.stream().map(d -> d.path(f) instanceof ObjectNode o ? o
                        : JSON.createObjectNode()).toList()));
            } else {
                out.set(f, v);
            }
        });
        return out;
    }

    /**
     * Per column its shape score ({@code column_scores}) and the mean score of the pairs it is in ({@code
     * pair_means}), and every scored pair's score ({@code pair_scores}, keyed "a|b"), so a method's loss can be
     * traced to columns and pairs by comparing them with another method's.
     */
    static void columnScores(ObjectNode m, FidelityReport r) {
        ObjectNode shapes = m.putObject("column_scores");
        r.columns().forEach(c -> shapes.put(c.name(), c.score()));
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (PairScore p : r.pairs()) {
            if (!Double.isNaN(p.score())) {
                for (String c : List.of(p.columnA(), p.columnB())) {
                    double[] s = sums.computeIfAbsent(c, k -> new double[2]);
                    s[0] += p.score();
                    s[1]++;
                }
            }
        }
        ObjectNode pairs = m.putObject("pair_means");
        sums.forEach((c, s) -> pairs.put(c, s[0] / s[1]));
        // each scored pair's own figure ("a|b"), so a pair mean's loss can be traced to the pair that carries it
        ObjectNode each = m.putObject("pair_scores");
        for (PairScore p : r.pairs()) {
            if (!Double.isNaN(p.score())) {
                each.put(p.columnA() + "|" + p.columnB(), p.score());
            }
        }
    }

    private static void training(ObjectNode m, FlowsynthModel model) {
        ObjectNode t = m.putObject("training");
        t.put("rounds", model.training().path("rounds").asInt());
        t.put("best_round", model.training().path("best_round").asInt());
        t.put("best_validation_nll", model.training().path("best_validation_nll").asDouble());
        t.put("training_seconds", model.training().path("seconds").asDouble());
        if (model.training().has("stopped")) {
            t.set("stopped", model.training().get("stopped"));
        }
        if (model.training().has("steps")) {
            t.set("steps", model.training().get("steps"));
        }
    }

    /**
     * The holdout's mean exact log-likelihood per row under a fitted model ({@code score}'s log p(row), nats; the
     * whole row, so it compares models whatever their contexts, unlike the training's validation NLL), and the
     * holdout rows it could not score (not finite).
     */
    static void holdoutLikelihood(ObjectNode m, SparkSession spark, FlowsynthModel model, Dataset<Row> holdout,
                                  long seed) {
        Row r = ScorePipeline.score(spark, model, holdout, seed).agg(functions.avg(ScorePipeline.LOG_PROB),
                functions.count(functions.when(functions.col(ScorePipeline.LOG_PROB).isNull(), 1))).first();
        m.put("holdout_log_likelihood", r.isNullAt(0) ? Double.NaN : r.getDouble(0));
        m.put("holdout_unscored", r.getLong(1));
    }

    /** (defaults − copula) / (ceiling − copula): 1 = as good as real data, 0 = no better than the copula. */
    static double gapClosed(ObjectNode methods, String metric) {
        return gapClosed(methods, metric, "defaults");
    }

    /**
     * (method − copula) / (ceiling − copula); NaN when the copula scores at or above the ceiling (then there is no gap
     * to close at this holdout's size, and the ratio's sign would say the opposite of the truth).
     */
    static double gapClosed(ObjectNode methods, String metric, String method) {
        double ceiling = methods.path("ceiling").path(metric).asDouble();
        double copula = methods.path("copula").path(metric).asDouble();
        double defaults = methods.path(method).path(metric).asDouble();
        return ceiling > copula ? (defaults - copula) / (ceiling - copula) : Double.NaN;
    }

    /** ", holdout log-likelihood −12.345 nats/row" (and the rows it could not score), or "" when not measured. */
    static String likelihood(com.fasterxml.jackson.databind.JsonNode m) {
        return m.has("holdout_log_likelihood") ? ", holdout log-likelihood" + likelihoodValue(m) : "";
    }

    private static String likelihoodValue(com.fasterxml.jackson.databind.JsonNode m) {
        if (!m.has("holdout_log_likelihood")) {
            return " n/a";
        }
        long unscored = m.path("holdout_unscored").asLong();
        return String.format(Locale.ROOT, " %.3f nats/row%s", m.path("holdout_log_likelihood").asDouble(),
                unscored > 0 ? " (" + unscored + " rows not scored)" : "");
    }

    /** One line of a {@link #seedSummary}: the means, the gap shares and each target met (✓) or not (✗). */
    static String seedLine(ObjectNode s) {
        var t = s.path("targets");
        return String.format(Locale.ROOT, "over %d seeds (independent draws): quality %.4f, pairs %.4f; closes "
                        + "quality %s %s, pairs %s; pairs %s the ceiling's by %.4f %s; std error ≤ %.3f %s (ceiling's "
                        + "%.3f); tails ≤ %.2f× real %s", s.path("methods").size(), s.path("quality").asDouble(),
                s.path("pairs").asDouble(), percent(s.path("gap_closed_quality").asDouble()),
                mark(t.path("quality")), percent(s.path("gap_closed_pairs").asDouble()),
                s.path("pairs_below_ceiling").asDouble() >= 0 ? "below" : "above",
                Math.abs(s.path("pairs_below_ceiling").asDouble()), mark(t.path("pairs")),
                s.path("max_std_error_protected").asDouble(), mark(t.path("std")),
                s.path("ceiling_max_std_error_protected").asDouble(), s.path("max_tail_ratio").asDouble(),
                mark(t.path("tails")));
    }

    /** ✓ met, ✗ missed, n/a when the target does not apply (null). */
    private static String mark(com.fasterxml.jackson.databind.JsonNode met) {
        return met.isNull() || met.isMissingNode() ? "n/a" : met.asBoolean() ? "✓" : "✗";
    }

    /** A gap share as text: "75 %", or "n/a (copula ≥ ceiling)". */
    static String percent(double share) {
        return Double.isNaN(share) ? "n/a (copula ≥ ceiling)" : String.format(Locale.ROOT, "%.0f %%", 100 * share);
    }

    /** The training side's exact 0.1 % and 99.9 % quantiles of every numeric column (non-null values). */
    static Map<String, double[]> tailQuantiles(Dataset<Row> real) {
        List<String> numeric = new ArrayList<>();
        for (StructField f : real.schema().fields()) {
            if (f.dataType() instanceof NumericType) {
                numeric.add(f.name());
            }
        }
        Map<String, double[]> q = new LinkedHashMap<>();
        if (numeric.isEmpty()) {
            return q;
        }
        Dataset<Row> doubles = real.select(numeric.stream()
                .map(n -> functions.col("`" + n.replace("`", "``") + "`").cast("double").as(n)).toArray(Column[]::new));
        double[][] qs = doubles.stat().approxQuantile(numeric.toArray(new String[0]),
                new double[] {LOW_TAIL, HIGH_TAIL}, 0.0);
        for (int i = 0; i < numeric.size(); i++) {
            if (qs[i].length == 2) {
                q.put(numeric.get(i), qs[i]);
            }
        }
        return q;
    }

    /**
     * Per numeric column, the standard deviation of its non-null finite values without the {@code k} smallest and
     * {@code k} largest (the rows extreme-value protection withholds); the bench's tables are at most
     * {@code maxRows} rows, so the columns are read on the driver.
     */
    static Map<String, Double> protectedStds(Dataset<Row> real, int k) {
        List<String> numeric = new ArrayList<>();
        for (StructField f : real.schema().fields()) {
            if (f.dataType() instanceof NumericType) {
                numeric.add(f.name());
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        if (numeric.isEmpty()) {
            return out;
        }
        List<Row> rows = real.select(numeric.stream()
                .map(n -> functions.col("`" + n.replace("`", "``") + "`").cast("double").as(n)).toArray(Column[]::new))
                .collectAsList();
        for (int j = 0; j < numeric.size(); j++) {
            double[] v = new double[rows.size()];
            int n = 0;
            for (Row r : rows) {
                if (!r.isNullAt(j) && Double.isFinite(r.getDouble(j))) {
                    v[n++] = r.getDouble(j);
                }
            }
            java.util.Arrays.sort(v, 0, n);
            if (n - 2 * k < 2) {
                continue;
            }
            double mean = 0;
            for (int i = k; i < n - k; i++) {
                mean += v[i];
            }
            mean /= n - 2 * k;
            double ss = 0;
            for (int i = k; i < n - k; i++) {
                ss += (v[i] - mean) * (v[i] - mean);
            }
            out.put(numeric.get(j), Math.sqrt(ss / (n - 2 * k - 1)));
        }
        return out;
    }

    /** Per column, the values strictly below its low or above its high tail quantile (one aggregation). */
    static Map<String, Long> beyond(Dataset<Row> table, Map<String, double[]> tails) {
        Map<String, Long> counts = new LinkedHashMap<>();
        if (tails.isEmpty()) {
            return counts;
        }
        List<Column> aggs = new ArrayList<>();
        for (Map.Entry<String, double[]> e : tails.entrySet()) {
            Column c = functions.col("`" + e.getKey().replace("`", "``") + "`").cast("double");
            aggs.add(functions.sum(functions.when(c.lt(e.getValue()[0]).or(c.gt(e.getValue()[1])), 1).otherwise(0)));
        }
        Row row = table.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
        int i = 0;
        for (String c : tails.keySet()) {
            counts.put(c, row.isNullAt(i) ? 0L : row.getLong(i));
            i++;
        }
        return counts;
    }

    private static Dataset<Row> without(Dataset<Row> table, List<String> names) {
        Set<String> drop = Set.copyOf(names);
        List<String> keep = new ArrayList<>();
        for (String n : table.columns()) {
            if (!drop.contains(n)) {
                keep.add(n);
            }
        }
        return table.select(quoted(keep.toArray(new String[0])));
    }

    private static Column[] quoted(String[] names) {
        Column[] cols = new Column[names.length];
        for (int i = 0; i < names.length; i++) {
            cols[i] = functions.col("`" + names[i].replace("`", "``") + "`");
        }
        return cols;
    }

    private static Map<String, String> with(Map<String, String> sets, String key, String value) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(key, value);
        m.putAll(sets);
        return m;
    }

    /** The log's table: one line per table and method. */
    static String tableText(ObjectNode out) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-13s %-11s %7s %7s %7s %8s %8s %9s %8s%n", "table", "method", "quality",
                "shapes", "pairs", "max|σ-1|", "σp-1", "tails s/r", "fit s"));
        out.path("tables").forEach(t -> {
            List<String> names = new ArrayList<>();
            t.path("methods").fieldNames().forEachRemaining(names::add);
            for (String method : names) {
                var m = t.path("methods").path(method);
                b.append(String.format(Locale.ROOT, "%-13s %-11s %7.4f %7.4f %7.4f %8.3f %8.3f %9s %8s%n",
                        t.path("table").asText() + " (" + t.path("train_rows").asLong() + ")", method,
                        m.path("quality").asDouble(), m.path("column_shapes").asDouble(),
                        m.path("column_pair_trends").asDouble(), m.path("max_std_error").asDouble(),
                        m.path("max_std_error_protected").asDouble(),
                        m.path("beyond_tails").asLong() + "/" + m.path("beyond_tails_real").asLong(),
                        m.path("fit_seconds").isNull() ? "-" : String.format(Locale.ROOT, "%.1f",
                                m.path("fit_seconds").asDouble())));
                if (m.has("gap_closed_quality")) {
                    var tr = m.path("training");
                    b.append(String.format(Locale.ROOT, "%-13s   %s closes quality %s, pairs %s; best round %d"
                                    + "/%d, validation NLL %.4f%s%n", "", method,
                            percent(m.path("gap_closed_quality").asDouble()),
                            percent(m.path("gap_closed_pairs").asDouble()),
                            tr.path("best_round").asInt(), tr.path("rounds").asInt(),
                            tr.path("best_validation_nll").asDouble(), likelihood(m)));
                }
            }
            var dt = t.path("methods").path("defaults").path("training");
            var ct = t.path("methods").path("copula").path("training");
            b.append(String.format(Locale.ROOT, "%-13s gap closed by defaults (copula → ceiling): quality %s, "
                            + "pairs %s; validation NLL defaults %.4f (best round %d/%d), copula %.4f; holdout "
                            + "log-likelihood defaults%s, copula%s%n",
                    t.path("table").asText(), percent(t.path("gap_closed_quality").asDouble()),
                    percent(t.path("gap_closed_pairs").asDouble()), dt.path("best_validation_nll").asDouble(),
                    dt.path("best_round").asInt(), dt.path("rounds").asInt(),
                    ct.path("best_validation_nll").asDouble(),
                    likelihoodValue(t.path("methods").path("defaults")),
                    likelihoodValue(t.path("methods").path("copula"))));
        });
        out.path("tables").forEach(t -> {
            if (t.has("seeds")) {
                b.append(String.format(Locale.ROOT, "%-13s %s%n", t.path("table").asText(),
                        seedLine((ObjectNode) t.path("seeds"))));
            }
        });
        out.path("skipped").forEach(s -> b.append("skipped ").append(s.path("table").asText()).append(": ")
                .append(s.path("reason").asText()).append('\n'));
        return b.toString();
    }
}
