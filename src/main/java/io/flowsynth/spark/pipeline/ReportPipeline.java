package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.ReportSettings;
import io.flowsynth.fidelity.PairDiagnostics;
import io.flowsynth.fidelity.PrivacyVerdict;
import io.flowsynth.fidelity.ReportPage;
import io.flowsynth.fidelity.FidelityReport;
import io.flowsynth.fidelity.ConditionReport;
import io.flowsynth.spark.fidelity.ConditionalFidelityEvaluator;
import io.flowsynth.spark.fidelity.AttackEvaluator;
import io.flowsynth.spark.fidelity.FidelityEvaluator;
import io.flowsynth.spark.fidelity.LikelihoodEvaluator;
import io.flowsynth.spark.fidelity.PrivacyEvaluator;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.sample.SyntheticSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code report}: the fidelity and privacy of a synthetic table against the real one, written as
 * {@code DIR/fidelity.json} (for machines) and {@code DIR/index.html} (for people, see {@link ReportPage}).
 * With a model, the report also carries the quality of the independent-columns baseline (every column sampled
 * from its own fitted marginal, no flow): the floor a model must beat, and the encoded-space likelihood of the real
 * (preferably held-out) rows under the flow next to that baseline.
 * Identifier columns of the model (kind {@code id}) are not compared, as their synthetic values are fresh by design;
 * the report lists them under {@code not_compared}.
 */
