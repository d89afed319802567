package io.flowsynth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.fidelity.QualityGates;
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
                "partition-by", "real", "conf", "set", "master"));
        VALUE_OPTIONS.put("report", Set.of("real", "synthetic", "output", "model", "format", "conf", "set", "master",
                "holdout", "fail-under", "csv-mode", "schema"));
        VALUE_OPTIONS.put("run", Set.of("input", "output", "rows", "format", "conf", "set", "master", "fail-under",
                "csv-mode", "schema"));
        VALUE_OPTIONS.put("score", Set.of("model", "input", "output", "format", "conf", "set", "master", "csv-mode",
                "schema"));
        VALUE_OPTIONS.put("generate-demo", Set.of("output", "rows", "seed", "table", "master"));
        for (String c : VALUE_OPTIONS.keySet()) {
            FLAG_OPTIONS.put(c, Set.of("overwrite"));
        }
        FLAG_OPTIONS.put("fit", Set.of("overwrite", "resume"));
    }

    private static final String USAGE = String.join("\n",
            "usage: flowsynth <command> [options]",
            "  fit     --input PATH --model DIR [--format parquet|csv] [--conf FILE] [--set key=value]... [--overwrite] [--resume]",
            "  sample  --model DIR --rows N --output PATH|--output-table DB.NAME [--seed S] [--partitions P]",
            "          [--temperature T] [--partition-by COL,...] [--real PATH] [--overwrite]",
            "  report  --real PATH --synthetic PATH --output DIR [--model DIR] [--holdout PATH] [--fail-under GATES]",
            "  run     --input PATH --output DIR [--rows N] [--conf FILE] [--set key=value]... [--fail-under GATES]"
                    + " [--overwrite]",
            "  score   --model DIR --input PATH --output PATH [--format parquet|csv] [--overwrite]",
            "  generate-demo --output PATH [--rows N] [--seed S] [--table loans|retail|sensors] [--overwrite]",
            "CSV input (fit, run, score, report): [--csv-mode failfast|permissive|dropmalformed]"
                    + " [--schema \"col TYPE, ...\"]",
            "GATES: name=value[,name=value]... with quality, column-shapes, column-pair-trends, dcr-overfit",
            "       (minimums) and exact-copy-rate (a maximum), e.g. --fail-under quality=0.85,dcr-overfit=0.9",
            "common: --master URL (or FLOWSYNTH_MASTER); exit codes 0 ok, 2 bad input, 1 failure,",
            "        3 a --fail-under gate was missed (the report is written first)");

    /** Upper bound of {@code --partitions}: more tasks than this is a typo, not a plan. */
    static final int MAX_PARTITIONS = 1_000_000;

    private FlowsynthCli() {
    }

    public static void main(String[] args) {
        int code = execute(args, FlowsynthCli::sparkSession, System.err);
        System.exit(code);
    }

    /** Runs one command with a session from {@code sessions} (given the requested master, or null). */
    static int execute(String[] args, Function<String, SparkSession> sessions, PrintStream err) {
        if (args.length >= 1 && (isHelp(args[0]) || (args.length == 2 && isHelp(args[1])))) {
            System.out.println(USAGE);
            return OK;
        }
        String command = args.length > 0 ? args[0] : "flowsynth";
        try {
            CliArgs a = CliArgs.parse(args, VALUE_OPTIONS, FLAG_OPTIONS);
            String master = a.optional("master");
            if (master == null) {
                master = System.getenv("FLOWSYNTH_MASTER");
            }
            FlowsynthConfig config = a.command().equals("generate-demo") ? FlowsynthConfig.defaults() : resolveConfig(a);
            preflight(a, config, SparkHadoopUtil.get().newConfiguration(new SparkConf()));
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
            err.println("flowsynth " + command + ": " + g.getMessage());
            return GATE_FAILED;
        } catch (Throwable t) {
            BadInputException bad = badInput(t);
            if (bad != null) {
                err.println("flowsynth " + command + ": " + bad.getMessage());
                if (bad.getMessage() != null && bad.getMessage().startsWith("No command")) {
                    err.println(USAGE);
                }
                return BAD_INPUT;
            }
            err.println("flowsynth " + command + " failed: " + t.getClass().getSimpleName() + ": " + firstLine(t.getMessage()));
            t.printStackTrace(err);
            return FAILED;
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

    private static FlowsynthConfig resolveConfig(CliArgs a) {
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
        return ConfigResolver.resolve(site, jobFile, jobName, a.sets());
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
                : SamplePipeline.defaultPartitions(spark, model.sourceSchema(), rows,
                c.getDouble(ConfigKeys.SAMPLE_TARGET_FILE_MB, 1e-3, 1e6));
        String real = a.optional("real"); // the training rows: enables the exact-copy guard
        SamplePipeline.Guard guard = real == null ? SamplePipeline.Guard.off("no --real PATH (the training rows) given")
                : !c.getBoolean(ConfigKeys.PRIVACY_DROP_EXACT_COPIES)
                ? SamplePipeline.Guard.off("turned off (flowsynth.privacy.drop-exact-copies=false)")
                : new SamplePipeline.Guard(TableReader.read(spark, real, null),
                c.getInt(ConfigKeys.PRIVACY_COPY_REDRAWS, 0), null);
        SamplePipeline.write(spark, model, new SamplePipeline.Request(rows, seed != null ? seed : SamplePipeline.randomSeed(),
                p, temperature, c.getInt(ConfigKeys.SAMPLE_BATCH_SIZE, 1), c.getString(ConfigKeys.SAMPLE_COMPRESSION),
                partitionBy, output, table, overwrite), guard);
        System.out.println("synthetic: " + (output != null ? output : "table " + table));
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
        ObjectNode json = ReportPipeline.evaluate(spark, realTable, holdoutTable, synthTable, model,
                new ReportPipeline.Options(c.getInt(ConfigKeys.REPORT_MAX_ROWS, 1),
                        c.getInt(ConfigKeys.REPORT_PRIVACY_ROWS, 1), c.getLong(ConfigKeys.SEED, Long.MIN_VALUE),
                        c.getInt(ConfigKeys.REPORT_ATTACK_TARGETS, 1), c.getInt(ConfigKeys.REPORT_MAX_PAIRS, 1)),
                holdout == null ? null : "--holdout " + holdout);
        ReportPipeline.write(output, json, overwrite, conf);
        System.out.println("report: " + output + "/" + ReportPipeline.FIDELITY_JSON);
        System.out.println("page: " + output + "/" + ReportPipeline.INDEX_HTML);
        System.out.println("quality: " + json.path("overall").path("quality").asDouble());
        checkGates(gates, json);
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
        System.out.println("quality: " + r.report().path("overall").path("quality").asDouble());
        if (r.report().has("baseline")) {
            System.out.println("baseline quality (independent columns): "
                    + r.report().path("baseline").path("quality").asDouble());
        }
        System.out.println("privacy: " + r.report().path("privacy").path("verdict").path("level").asText());
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
        ScorePipeline.write(spark, model, table, c.getLong(ConfigKeys.SEED, Long.MIN_VALUE), output, overwrite);
        System.out.println("scored: " + output);
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
        boolean overwrite = a.flag("overwrite");
        String confFile = a.optional("conf");
        switch (a.command()) {
            case "fit" -> {
                String input = a.required("input");
                String model = a.required("model");
                csv(a);
                Map<String, String> in = inputs("--input", input, "--conf", confFile);
                PathOverlap.requireDisjoint("--model", model, in, conf);
                PathOverlap.requireDisjoint("--model (its checkpoint directory)", model + ".checkpoint", in, conf);
                HadoopFiles.requireExists(input, "Input", conf);
                HadoopFiles.checkOutput(model, "--model", overwrite, conf);
            }
            case "sample" -> {
                String model = a.required("model");
                a.required("rows");
                a.longOption("rows", 0);
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
                HadoopFiles.requireExists(model, "Model directory", conf);
                if (a.optional("real") != null) {
                    HadoopFiles.requireExists(a.optional("real"), "Input --real", conf);
                }
                if (output != null) {
                    PathOverlap.requireDisjoint("--output", output, inputs("--model", model, "--real", a.optional("real"),
                            "--conf", confFile), conf);
                    HadoopFiles.checkOutput(output, "--output", overwrite, conf);
                }
            }
            case "report" -> {
                String real = a.required("real");
                String synthetic = a.required("synthetic");
                String output = a.required("output");
                String holdout = a.optional("holdout");
                csv(a);
                if (holdout == null && QualityGates.needsHoldout(QualityGates.parse(a.optional("fail-under"),
                        "--fail-under"))) {
                    throw new BadInputException("Option --fail-under: gates dcr-overfit and privacy-risk need "
                            + "--holdout (real rows the model never saw)");
                }
                Map<String, String> in = inputs("--real", real, "--synthetic", synthetic, "--holdout", holdout,
                        "--model", a.optional("model"), "--conf", confFile);
                PathOverlap.requireDisjoint("--output", output, in, conf);
                for (Map.Entry<String, String> e : in.entrySet()) {
                    if (e.getValue() != null && !e.getKey().equals("--conf")) {
                        HadoopFiles.requireExists(e.getValue(), "Input " + e.getKey(), conf);
                    }
                }
                HadoopFiles.checkOutput(output, "--output", overwrite, conf);
            }
            case "run" -> {
                String input = a.required("input");
                String output = a.required("output");
                a.longOption("rows", 0);
                csv(a);
                if (QualityGates.needsHoldout(QualityGates.parse(a.optional("fail-under"), "--fail-under"))
                        && c.getDouble(ConfigKeys.REPORT_HOLDOUT_FRACTION, 0, 0.5) == 0) {
                    throw new BadInputException("Option --fail-under: gates dcr-overfit and privacy-risk need a "
                            + "holdout, but "
                            + ConfigKeys.REPORT_HOLDOUT_FRACTION + " is 0");
                }
                PathOverlap.requireDisjoint("--output", output, inputs("--input", input, "--conf", confFile), conf);
                HadoopFiles.requireExists(input, "Input", conf);
                HadoopFiles.checkOutput(output, "--output", overwrite, conf);
            }
            case "score" -> {
                String model = a.required("model");
                String input = a.required("input");
                String output = a.required("output");
                csv(a);
                PathOverlap.requireDisjoint("--output", output, inputs("--model", model, "--input", input,
                        "--conf", confFile), conf);
                HadoopFiles.requireExists(model, "Model directory", conf);
                HadoopFiles.requireExists(input, "Input", conf);
                HadoopFiles.checkOutput(output, "--output", overwrite, conf);
            }
            case "generate-demo" -> {
                String output = a.required("output");
                a.longOption("rows", 1);
                a.longOption("seed", Long.MIN_VALUE);
                HadoopFiles.checkOutput(output, "--output", overwrite, conf);
            }
            default -> throw new BadInputException("Unknown command " + a.command());
        }
    }

    /** How CSV inputs are read: {@code --csv-mode} and {@code --schema}. */
    private static TableReader.CsvOptions csv(CliArgs a) {
        return new TableReader.CsvOptions(TableReader.CsvMode.parse(a.optional("csv-mode")), a.optional("schema"));
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
