package io.flowsynth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.fidelity.QualityGates;
import io.flowsynth.flow.nn.NativeMemory;
import io.flowsynth.spark.demo.DemoLoans;
import io.flowsynth.spark.demo.DemoTables;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.io.PathOverlap;
import io.flowsynth.spark.io.TableReader;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.pipeline.FitPipeline;
import io.flowsynth.spark.pipeline.ReportPipeline;
import io.flowsynth.spark.pipeline.RunPipeline;
import io.flowsynth.spark.pipeline.SamplePipeline;
import io.flowsynth.spark.sample.ConditionalSampler;
import io.flowsynth.spark.score.ScorePipeline;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flowsynth command line: {@code fit}, {@code sample}, {@code report}, {@code run}, {@code score} and
 * {@code generate-demo}.
 * Exit codes: 0 success, 2 bad usage or bad input (one line on stderr naming the option, path or column), 1 any
 * other failure, 3 a {@code --fail-under} quality gate of {@code report}/{@code run} was missed (one line naming the
 * gates; the outputs were written first). The Spark master is {@code --master}, else {@code $FLOWSYNTH_MASTER}, else what spark-submit set,
 * else {@code local[*]}.
 */
public final class FlowsynthCli {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;
    /** {@code report}/{@code run} finished and wrote its outputs, but a {@code --fail-under} gate was missed. */
    static final int GATE_FAILED = 3;

    private static final Map<String, Set<String>> VALUE_OPTIONS = new LinkedHashMap<>();
    private static final Map<String, Set<String>> FLAG_OPTIONS = new LinkedHashMap<>();

    static {
        VALUE_OPTIONS.put("fit", Set.of("input", "model", "format", "conf", "set", "master", "csv-mode", "schema"));
        VALUE_OPTIONS.put("sample", Set.of("model", "rows", "output", "output-table", "seed", "partitions", "temperature",
                "partition-by", "real", "conf", "set", "master", "condition", "rows-per-condition", "where"));
        VALUE_OPTIONS.put("report", Set.of("real", "synthetic", "output", "model", "format", "conf", "set", "master",
                "holdout", "fail-under", "csv-mode", "schema", "condition-columns"));
        VALUE_OPTIONS.put("run", Set.of("input", "output", "rows", "format", "conf", "set", "master", "fail-under",
                "csv-mode", "schema"));
        VALUE_OPTIONS.put("score", Set.of("model", "input", "output", "format", "conf", "set", "master", "csv-mode",
                "schema"));
        VALUE_OPTIONS.put("generate-demo", Set.of("output", "rows", "seed", "table", "master"));
        VALUE_OPTIONS.put("config", Set.of("conf", "set"));
        for (String c : VALUE_OPTIONS.keySet()) {
            FLAG_OPTIONS.put(c, Set.of("overwrite"));
        }
        FLAG_OPTIONS.put("fit", Set.of("overwrite", "resume"));
        FLAG_OPTIONS.put("sample", Set.of("overwrite", "allow-unseen"));
        FLAG_OPTIONS.put("config", Set.of());
    }

    private static final String USAGE = String.join("\n",
            "usage: flowsynth <command> [options]",
            "  fit     --input PATH --model DIR [--format parquet|csv] [--conf FILE] [--set key=value]... [--overwrite] [--resume]",
            "  sample  --model DIR --rows N --output PATH|--output-table DB.NAME [--seed S] [--partitions P]",
            "          [--temperature T] [--partition-by COL,...] [--real PATH] [--overwrite]",
            "          conditional model: --condition PATH [--rows-per-condition K] | --rows N --where \"col = value, ...\""
                    + " [--allow-unseen]",
            "  report  --real PATH --synthetic PATH --output DIR [--model DIR] [--holdout PATH] [--fail-under GATES]",
            "          [--condition-columns COL,...] [--format parquet|csv] [--conf FILE] [--set key=value]... [--overwrite]",
            "  run     --input PATH --output DIR [--rows N] [--conf FILE] [--set key=value]... [--fail-under GATES]"
                    + " [--overwrite]",
            "  score   --model DIR --input PATH --output PATH [--format parquet|csv] [--overwrite]",
            "  generate-demo --output PATH [--rows N] [--seed S] [--table loans|retail|sensors] [--overwrite]",
            "  config  [--conf FILE] [--set key=value]...   every configuration key, its value and its source",
            "CSV input (fit, run, score, report): [--csv-mode failfast|permissive|dropmalformed]"
                    + " [--schema \"col TYPE, ...\"]",
            "GATES: name=value[,name=value]... with quality, column-shapes, column-pair-trends, dcr-overfit",
            "       (minimums) and exact-copy-rate (a maximum), e.g. --fail-under quality=0.85,dcr-overfit=0.9",
            "common: --master URL (or FLOWSYNTH_MASTER); exit codes 0 ok, 2 bad input, 1 failure,",
            "        3 a --fail-under gate was missed (the report is written first)",
            "flowsynth COMMAND --help: every option of COMMAND with its default, and the configuration keys it reads");