public final class ReportPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(ReportPipeline.class);
    public static final String FIDELITY_JSON = "fidelity.json";
    public static final String INDEX_HTML = "index.html";

    private ReportPipeline() {
    }

    /**
     * Sizes and seed of a report: rows per side for fidelity and likelihood, rows per side for privacy, attack
     * targets per side for the privacy attacks.
     */
    public record Options(int maxRows, int privacyRows, long seed, int attackTargets, int maxPairs,
                          Conditions conditions) {
        public Options {
            conditions = conditions == null ? Conditions.NONE : conditions;
        }

        /** No per-condition section. */
        public Options(int maxRows, int privacyRows, long seed, int attackTargets, int maxPairs) {
            this(maxRows, privacyRows, seed, attackTargets, maxPairs, Conditions.NONE);
        }

        /** Attack targets at their default. */
        public Options(int maxRows, int privacyRows, long seed) {
            this(maxRows, privacyRows, seed, ConfigKeys.REPORT_ATTACK_TARGETS_DEFAULT);
        }

        /** Column pairs ({@code flowsynth.report.max-pairs}) at their default. */
        public Options(int maxRows, int privacyRows, long seed, int attackTargets) {
            this(maxRows, privacyRows, seed, attackTargets, ConfigKeys.REPORT_MAX_PAIRS_DEFAULT);
        }

        /** The options of a configuration's report settings and seed. */
        public static Options of(ReportSettings report, long seed) {
            return new Options(report.maxRows(), report.privacyRows(), seed, report.attackTargets(), report.maxPairs());
        }

        /**
         * The options of a configuration: its report settings and seed, and per-condition fidelity on
         * {@code flowsynth.condition.columns} (none when empty) with {@code flowsynth.report.condition-top} values and
         * the rare-category threshold of {@code flowsynth.privacy.min-category-count}.
         */
        public static Options of(io.flowsynth.config.FlowsynthConfig c) {
            return of(c.report(), c.seed()).withConditions(new Conditions(c.conditionColumns(),
                    "Configuration " + ConfigKeys.CONDITION_COLUMNS, c.report().conditionTop(),
                    c.encode().minCategoryCount()));
        }

        public Options withConditions(Conditions conditions) {
            return new Options(maxRows, privacyRows, seed, attackTargets, maxPairs, conditions);
        }
    }

    /**
     * Per-condition fidelity ({@code per_condition}, see {@link ConditionalFidelityEvaluator}): the context columns
     * (empty: no section), what named them (for error messages), how many values to score, and the real rows a
     * value needs to be named (the rare-category threshold).
     */
    public record Conditions(List<String> columns, String source, int top, int minRealCount) {
        public static final Conditions NONE = new Conditions(List.of(), "none", 1, 1);

        public Conditions {
            columns = List.copyOf(columns);
        }

        /** The same settings on other columns, named by {@code source}. */
        public Conditions withColumns(List<String> other, String otherSource) {
            return new Conditions(other, otherSource, top, minRealCount);
        }
    }

    /** The fidelity report without holdout, privacy rows at their default. */
    public static ObjectNode evaluate(SparkSession spark, Dataset<Row> real, Dataset<Row> synthetic,
                                      FlowsynthModel model, int maxRows, long seed) {
        return evaluate(spark, real, null, synthetic, model,
                new Options(maxRows, ConfigKeys.REPORT_PRIVACY_ROWS_DEFAULT, seed), null);
    }

    /**
     * The full report as the {@code fidelity.json} object: {@code overall}, {@code columns}, {@code pairs},
     * {@code rows}, {@code diagnostics} (per column and per pair), {@code baseline} and {@code likelihood} (with a
     * model), {@code privacy} (with its plain-language {@code verdict}).
     *
     * @param real          the real rows the model was trained on (with {@code report}: the {@code --real} table)
     * @param holdout       real rows the model never saw, or null: the privacy section then has no overfitting
     *                      measure, and the likelihood is computed on {@code real}
     * @param holdoutSource how the holdout was obtained (written to the JSON), or null
     */
    public static ObjectNode evaluate(SparkSession spark, Dataset<Row> real, Dataset<Row> holdout,
                                      Dataset<Row> synthetic, FlowsynthModel model, Options options,
                                      String holdoutSource) {
        long start = System.nanoTime();
        int maxRows = options.maxRows();
        long seed = options.seed();
        spark.sparkContext().setJobDescription("flowsynth report: fidelity");
        List<String> ids = model == null ? List.of() : idColumns(model);
        if (model != null) {
            real = withoutColumns(columnsOf(real, model), ids);
            synthetic = withoutColumns(synthetic, ids);
            if (holdout != null) {
                holdout = withoutColumns(columnsOf(holdout, model), ids);
            }
        }
        Conditions conditions = options.conditions();
        if (!conditions.columns().isEmpty()) { // before any job: a typo in a column name fails at once
            for (String c : conditions.columns()) {
                if (ids.contains(c)) {
                    throw new BadInputException(conditions.source() + ": column '" + c + "' is an identifier column "
                            + "of the model (fresh values by design), so it cannot be a condition");
                }
            }
            ConditionalFidelityEvaluator.checkColumns(real.schema(), conditions.columns(), conditions.source());
        }
        // the rare-category threshold: no category seen fewer times in the real sample is named in the report
        FidelityEvaluator fidelity = new FidelityEvaluator(maxRows, seed, options.maxPairs())
                .withMinNamedRealCount(conditions.minRealCount());
        FidelityEvaluator.Evaluation evaluation;
        ConditionReport perCondition = null;
        double conditionSeconds = 0;
        try (FidelityEvaluator.Samples samples = fidelity.samples(real, synthetic)) {
            evaluation = fidelity.evaluateDetailed(samples);
            if (!conditions.columns().isEmpty()) { // on the same cached samples
                spark.sparkContext().setJobDescription("flowsynth report: per-condition fidelity");
                long conditionStart = System.nanoTime();
                perCondition = new ConditionalFidelityEvaluator(maxRows, seed, options.maxPairs(),
                        conditions.top(), conditions.minRealCount(), ConditionalFidelityEvaluator.MIN_ROWS)
                        .evaluate(samples, evaluation, conditions.columns(), conditions.source());
                conditionSeconds = (System.nanoTime() - conditionStart) / 1e9;
            }
        }
        FidelityReport report = evaluation.report();
        ObjectNode json = report.toJson();
        ObjectNode sampling = json.putObject("pair_sampling");
        sampling.put("total_pairs", evaluation.totalPairs());
        sampling.put("scored_pairs", evaluation.pairs().size());
        sampling.put("max_pairs", options.maxPairs());
        sampling.put("method", evaluation.pairsSampled()
                ? "uniform sample without replacement of max_pairs pairs, seeded by seed (column_pair_trends is the "
                        + "mean over the sample)" : "all pairs");
        sampling.put("seed", seed);
        if (!ids.isEmpty()) {
            com.fasterxml.jackson.databind.node.ArrayNode skipped = json.putArray("not_compared");
            for (String id : ids) {
                skipped.addObject().put("name", id).put("reason", "identifier column: fresh values by design");
            }
        }
        LOG.info(String.format("Quality %.4f (column shapes %.4f, column pair trends %.4f)", report.quality(),
                report.columnShapes(), report.columnPairTrends()));
        ObjectNode diagnostics = json.putObject("diagnostics");
        ArrayNode columns = diagnostics.putArray("columns");
        evaluation.columns().forEach(c -> columns.add(c.toJson()));
        ArrayNode pairs = diagnostics.putArray("pairs");
        for (PairDiagnostics p : evaluation.pairs()) {
            ObjectNode node = pairs.addObject();
            node.putArray("columns").add(p.columnA()).add(p.columnB());
            putNumber(node, "real_correlation", p.realCorrelation());
            putNumber(node, "synthetic_correlation", p.syntheticCorrelation());
        }
        if (perCondition != null) {
            ObjectNode node = perCondition.toJson();
            node.put("seconds", conditionSeconds);
            json.set(ConditionReport.KEY, node);
        }
        if (model != null) {
            spark.sparkContext().setJobDescription("flowsynth report: independent-columns baseline");
            Dataset<Row> independent = new SyntheticSampler(4096).sample(spark, model,
                    Math.min(maxRows, Math.max(1, model.sourceRows())), seed, spark.sparkContext().defaultParallelism(), true);
            FidelityReport floor = new FidelityEvaluator(maxRows, seed, options.maxPairs())
                    .evaluate(real, withoutColumns(independent, ids));
            ObjectNode b = json.putObject("baseline");
            b.put("method", "independent-columns");
            b.put("quality", floor.quality());
            b.put("column_shapes", floor.columnShapes());
            b.put("column_pair_trends", floor.columnPairTrends());
            LOG.info(String.format("Independent-columns baseline quality %.4f: the model is %+.4f above it",
                    floor.quality(), report.quality() - floor.quality()));

            spark.sparkContext().setJobDescription("flowsynth report: likelihood");
            LikelihoodEvaluator.Result l = new LikelihoodEvaluator(maxRows, seed)
                    .evaluate(spark, holdout != null ? holdout : real, model);
            json.set("likelihood", likelihoodJson(l, holdout != null ? "holdout" : "training"));
        }
        spark.sparkContext().setJobDescription("flowsynth report: privacy");
        PrivacyEvaluator.Result p = new PrivacyEvaluator(options.privacyRows(), seed, options.attackTargets())
                .evaluate(spark, real, holdout, synthetic);
        ObjectNode privacy = privacyJson(p, holdoutSource);
        if (model != null) {
            privacy.set("protections", protections(model));
        }
        PrivacyVerdict verdict = PrivacyVerdict.of(privacy);
        ObjectNode v = privacy.putObject("verdict");
        v.put("level", verdict.level());
        v.put("text", verdict.text());
        privacy.set("differential_privacy", differentialPrivacy(model));
        json.set("privacy", privacy);
        json.put("report_seconds", (System.nanoTime() - start) / 1e9);
        spark.sparkContext().setJobDescription(null);
        return json;
    }

    static ObjectNode likelihoodJson(LikelihoodEvaluator.Result l, String source) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("space", "encoded-features");
        o.put("note", "Log-densities (nats) of the model's encoded feature vectors (dequantized, quantile-normal "
                + "encoding), not of table rows: the encoders' Jacobian is not included. The baseline is log N(x; 0, I) "
                + "on the same features: every column independent, from its own marginal.");
        o.put("rows_source", source);
        o.put("rows", l.rows());
        o.put("features", l.features());
        putNumber(o, "flow_mean", l.flowMean());
        putNumber(o, "flow_std_error", l.flowStdError());
        putNumber(o, "baseline_mean", l.baselineMean());
        putNumber(o, "difference", l.difference());
        putNumber(o, "flow_mean_per_feature", l.features() == 0 ? Double.NaN : l.flowMean() / l.features());
        putNumber(o, "baseline_mean_per_feature", l.features() == 0 ? Double.NaN : l.baselineMean() / l.features());
        o.put("non_finite_rows", l.nonFinite());
        ArrayNode groups = o.putArray("baseline_per_column");
        for (int g = 0; g < l.groups().size(); g++) {
            ObjectNode node = groups.addObject();
            node.put("column", l.groups().get(g));
            putNumber(node, "mean", l.baselineGroupMeans()[g]);
        }
        return o;
    }

    public static ObjectNode privacyJson(PrivacyEvaluator.Result p, String holdoutSource) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("distance", "SDMetrics DCR: mean over columns of |a-b|/range capped at 1 (numbers, datetimes), "
                + "0/1 (categories); null vs null 0, null vs value 1");
        if (holdoutSource != null) {
            o.put("holdout_source", holdoutSource);
        }
        o.put("reference_rows", p.referenceRows());
        o.put("holdout_rows", p.holdoutRows());
        o.put("sampled_synthetic_rows", p.syntheticRows());
        putNumber(o, "median_dcr_synthetic_to_train", p.medianSyntheticToTrain());
        putNumber(o, "median_dcr_holdout_to_train", p.medianHoldoutToTrain());
        putNumber(o, "median_dcr_synthetic_to_holdout", p.medianSyntheticToHoldout());
        putNumber(o, "closer_to_train_share", p.closerToTrainShare());
        putNumber(o, "dcr_overfitting_protection", p.overfittingProtection());
        o.put("synthetic_rows", p.syntheticTotal());
        o.put("exact_copies", p.exactCopies());
        putNumber(o, "exact_copy_rate", p.exactCopyRate());
        if (p.hasHoldout()) {
            o.put("holdout_total_rows", p.holdoutTotal());
            o.put("holdout_exact_copies", p.holdoutExactCopies());
        }
        putNumber(o, "holdout_exact_copy_rate", p.holdoutExactCopyRate());
        attacksJson(o, p.attacks());
        ObjectNode rare = o.putObject("rare_values");
        rare.put("definition", "per categorical column: distinct values seen exactly once in the training rows "
                + "(training_singletons), how many the synthetic table contains (published), and how many of those "
                + "no holdout row has either (published_not_in_holdout; -1 without holdout): values that point at "
                + "one real person");
        long published = 0;
        long unseen = 0;
        ArrayNode rc = rare.putArray("columns");
        for (PrivacyEvaluator.RareValues r : p.rareValues()) {
            rc.addObject().put("column", r.column()).put("training_singletons", r.singletons())
                    .put("published", r.published()).put("published_not_in_holdout", r.publishedNotInHoldout());
            published += r.published();
            unseen += Math.max(0, r.publishedNotInHoldout());
        }
        rare.put("published", published);
        rare.put("published_not_in_holdout", p.hasHoldout() ? unseen : -1);
        return o;
    }

    /**
     * The attack sections: {@code singling_out} ({@code univariate}, {@code multivariate}), {@code linkability}
     * (with its column sets {@code columns_a}/{@code columns_b}) and {@code inference} ({@code columns[]}, one per
     * secret column, and the largest risk), each an {@link io.flowsynth.fidelity.AttackRisk} object; without a holdout
     * each section is {@code {"measured": false, "reason": …}}.
     */
    static void attacksJson(ObjectNode o, AttackEvaluator.Result a) {
        if (a == null) {
            for (String section : List.of("singling_out", "linkability", "inference")) {
                o.putObject(section).put("measured", false)
                        .put("reason", "no holdout: attacks need real rows the model never saw as controls");
            }
            o.putNull("attack_risk");
            return;
        }
        o.put("attack_method", "Anonymeter (Giomi et al., PoPETs 2023): success on training rows vs control "
                + "(holdout) rows; risk = (train - control) / (1 - control), 95% Wilson intervals");
        o.put("attack_seconds", a.seconds());
        ObjectNode so = o.putObject("singling_out");
        so.put("measured", true);
        so.set("univariate", a.singlingOutUnivariate().toJson());
        so.set("multivariate", a.singlingOutMultivariate().toJson());
        ObjectNode link = o.putObject("linkability");
        if (a.linkability() == null) {
            link.put("measured", false).put("reason", "one column: no two disjoint column sets");
        } else {
            link.put("measured", true);
            link.setAll(a.linkability().toJson());
            ArrayNode ca = link.putArray("columns_a");
            a.columnsA().forEach(ca::add);
            ArrayNode cb = link.putArray("columns_b");
            a.columnsB().forEach(cb::add);
        }
        ObjectNode inf = o.putObject("inference");
        inf.put("measured", true);
        inf.put("tolerance", AttackEvaluator.TOLERANCE);
        ArrayNode cols = inf.putArray("columns");
        double max = Double.NaN;
        String worst = null;
        for (int c = 0; c < a.names().size(); c++) {
            ObjectNode node = cols.addObject();
            node.put("column", a.names().get(c));
            node.setAll(a.inference().get(c).toJson());
            double r = a.inference().get(c).risk();
            if (Double.isFinite(r) && !(r <= max)) {
                max = r;
                worst = a.names().get(c);
            }
        }
        putNumber(inf, "max_risk", max);
        if (worst != null) {
            inf.put("max_risk_column", worst);
        }
        double all = max;
        String attack = worst == null ? null : "inference of '" + worst + "'";
        java.util.Map<String, io.flowsynth.fidelity.AttackRisk> others = new java.util.LinkedHashMap<>();
        others.put("singling-out (univariate)", a.singlingOutUnivariate());
        others.put("singling-out (multivariate)", a.singlingOutMultivariate());
        if (a.linkability() != null) {
            others.put("linkability", a.linkability());
        }
        for (java.util.Map.Entry<String, io.flowsynth.fidelity.AttackRisk> e : others.entrySet()) {
            double r = e.getValue().risk();
            if (Double.isFinite(r) && !(r <= all)) {
                all = r;
                attack = e.getKey();
            }
        }
        putNumber(o, "attack_risk", all);
        if (attack != null) {
            o.put("attack_risk_attack", attack);
        }
    }

    /**
     * What the model's privacy protections did per column, read defensively from the encoder JSON in the model:
     * every field named {@code protected_*}, {@code extreme_*} or {@code rare_*} of a column's encoder (absent in
     * models fitted before those protections existed: the column is then listed without them).
     */
    static ArrayNode protections(FlowsynthModel model) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (io.flowsynth.encode.ColumnEncoder c : model.encoder().columns()) {
            ObjectNode node = out.addObject();
            node.put("column", c.column());
            node.put("kind", c.kind());
            ObjectNode json;
            try {
                json = c.toJson();
            } catch (RuntimeException e) {
                continue;
            }
            json.fields().forEachRemaining(e -> {
                String k = e.getKey();
                if ((k.startsWith("protected_") || k.startsWith("extreme_") || k.startsWith("rare_"))
                        && (e.getValue().isValueNode() || e.getValue().isObject())) {
                    node.set(k, e.getValue());
                }
            });
        }
        return out;
    }

    /**
     * The report's {@code privacy.differential_privacy}: the model's guarantee ({@code enabled}, {@code epsilon},
     * {@code delta}, {@code line}, {@code composition}: how the releases compose), from its metadata; {@code enabled} is null (unknown) for a report without a model.
     */
    static ObjectNode differentialPrivacy(FlowsynthModel model) {
        ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        if (model == null) {
            o.putNull("enabled");
            o.put("line", "Differential privacy: unknown (report without --model)");
            return o;
        }
        ObjectNode p = model.privacy();
        boolean on = p.path("differential_privacy").asBoolean(false);
        o.put("enabled", on);
        if (on) {
            o.put("epsilon", p.path("epsilon").asDouble());
            o.put("delta", p.path("delta").asDouble());
            o.put("line", dpLine(p.path("epsilon").asDouble(), p.path("delta").asDouble())
                    + (p.has("accountant_epsilon") ? COMPOSED : ""));
            if (p.hasNonNull("composition")) {
                o.put("composition", p.path("composition").asText());
            }
        } else {
            o.put("line", "Differential privacy: none");
        }
        return o;
    }

    /** What the report line adds for a model whose releases form one RDP composition. */
    static final String COMPOSED = " (one Rényi-DP composition of the encoders' Gaussian releases, the copula and "
            + "DP-SGD)";

    /** "Differential privacy: ε = 3, δ = 1.0e-08". */
    static String dpLine(double epsilon, double delta) {
        return String.format(java.util.Locale.ROOT, "Differential privacy: ε = %s, δ = %.2g",
                new java.math.BigDecimal(epsilon).round(new java.math.MathContext(4)).stripTrailingZeros()
                        .toPlainString(), delta);
    }

    /** Adds the exact-copy guard's outcome ({@code privacy.exact_copy_guard}) to a report made by {@link #evaluate}. */
    public static void putGuard(ObjectNode report, io.flowsynth.spark.sample.ExactCopyGuard.Result guard,
                                String offReason) {
        ObjectNode privacy = (ObjectNode) report.get("privacy");
        ObjectNode g = privacy.putObject("exact_copy_guard");
        g.put("enabled", guard != null);
        if (guard == null) {
            g.put("reason", offReason);
        } else {
            g.put("first_draw_copies", guard.firstDrawCopies());
            g.put("dropped", guard.dropped());
            g.put("redraws", guard.redraws());
            g.put("seconds", guard.seconds());
        }
        // the verdict reads the guard too
        ObjectNode v = privacy.putObject("verdict");
        PrivacyVerdict verdict = PrivacyVerdict.of(privacy);
        v.put("level", verdict.level());
        v.put("text", verdict.text());
    }

    private static void putNumber(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }

    /**
     * The real table's columns that the model learned, in the model's order: columns dropped at fit time (an
     * unsupported type with drop-unsupported on) are not compared. A model column missing from the table is an error.
     */
    static Dataset<Row> columnsOf(Dataset<Row> real, FlowsynthModel model) {
        java.util.Set<String> present = Set.of(real.schema().fieldNames());
        List<Column> cols = new ArrayList<>();
        for (String name : model.sourceSchema().fieldNames()) {
            if (!present.contains(name)) {
                throw new BadInputException("Real table has no column '" + name
                        + "', which the model learned");
            }
            cols.add(functions.col("`" + name.replace("`", "``") + "`"));
        }
        return real.select(cols.toArray(new Column[0]));
    }

    /** The model's generated columns (identifiers, fake values, text): not learned, so not compared. */
    static List<String> idColumns(FlowsynthModel model) {
        List<String> ids = new ArrayList<>();
        model.encoder().columns().forEach(c -> {
            if (c instanceof io.flowsynth.encode.GeneratedColumn) { // ids, fake values, text: not learned
                ids.add(c.column());
            }
        });
        return ids;
    }

    private static Dataset<Row> withoutColumns(Dataset<Row> table, List<String> names) {
        if (names.isEmpty()) {
            return table;
        }
        List<Column> cols = new ArrayList<>();
        for (String name : table.schema().fieldNames()) {
            if (!names.contains(name)) {
                cols.add(functions.col("`" + name.replace("`", "``") + "`"));
            }
        }
        return table.select(cols.toArray(new Column[0]));
    }


    /** Writes {@code dir/fidelity.json} and {@code dir/index.html} into an existing (staging) directory. */
    public static void writeInto(String dir, ObjectNode json, Configuration conf) {
        try {
            HadoopFiles.writeString(dir + "/" + FIDELITY_JSON,
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json), conf);
            HadoopFiles.writeString(dir + "/" + INDEX_HTML, ReportPage.render(json), conf);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the report directory atomically. */
    public static void write(String dir, ObjectNode json, boolean overwrite, Configuration conf) {
        HadoopFiles.checkOutput(dir, "--output", overwrite, conf);
        String staging = HadoopFiles.stagingPath(dir);
        try {
            writeInto(staging, json, conf);
            HadoopFiles.commit(staging, dir, overwrite, conf);
        } catch (RuntimeException e) {
            HadoopFiles.deleteQuietly(staging, conf);
            throw e;
        }
    }
}
