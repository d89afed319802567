package io.flowsynth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.spark.demo.DemoTables;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.io.TableReader;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.pipeline.FitPipeline;
import io.flowsynth.spark.pipeline.ReportPipeline;
import io.flowsynth.spark.pipeline.RunPipeline;
import io.flowsynth.spark.pipeline.SamplePipeline;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The flowsynth command line: {@code fit}, {@code sample}, {@code report}, {@code run} and {@code generate-demo}.
 * Exit codes: 0 success, 2 bad usage or bad input (one line on stderr naming the option, path or column), 1 any
 * other failure. The Spark master is {@code --master}, else {@code $FLOWSYNTH_MASTER}, else what spark-submit set,
 * else {@code local[*]}.
 */
public final class FlowsynthCli {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;

    private static final Map<String, Set<String>> VALUE_OPTIONS = new LinkedHashMap<>();
    private static final Map<String, Set<String>> FLAG_OPTIONS = new LinkedHashMap<>();

    static {
        VALUE_OPTIONS.put("fit", Set.of("input", "model", "format", "conf", "set", "master"));
        VALUE_OPTIONS.put("sample", Set.of("model", "rows", "output", "seed", "partitions", "conf", "set", "master"));
        VALUE_OPTIONS.put("report", Set.of("real", "synthetic", "output", "model", "format", "conf", "set", "master"));
        VALUE_OPTIONS.put("run", Set.of("input", "output", "rows", "format", "conf", "set", "master"));
        VALUE_OPTIONS.put("generate-demo", Set.of("output", "rows", "seed", "table", "master"));
        for (String c : VALUE_OPTIONS.keySet()) {
            FLAG_OPTIONS.put(c, Set.of("overwrite"));
        }
    }

    private static final String USAGE = String.join("\n",
            "usage: flowsynth <command> [options]",
            "  fit     --input PATH --model DIR [--format parquet|csv] [--conf FILE] [--set key=value]... [--overwrite]",
            "  sample  --model DIR --rows N --output PATH [--seed S] [--partitions P] [--overwrite]",
            "  report  --real PATH --synthetic PATH --output DIR [--model DIR]",
            "  run     --input PATH --output DIR [--rows N] [--conf FILE] [--set key=value]... [--overwrite]",
            "  generate-demo --output PATH [--rows N] [--seed S] [--table loans|retail|sensors] [--overwrite]",
            "common: --master URL (or FLOWSYNTH_MASTER); exit codes 0 ok, 2 bad input, 1 failure");

    private FlowsynthCli() {
    }

    public static void main(String[] args) {
        int code = execute(args, FlowsynthCli::sparkSession, System.err);
        System.exit(code);
    }