    /** Upper bound of {@code --partitions}: more tasks than this is a typo, not a plan. */
    static final int MAX_PARTITIONS = 1_000_000;

    /** Stack traces behind a one-line failure: to the log file only (conf/log4j2.properties), never the console. */
    private static final Logger TRACES = LoggerFactory.getLogger("io.flowsynth.traces");

    private FlowsynthCli() {
    }

    public static void main(String[] args) {
        NativeMemory.bound(); // before ND4J's first array: JavaCPP reads its limits once (jobs/flowsynth passes them too)
        int code = execute(args, FlowsynthCli::sparkSession, System.out, System.err);
        System.exit(code);
    }

    /** Runs one command with a session from {@code sessions} (given the requested master, or null). */
    static int execute(String[] args, Function<String, SparkSession> sessions, PrintStream err) {
        return execute(args, sessions, System.out, err);
    }

    /**
     * Runs one command: help and {@code config} print on {@code out} and start nothing; every other command first
     * makes all checks that need no data (twice: on local paths without Hadoop, then through Hadoop's file systems),
     * and only then asks {@code sessions} for a session.
     */
    static int execute(String[] args, Function<String, SparkSession> sessions, PrintStream out, PrintStream err) {
        if (args.length >= 1 && isHelp(args[0])) {
            out.print(args.length >= 2 && CliHelp.options().containsKey(args[1]) ? CliHelp.command(args[1]) : USAGE + "\n");
            return OK;
        }
        if (args.length >= 2 && CliHelp.options().containsKey(args[0])
                && Arrays.stream(args).skip(1).anyMatch(x -> x.equals("--help") || x.equals("-h"))) {
            out.print(CliHelp.command(args[0]));
            return OK;
        }
        String prefix = args.length > 0 ? "flowsynth " + args[0] : "flowsynth";
        String master = null;
        try {
            CliArgs a = CliArgs.parse(args, VALUE_OPTIONS, FLAG_OPTIONS);
            if (a.command().equals("config")) {
                printConfig(a, out);
                return OK;
            }
            master = a.optional("master");
            if (master == null) {
                master = System.getenv("FLOWSYNTH_MASTER");
            }
            FlowsynthConfig config = a.command().equals("generate-demo") ? FlowsynthConfig.defaults()
                    : resolveConfig(a).config();
            preflight(a, config, LocalPathChecks.INSTANCE);
            Configuration hadoop = SparkHadoopUtil.get().newConfiguration(new SparkConf());
            requireLogFileApart(a, hadoop);
            preflight(a, config, hadoop);
            SparkSession spark = sessions.apply(master);
            switch (a.command()) {
                case "fit" -> fit(spark, a, config);
                case "sample" -> sample(spark, a, config);
                case "report" -> report(spark, a, config);
                case "run" -> run(spark, a, config);
                case "score" -> score(spark, a, config);
                case "generate-demo" -> generateDemo(spark, a);
                default -> throw new BadInputException("Unknown command " + a.command());
            }
            return OK;
        } catch (GateFailedException g) {
            err.println(prefix + ": " + g.getMessage());
            return GATE_FAILED;
        } catch (Throwable t) {
            String outOfMemory = OutOfMemoryLine.describe(t, master == null || master.startsWith("local"));
            if (outOfMemory != null) {
                err.println(prefix + ": " + outOfMemory);
                TRACES.error("{} ran out of memory", prefix, t);
                return FAILED;
            }
            BadInputException bad = badInput(t);
            if (bad != null) {
                err.println(prefix + ": " + bad.getMessage());
                if (bad.getMessage() != null && bad.getMessage().startsWith("No command")) {
                    err.println(USAGE);
                }
                return BAD_INPUT;
            }
            err.println(prefix + " failed: " + t.getClass().getSimpleName() + ": " + firstLine(t.getMessage()));
            t.printStackTrace(err);
            return FAILED;
        }
    }

    /** {@code config}: every key, its resolved value and its source, one per line ({@code key = value  # source}). */
    private static void printConfig(CliArgs a, PrintStream out) {
        ConfigResolver.Resolved r = resolveConfig(a);
        int width = r.config().asMap().keySet().stream().mapToInt(String::length).max().orElse(10);
        out.println("# flowsynth configuration as a job would resolve it (--set > --conf FILE > "
                + "flowsynth-defaults.conf > built-in default)");
        for (Map.Entry<String, String> e : r.config().asMap().entrySet()) {
            String line = e.getKey() + " ".repeat(width - e.getKey().length()) + " = " + e.getValue();
            out.println(line + " ".repeat(Math.max(1, width + 26 - line.length())) + "# "
                    + r.sources().getOrDefault(e.getKey(), ConfigResolver.SOURCE_DEFAULT));
        }
    }

    /**
     * The bad-input exception behind {@code t}, also when Spark wrapped it (a task failure, say); a file system's
     * permission refusal is bad input too (it names the path).
     */
    static BadInputException badInput(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BadInputException b) {
                return b;
            }
            if (c instanceof java.nio.file.AccessDeniedException
                    || c instanceof org.apache.hadoop.security.AccessControlException) {
                return new BadInputException("Permission denied: " + firstLine(c.getMessage()));
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static ConfigResolver.Resolved resolveConfig(CliArgs a) {
        String site = null;
        String confDir = System.getenv("FLOWSYNTH_CONF_DIR");
        if (confDir != null) {
            Path p = Path.of(confDir, "flowsynth-defaults.conf");
            if (Files.isRegularFile(p)) {
                site = readLocal(p, "site defaults");
            }
        }
        String jobFile = null;
        String jobName = a.optional("conf");
        if (jobName != null) {
            Path p = Path.of(jobName);
            if (!Files.isRegularFile(p)) {
                throw new BadInputException("Option --conf: file does not exist: " + jobName);
            }
            jobFile = readLocal(p, "--conf");
        }
        return ConfigResolver.resolveWithSources(site, jobFile, jobName, a.sets());
    }

    private static String readLocal(Path p, String what) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new BadInputException("Cannot read " + what + " file " + p + ": " + e.getMessage());
        }
    }

    private static void fit(SparkSession spark, CliArgs a, FlowsynthConfig c) {
        String input = a.required("input");
        String modelDir = a.required("model");
        boolean overwrite = a.flag("overwrite");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        String checkpoints = modelDir + ".checkpoint";
        Dataset<Row> table = TableReader.read(spark, input, a.optional("format"), csv(a));
        FlowsynthModel model = FitPipeline.fit(spark, table, c, new FitPipeline.Work(checkpoints, checkpoints, a.flag("resume")));
        model.save(modelDir, overwrite, conf);
        HadoopFiles.deleteQuietly(checkpoints, conf);
        System.out.println("model: " + modelDir);
    }

    private static void sample(SparkSession spark, CliArgs a, FlowsynthConfig c) {
        String modelDir = a.required("model");
        String conditionPath = a.optional("condition");
        String where = a.optional("where");
        if (conditionPath != null && where != null) {
            throw new BadInputException("Give --condition PATH or --where, not both");
        }
        if (conditionPath != null && a.optional("rows") != null) {
            throw new BadInputException("--rows and --condition: the row count is the condition table's rows × "
                    + "--rows-per-condition; drop --rows");
        }
        if (conditionPath == null && a.optional("rows-per-condition") != null) {
            throw new BadInputException("--rows-per-condition needs --condition PATH");
        }
        if (conditionPath == null && where == null && a.flag("allow-unseen")) {
            throw new BadInputException("--allow-unseen needs --condition PATH or --where");
        }
        if (conditionPath != null) {
            sampleConditions(spark, a, c, modelDir, conditionPath);
            return;
        }
        a.required("rows");
        long rows = a.longOption("rows", 0);
        String output = a.optional("output");
        String table = a.optional("output-table");
        boolean overwrite = a.flag("overwrite");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FlowsynthModel model = FlowsynthModel.load(modelDir, conf);
        Long seed = a.longOption("seed", Long.MIN_VALUE);
        Integer partitions = a.intOption("partitions", 1, MAX_PARTITIONS);
        double temperature = a.doubleOption("temperature", 1.0);
        List<String> partitionBy = a.optional("partition-by") == null ? List.of()
                : Arrays.stream(a.optional("partition-by").split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        int p = partitions != null ? partitions
                : SamplePipeline.defaultPartitions(spark, model.sourceSchema(), rows, c.sample().targetFileMb());
        SamplePipeline.Guard guard = guard(spark, a, c);
        ConditionalSampler.Conditions conditions = where == null ? null
                : ConditionalSampler.fromWhere(spark, model, where, rows, p, a.flag("allow-unseen"));
        SamplePipeline.write(spark, model, new SamplePipeline.Request(rows, seed != null ? seed : SamplePipeline.randomSeed(),
                p, temperature, c.sample().batchSize(), c.sample().compression(),
                partitionBy, output, table, overwrite), guard, conditions);
        System.out.println("synthetic: " + (output != null ? output : "table " + table));
    }

    /** The exact-copy guard of {@code sample}: on with {@code --real PATH} (the training rows) unless turned off. */
    private static SamplePipeline.Guard guard(SparkSession spark, CliArgs a, FlowsynthConfig c) {
        String real = a.optional("real");
        return real == null ? SamplePipeline.Guard.off("no --real PATH (the training rows) given")
                : !c.sample().dropExactCopies()
                ? SamplePipeline.Guard.off("turned off (flowsynth.privacy.drop-exact-copies=false)")
                : new SamplePipeline.Guard(TableReader.read(spark, real, null), c.sample().copyRedraws(), null);
    }

    /** {@code sample --condition PATH}: one row per condition row (× --rows-per-condition), in its partitions. */
    private static void sampleConditions(SparkSession spark, CliArgs a, FlowsynthConfig c, String modelDir,
                                         String conditionPath) {
        String output = a.optional("output");
        String table = a.optional("output-table");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FlowsynthModel model = FlowsynthModel.load(modelDir, conf);
        ConditionalSampler.contextOf(model, "--condition");
        Long k = a.longOption("rows-per-condition", 1);
        long perCondition = k == null ? 1 : k;
        Long seed = a.longOption("seed", Long.MIN_VALUE);
        Integer partitions = a.intOption("partitions", 1, MAX_PARTITIONS);
        double temperature = a.doubleOption("temperature", 1.0);
        List<String> partitionBy = a.optional("partition-by") == null ? List.of()
                : Arrays.stream(a.optional("partition-by").split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        Dataset<Row> input = TableReader.read(spark, conditionPath, null);
        if (partitions != null) {
            input = input.repartition(partitions);
        }
        ConditionalSampler.Conditions conditions = ConditionalSampler.fromTable(model, input, perCondition,
                a.flag("allow-unseen"), conditionPath);
        long rows = ConditionalSampler.rows(conditions);
        int p = conditions.rows().rdd().getNumPartitions();
        SamplePipeline.write(spark, model, new SamplePipeline.Request(rows, seed != null ? seed : SamplePipeline.randomSeed(),
                p, temperature, c.sample().batchSize(), c.sample().compression(), partitionBy, output, table,
                a.flag("overwrite")), guard(spark, a, c), conditions);
        System.out.println("synthetic: " + (output != null ? output : "table " + table) + " (" + rows + " rows)");
    }

    private static void report(SparkSession spark, CliArgs a, FlowsynthConfig c) {
        String real = a.required("real");
        String synthetic = a.required("synthetic");
        String output = a.required("output");
        boolean overwrite = a.flag("overwrite");
        List<QualityGates.Gate> gates = QualityGates.parse(a.optional("fail-under"), "--fail-under");
        String holdout = a.optional("holdout");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FlowsynthModel model = a.optional("model") == null ? null : FlowsynthModel.load(a.optional("model"), conf);
        Dataset<Row> realTable = TableReader.read(spark, real, a.optional("format"), csv(a));
        Dataset<Row> synthTable = TableReader.read(spark, synthetic, null);
        Dataset<Row> holdoutTable = holdout == null ? null : TableReader.read(spark, holdout, a.optional("format"), csv(a));
        ReportPipeline.Options options = ReportPipeline.Options.of(c);
        List<String> conditionColumns = conditionColumns(a);
        if (conditionColumns != null) { // the option wins over flowsynth.condition.columns
            options = options.withConditions(options.conditions().withColumns(conditionColumns,
                    "Option --condition-columns"));
        }
        ObjectNode json = ReportPipeline.evaluate(spark, realTable, holdoutTable, synthTable, model, options,
                holdout == null ? null : "--holdout " + holdout);
        ReportPipeline.write(output, json, overwrite, conf);
        System.out.println("report: " + output + "/" + ReportPipeline.FIDELITY_JSON);
        System.out.println("page: " + output + "/" + ReportPipeline.INDEX_HTML);
        System.out.println(json.path("privacy").path("differential_privacy").path("line").asText());
        System.out.println("quality: " + round3(json.path("overall").path("quality").asDouble()));
        checkGates(gates, json);
    }

    /**
     * {@code report --condition-columns a,b}: the context columns in the order given, an empty list for an empty value
     * (no per-condition section, whatever the configuration says), or null when the option is absent.
     */
    static List<String> conditionColumns(CliArgs a) {
        String v = a.optional("condition-columns");
        return v == null ? null : FlowsynthConfig.columnNames(v, "Option --condition-columns");
    }

    /** Throws {@link GateFailedException} naming every missed gate; called after the outputs are written. */
    private static void checkGates(List<QualityGates.Gate> gates, ObjectNode json) {
        List<String> failed = QualityGates.failures(gates, json);
        if (!failed.isEmpty()) {
            throw new GateFailedException("quality gate failed: " + String.join("; ", failed));
        }
        if (!gates.isEmpty()) {
            System.out.println("gates passed: " + gates.stream().map(QualityGates.Gate::name).toList());
        }
    }

    /** A missed {@code --fail-under} gate: exit {@link #GATE_FAILED} with one line. */
    static final class GateFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GateFailedException(String message) {
            super(message);
        }
    }

    private static void run(SparkSession spark, CliArgs a, FlowsynthConfig c) {
        String input = a.required("input");
        String output = a.required("output");
        Long rows = a.longOption("rows", 0);
        boolean overwrite = a.flag("overwrite");
        List<QualityGates.Gate> gates = QualityGates.parse(a.optional("fail-under"), "--fail-under");
        Dataset<Row> table = TableReader.read(spark, input, a.optional("format"), csv(a));
        RunPipeline.Result r = RunPipeline.run(spark, table, output, rows, c, overwrite);
        System.out.println("model: " + output + "/model");
        System.out.println("synthetic: " + output + "/synthetic");
        System.out.println("report: " + output + "/report/" + ReportPipeline.FIDELITY_JSON);
        System.out.println("page: " + output + "/report/" + ReportPipeline.INDEX_HTML);
        System.out.println("quality: " + round3(r.report().path("overall").path("quality").asDouble()));
        if (r.report().has("baseline")) {
            System.out.println("baseline quality (independent columns): "
                    + round3(r.report().path("baseline").path("quality").asDouble()));
        }
        System.out.println("privacy risk: " + r.report().path("privacy").path("verdict").path("level").asText());
        System.out.println(r.report().path("privacy").path("differential_privacy").path("line").asText());
        checkGates(gates, r.report());
    }

    /** Input rows plus their exact log density under the model ({@code log_prob}); noise seeded by flowsynth.seed. */
    private static void score(SparkSession spark, CliArgs a, FlowsynthConfig c) {
        String modelDir = a.required("model");
        String input = a.required("input");
        String output = a.required("output");
        boolean overwrite = a.flag("overwrite");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FlowsynthModel model = FlowsynthModel.load(modelDir, conf);
        Dataset<Row> table = TableReader.read(spark, input, a.optional("format"), csv(a));
        ScorePipeline.write(spark, model, table, c.seed(), output, overwrite);
        Row s = spark.read().parquet(output).agg(org.apache.spark.sql.functions.count("*"),
                org.apache.spark.sql.functions.count(ScorePipeline.LOG_PROB),
                org.apache.spark.sql.functions.avg(ScorePipeline.LOG_PROB),
                org.apache.spark.sql.functions.min(ScorePipeline.LOG_PROB),
                org.apache.spark.sql.functions.max(ScorePipeline.LOG_PROB)).first();
        System.out.println("scored: " + output + " (" + s.getLong(0) + " rows"
                + (s.getLong(1) == 0 ? ", no finite log_prob"
                : String.format(java.util.Locale.ROOT, "; log_prob mean %.3f, min %.3f, max %.3f%s", s.getDouble(2),
                s.getDouble(3), s.getDouble(4), s.getLong(1) < s.getLong(0)
                        ? ", " + (s.getLong(0) - s.getLong(1)) + " rows without a finite one" : "")) + ")");
    }

    private static void generateDemo(SparkSession spark, CliArgs a) {
        String output = a.required("output");
        Long rows = a.longOption("rows", 1);
        Long seed = a.longOption("seed", Long.MIN_VALUE);
        boolean overwrite = a.flag("overwrite");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        long n = rows == null ? 50_000 : rows;
        String staging = HadoopFiles.stagingPath(output);
        try {
            String table = a.optional("table") == null ? "loans" : a.optional("table");
            DemoTables.generate(spark, table, n, seed == null ? 2024 : seed,
                    Math.max(1, spark.sparkContext().defaultParallelism())).write().parquet(staging);
            HadoopFiles.commit(staging, output, overwrite, conf);
        } catch (RuntimeException e) {
            HadoopFiles.deleteQuietly(staging, conf);
            throw e;
        }
        System.out.println("demo table: " + output + " (" + n + " rows"
                + (a.optional("table") == null ? "" : ", " + a.optional("table")) + ")");
    }

    /**
     * Every check that needs no data, made before the session starts (which takes seconds): required and numeric
     * options, gates, CSV options, that the inputs exist, that no output overlaps an input, and that an existing
     * output is only replaced with {@code --overwrite}. {@code conf} is Spark's Hadoop configuration without a
     * session ({@code spark.hadoop.*} settings included).
     */
    static void preflight(CliArgs a, FlowsynthConfig c, Configuration conf) {
        preflight(a, c, new HadoopPathChecks(conf));
    }

    /** {@link #preflight(CliArgs, FlowsynthConfig, Configuration)} with the path checks of {@code files}. */
    static void preflight(CliArgs a, FlowsynthConfig c, PathChecks files) {
        boolean overwrite = a.flag("overwrite");
        String confFile = a.optional("conf");
        if (("fit".equals(a.command()) || "run".equals(a.command())) && c.privacy().enabled()) {
            // settings differential privacy cannot cover: refused before Spark starts
            io.flowsynth.spark.pipeline.FitPipeline.checkPrivateTraining(c);
        }
        switch (a.command()) {
            case "fit" -> {
                String input = a.required("input");
                String model = a.required("model");
                csv(a);
                Map<String, String> in = inputs("--input", input, "--conf", confFile);
                files.requireDisjoint("--model", model, in);
                files.requireDisjoint("--model (its checkpoint directory)", model + ".checkpoint", in);
                files.requireExists(input, "Input");
                files.checkOutput(model, "--model", overwrite);
            }
            case "sample" -> {
                String model = a.required("model");
                String condition = a.optional("condition");
                if (condition == null) {
                    a.required("rows");
                }
                a.longOption("rows", 0);
                a.longOption("rows-per-condition", 1);
                a.longOption("seed", Long.MIN_VALUE);
                a.intOption("partitions", 1, MAX_PARTITIONS);
                double temperature = a.doubleOption("temperature", 1.0);
                if (!(temperature > 0 && temperature <= 10)) {
                    throw new BadInputException("Option --temperature: expected a number in (0, 10], got "
                            + temperature);
                }
                String output = a.optional("output");
                if ((output == null) == (a.optional("output-table") == null)) {
                    throw new BadInputException("Give exactly one of --output PATH and --output-table DB.NAME");
                }
                files.requireExists(model, "Model directory");
                if (a.optional("real") != null) {
                    files.requireExists(a.optional("real"), "Input --real");
                }
                if (condition != null) {
                    files.requireExists(condition, "Condition table --condition");
                }
                if (output != null) {
                    files.requireDisjoint("--output", output, inputs("--model", model, "--real", a.optional("real"),
                            "--condition", condition, "--conf", confFile));
                    files.checkOutput(output, "--output", overwrite);
                }
            }
            case "report" -> {
                String real = a.required("real");
                String synthetic = a.required("synthetic");
                String output = a.required("output");
                String holdout = a.optional("holdout");
                csv(a);
                conditionColumns(a);
                if (holdout == null && QualityGates.needsHoldout(QualityGates.parse(a.optional("fail-under"),
                        "--fail-under"))) {
                    throw new BadInputException("Option --fail-under: gates dcr-overfit and privacy-risk need "
                            + "--holdout (real rows the model never saw)");
                }
                Map<String, String> in = inputs("--real", real, "--synthetic", synthetic, "--holdout", holdout,
                        "--model", a.optional("model"), "--conf", confFile);
                files.requireDisjoint("--output", output, in);
                for (Map.Entry<String, String> e : in.entrySet()) {
                    if (e.getValue() != null && !e.getKey().equals("--conf")) {
                        files.requireExists(e.getValue(), "Input " + e.getKey());
                    }
                }
                files.checkOutput(output, "--output", overwrite);
            }
            case "run" -> {
                String input = a.required("input");
                String output = a.required("output");
                a.longOption("rows", 0);
                csv(a);
                if (QualityGates.needsHoldout(QualityGates.parse(a.optional("fail-under"), "--fail-under"))
                        && c.report().holdoutFraction() == 0) {
                    throw new BadInputException("Option --fail-under: gates dcr-overfit and privacy-risk need a "
                            + "holdout, but "
                            + ConfigKeys.REPORT_HOLDOUT_FRACTION + " is 0");
                }
                files.requireDisjoint("--output", output, inputs("--input", input, "--conf", confFile));
                files.requireExists(input, "Input");
                files.checkOutput(output, "--output", overwrite);
            }
            case "score" -> {
                String model = a.required("model");
                String input = a.required("input");
                String output = a.required("output");
                csv(a);
                files.requireDisjoint("--output", output, inputs("--model", model, "--input", input,
                        "--conf", confFile));
                files.requireExists(model, "Model directory");
                files.requireExists(input, "Input");
                files.checkOutput(output, "--output", overwrite);
            }
            case "generate-demo" -> {
                String output = a.required("output");
                a.longOption("rows", 1);
                a.longOption("seed", Long.MIN_VALUE);
                files.checkOutput(output, "--output", overwrite);
            }
            default -> throw new BadInputException("Unknown command " + a.command());
        }
    }

    /** Options that name a path a command reads or writes. */
    private static final List<String> PATH_OPTIONS = List.of("input", "model", "output", "real", "synthetic",
            "holdout", "conf");

    /**
     * Refuses a log file ({@code -Dflowsynth.log.file}, which jobs/flowsynth and jobs/submit.sh set from
     * {@code FLOWSYNTH_LOG_FILE}; else {@code flowsynth.log} in the working directory, conf/log4j2.properties) that is,
     * or lies inside, a path of the command (the model directory's checkpoint too). The appender creates the file at
     * its first line, and nothing is logged before this check, so a refused log file is never written.
     */
    static void requireLogFileApart(CliArgs a, Configuration conf) {
        String log = System.getProperty("flowsynth.log.file", "flowsynth.log");
        Map<String, String> paths = new LinkedHashMap<>();
        for (String o : PATH_OPTIONS) {
            if (a.optional(o) != null) {
                paths.put("--" + o, a.optional(o));
            }
        }
        if (a.command().equals("fit") && a.optional("model") != null) {
            paths.put("--model (its checkpoint directory)", a.optional("model") + ".checkpoint");
        }
        PathOverlap.requireFileApart("Log file (FLOWSYNTH_LOG_FILE)", log, paths, conf);
    }

    /** The file system checks of {@link #preflight}: inputs exist, outputs do not overlap them or exist. */
    interface PathChecks {
        void requireExists(String path, String what);

        void requireDisjoint(String option, String output, Map<String, String> inputs);

        void checkOutput(String path, String option, boolean overwrite);
    }

    /** Through Hadoop's file systems (any URI), with stale staging clean-up; loads Hadoop and its logging. */
    record HadoopPathChecks(Configuration conf) implements PathChecks {
        @Override
        public void requireExists(String path, String what) {
            HadoopFiles.requireExists(path, what, conf);
        }

        @Override
        public void requireDisjoint(String option, String output, Map<String, String> inputs) {
            PathOverlap.requireDisjoint(option, output, inputs, conf);
        }

        @Override
        public void checkOutput(String path, String option, boolean overwrite) {
            HadoopFiles.checkOutput(path, option, overwrite, conf);
        }
    }

    /**
     * The same checks with {@code java.nio} on paths that are surely local ({@code file://} URIs, or plain paths when
     * the default file system is the local one), so the usual mistakes (a missing input, an existing output) fail in
     * about a JVM start instead of the seconds that loading Hadoop and its logging takes. Other paths, and overlaps,
     * are left to {@link HadoopPathChecks}, which runs next; the messages are the same as its.
     */
    static final class LocalPathChecks implements PathChecks {
        static final LocalPathChecks INSTANCE = new LocalPathChecks();

        @Override
        public void requireExists(String path, String what) {
            Path p = local(path);
            if (p != null && !Files.exists(p)) {
                throw new BadInputException(what + " does not exist: " + path);
            }
        }

        @Override
        public void requireDisjoint(String option, String output, Map<String, String> inputs) {
            // needs qualified paths: left to Hadoop
        }

        @Override
        public void checkOutput(String path, String option, boolean overwrite) {
            Path p = local(path);
            if (p != null && !overwrite && Files.exists(p)) {
                throw new BadInputException("Output " + option + " " + path
                        + " already exists (pass --overwrite to replace it)");
            }
        }

        /** The local file of {@code path}, or null when it may name another file system. */
        static Path local(String path) {
            try {
                if (path.startsWith("file:///") || path.startsWith("file:/") && !path.startsWith("file://")) {
                    return Path.of(java.net.URI.create(path));
                }
                if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") || path.isEmpty() || !defaultFsIsLocal()) {
                    return null;
                }
                return Path.of(path);
            } catch (RuntimeException e) { // not a valid local path or URI: Hadoop's check decides
                return null;
            }
        }

        /**
         * True when Hadoop's {@code fs.defaultFS} is surely {@code file:///}: no {@code core-site.xml} on the class
         * path (spark-submit puts {@code $HADOOP_CONF_DIR} there) and no {@code spark.hadoop.fs.defaultFS} property.
         */
        static boolean defaultFsIsLocal() {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            return (cl == null || cl.getResource("core-site.xml") == null)
                    && System.getProperty("spark.hadoop.fs.defaultFS") == null
                    && System.getProperty("spark.hadoop.fs.default.name") == null;
        }
    }

    /** How CSV inputs are read: {@code --csv-mode} and {@code --schema}. */
    private static TableReader.CsvOptions csv(CliArgs a) {
        return new TableReader.CsvOptions(TableReader.CsvMode.parse(a.optional("csv-mode")), a.optional("schema"));
    }

    /** A score rounded to 3 decimals for the console (fidelity.json keeps full precision). */
    static String round3(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h") || arg.equals("help");
    }

    /** Option → path of a command's inputs (null paths, i.e. options not given, are kept and skipped later). */
    private static Map<String, String> inputs(String... optionPathPairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < optionPathPairs.length; i += 2) {
            m.put(optionPathPairs[i], optionPathPairs[i + 1]);
        }
        return m;
    }

    /** The job's session: the requested master, else the one spark-submit set, else {@code local[*]}. */
    static SparkSession sparkSession(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("flowsynth");
        if (master != null) {
            b.master(master);
        } else if (System.getProperty("spark.master") == null) {
            b.master("local[*]");
        }
        b.config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator")
                .config("spark.executorEnv.OMP_NUM_THREADS", "1")
                .config("spark.ui.showConsoleProgress", "false");
        if (System.getenv("SPARK_LOCAL_IP") != null && System.getProperty("spark.driver.host") == null) {
            b.config("spark.driver.host", System.getenv("SPARK_LOCAL_IP"));
        }
        return b.getOrCreate();
    }
}