    /** Runs one command with a session from {@code sessions} (given the requested master, or null). */
    static int execute(String[] args, Function<String, SparkSession> sessions, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            err.println(USAGE);
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
            SparkSession spark = sessions.apply(master);
            switch (a.command()) {
                case "fit" -> fit(spark, a, config);
                case "sample" -> sample(spark, a, config);
                case "report" -> report(spark, a, config);
                case "run" -> run(spark, a, config);
                case "generate-demo" -> generateDemo(spark, a);
                default -> throw new BadInputException("Unknown command " + a.command());
            }
            return OK;
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

    /** The bad-input exception behind {@code t}, also when Spark wrapped it (a task failure, say). */
    private static BadInputException badInput(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BadInputException b) {
                return b;
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
        HadoopFiles.checkOutput(modelDir, "--model", overwrite, conf);
        Dataset<Row> table = TableReader.read(spark, input, a.optional("format"));
        FlowsynthModel model = FitPipeline.fit(spark, table, c);
        model.save(modelDir, overwrite, conf);
        System.out.println("model: " + modelDir);
    }

    private static void sample(SparkSession spark, CliArgs a, FlowsynthConfig c) {
        String modelDir = a.required("model");
        long rows = a.longOption("rows", 0) == null ? missing(a, "rows") : a.longOption("rows", 0);
        String output = a.required("output");
        boolean overwrite = a.flag("overwrite");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        HadoopFiles.checkOutput(output, "--output", overwrite, conf);
        FlowsynthModel model = FlowsynthModel.load(modelDir, conf);
        Long seed = a.longOption("seed", Long.MIN_VALUE);
        Long partitions = a.longOption("partitions", 1);
        int p = partitions != null ? Math.toIntExact(partitions)
                : SamplePipeline.defaultPartitions(spark, rows, c.getLong(ConfigKeys.SAMPLE_ROWS_PER_PARTITION, 1));
        SamplePipeline.write(spark, model, rows, seed != null ? seed : SamplePipeline.randomSeed(), p,
                c.getInt(ConfigKeys.SAMPLE_BATCH_SIZE, 1), output, overwrite);
        System.out.println("synthetic: " + output);
    }

    private static long missing(CliArgs a, String name) {
        a.required(name);
        return 0;
    }

    private static void report(SparkSession spark, CliArgs a, FlowsynthConfig c) {
        String real = a.required("real");
        String synthetic = a.required("synthetic");
        String output = a.required("output");
        boolean overwrite = a.flag("overwrite");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        HadoopFiles.checkOutput(output, "--output", overwrite, conf);
        FlowsynthModel model = a.optional("model") == null ? null : FlowsynthModel.load(a.optional("model"), conf);
        Dataset<Row> realTable = TableReader.read(spark, real, a.optional("format"));
        Dataset<Row> synthTable = TableReader.read(spark, synthetic, null);
        ObjectNode json = ReportPipeline.evaluate(spark, realTable, synthTable, model,
                c.getInt(ConfigKeys.REPORT_MAX_ROWS, 1), c.getLong(ConfigKeys.SEED, Long.MIN_VALUE));
        ReportPipeline.write(output, json, overwrite, conf);
        System.out.println("report: " + output + "/" + ReportPipeline.FIDELITY_JSON);
        System.out.println("quality: " + json.path("overall").path("quality").asDouble());
    }

    private static void run(SparkSession spark, CliArgs a, FlowsynthConfig c) {
        String input = a.required("input");
        String output = a.required("output");
        Long rows = a.longOption("rows", 0);
        boolean overwrite = a.flag("overwrite");
        HadoopFiles.checkOutput(output, "--output", overwrite, spark.sparkContext().hadoopConfiguration());
        Dataset<Row> table = TableReader.read(spark, input, a.optional("format"));
        RunPipeline.Result r = RunPipeline.run(spark, table, output, rows, c, overwrite);
        System.out.println("model: " + output + "/model");
        System.out.println("synthetic: " + output + "/synthetic");
        System.out.println("report: " + output + "/report/" + ReportPipeline.FIDELITY_JSON);
        System.out.println("quality: " + r.report().path("overall").path("quality").asDouble());
        if (r.report().has("baseline")) {
            System.out.println("baseline quality (independent columns): "
                    + r.report().path("baseline").path("quality").asDouble());
        }
    }

    private static void generateDemo(SparkSession spark, CliArgs a) {
        String output = a.required("output");
        Long rows = a.longOption("rows", 1);
        Long seed = a.longOption("seed", Long.MIN_VALUE);
        boolean overwrite = a.flag("overwrite");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        HadoopFiles.checkOutput(output, "--output", overwrite, conf);
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

    /** The job's session: the requested master, else the one spark-submit set, else {@code local[*]}. */
    static SparkSession sparkSession(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("flowsynth");
        if (master != null) {
            b.master(master);
        } else if (System.getProperty("spark.master") == null) {
            b.master("local[*]");
        }
        b.config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.executorEnv.OMP_NUM_THREADS", "1")
                .config("spark.ui.showConsoleProgress", "false");
        if (System.getenv("SPARK_LOCAL_IP") != null && System.getProperty("spark.driver.host") == null) {
            b.config("spark.driver.host", System.getenv("SPARK_LOCAL_IP"));
        }
        return b.getOrCreate();
    }
}
