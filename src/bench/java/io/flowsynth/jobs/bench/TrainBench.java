package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.nn.Dl4jConsole;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.spark.demo.DemoLoans;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.pipeline.FitPipeline;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training benchmark behind {@code jobs/bench.sh train}.
 * <ul>
 *   <li>{@code table PATH ROWS}: writes the benchmark table (the demo loans plus four more columns: 16 mixed columns).</li>
 *   <li>{@code fit PATH ENGINE MASTER EPOCHS OUT_JSON}: fits it with one engine on one master; records the validation
 *       NLL history with elapsed time, rows/s, per-core rows/s, driver peak heap, the share of round wall time the
 *       cores were not running tasks, and its breakdown ({@link RoundJobs}): waiting for the slowest partition and
 *       the averaging overhead proper (scheduling, result transfer and merge, the driver between rounds).</li>
 *   <li>{@code ceiling RUN_JSON OUT_JSON}: Adam steps/s of the same network (features from a run) without Spark, on one
 *       thread and on every core at once: the library's own limit on scaling.</li>
 *   <li>{@code merge OUT_JSON RUN_JSON...}: takes the worst final NLL of all runs plus 0.02 nats as the common target
 *       and reports each run's time to reach it, the scaling efficiency from local[1] to local[2], and the faster engine.</li>
 * </ul>
 */
public final class TrainBench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int BATCH = 2048;
    /** Local steps per round ({@code FLOWSYNTH_BENCH_LOCAL_STEPS}, default 20): the round length the overhead divides. */
    private static final int LOCAL_STEPS = Integer.parseInt(System.getenv().getOrDefault("FLOWSYNTH_BENCH_LOCAL_STEPS",
            "20"));

    private TrainBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "table" -> table(args[1], Long.parseLong(args[2]));
            case "fit" -> fit(args[1], args[2], args[3], args[4], args[5]);
            case "merge" -> merge(args);
            case "ceiling" -> ceiling(JSON.readTree(new File(args[1])).path("features").asInt(), BATCH, args[2]);
            default -> throw new IllegalArgumentException("usage: table|fit|merge …");
        }
    }

    private static SparkSession session(String master) {
        return SparkSession.builder().master(master).appName("flowsynth train bench")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator").getOrCreate();
    }

    static void table(String path, long rows) {
        SparkSession spark = session("local[*]");
        Dataset<Row> loans = DemoLoans.generate(spark, rows, 11, spark.sparkContext().defaultParallelism() * 2);
        loans.withColumn("monthly_payment", functions.round(functions.col("loan_amount").divide(functions.col("term_months"))
                        .multiply(functions.lit(1).plus(functions.col("interest_rate"))), 2))
                .withColumn("open_accounts", functions.floor(functions.rand(1).multiply(4)
                        .plus(functions.col("age").divide(12))).cast("int"))
                .withColumn("state", functions.concat(functions.lit("S"),
                        functions.floor(functions.pow(functions.rand(2), 2).multiply(50)).cast("int").cast("string")))
                .withColumn("last_login", functions.expr("timestamp_seconds(1700000000 + cast(rand(3) * 3e7 as bigint))"))
                .write().mode(SaveMode.Overwrite).parquet(path);
        spark.stop();
    }

    /**
     * @param epochs passes over the table, or {@code defaults}: every training setting but the engine at its default,
     *               except the {@code key=value} pairs (comma-separated) of {@code FLOWSYNTH_BENCH_SETS}
     */
    static void fit(String path, String engine, String master, String epochs, String outJson) throws Exception {
        boolean defaults = "defaults".equals(epochs);
        SparkSession spark = session(master);
        AtomicLong taskNanos = new AtomicLong();
        AtomicLong roundTaskNanos = new AtomicLong();
        Set<Integer> roundStages = ConcurrentHashMap.newKeySet();
        RoundJobs roundJobs = new RoundJobs();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart e) {
                String d = e.properties() == null ? null : e.properties().getProperty("spark.job.description");
                if (d != null && d.startsWith("flowsynth fit: round")) {
                    for (Object id : scala.collection.JavaConverters.seqAsJavaList(e.stageIds())) {
                        roundStages.add((Integer) id);
                        roundJobs.stageOf(e.jobId(), (Integer) id);
                    }
                    roundJobs.start(e.jobId(), e.time());
                }
            }

            @Override
            public void onJobEnd(SparkListenerJobEnd e) {
                roundJobs.end(e.jobId(), e.time());
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (e.taskMetrics() != null) {
                    long nanos = e.taskMetrics().executorRunTime() * 1_000_000L;
                    taskNanos.addAndGet(nanos);
                    if (roundStages.contains(e.stageId())) {
                        roundTaskNanos.addAndGet(nanos);
                        roundJobs.task(e.stageId(), e.taskInfo().launchTime(), e.taskInfo().finishTime(),
                                e.taskMetrics().executorRunTime());
                    }
                }
            }
        });
        Map<String, String> sets = new LinkedHashMap<>();
        sets.put("flowsynth.train.engine", engine);
        if (!defaults) {
            sets.put("flowsynth.train.epochs", String.valueOf(Integer.parseInt(epochs)));
            sets.put("flowsynth.train.batch-size", String.valueOf(BATCH));
            sets.put("flowsynth.train.local-steps", String.valueOf(LOCAL_STEPS));
            sets.put("flowsynth.train.learning-rate", "0.003");
        }
        String extra = defaults ? System.getenv().getOrDefault("FLOWSYNTH_BENCH_SETS", "") : "";
        for (String kv : extra.split(",")) {
            if (kv.contains("=")) {
                sets.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        FlowsynthConfig c = ConfigResolver.resolve(null, null, null, sets);
        Dataset<Row> table = spark.read().parquet(path);
        long start = System.nanoTime();
        String work = new File(outJson).getParent() + "/train-bench-work";
        FlowsynthModel model = FitPipeline.fit(spark, table, c, new FitPipeline.Work(work, null, false));
        double seconds = (System.nanoTime() - start) / 1e9;
        int cores = spark.sparkContext().defaultParallelism();
        JsonNode t = model.training();
        ObjectNode out = JSON.createObjectNode();
        out.put("engine", engine);
        out.put("settings", defaults ? (extra.isBlank() ? "defaults" : "defaults, " + extra) : epochs + " epochs, batch " + BATCH + ", " + LOCAL_STEPS
                + " local steps, learning rate 0.003");
        out.put("master", master);
        out.put("cores", cores);
        out.put("jvm_cpus", Runtime.getRuntime().availableProcessors());
        out.put("rows", model.sourceRows());
        out.put("features", model.flowSpec().features());
        out.put("fit_seconds", seconds);
        out.put("training_seconds", t.path("seconds").asDouble());
        out.put("rows_per_second", t.path("rows_per_second").asDouble());
        out.put("rows_per_second_per_core", t.path("rows_per_second").asDouble() / cores);
        out.put("best_validation_nll", t.path("best_validation_nll").asDouble());
        // the best parameters' NLL on every held-out row (rounds may compare a subset): the figure to compare settings by
        out.put("held_out_nll", t.path("held_out_nll").asDouble(t.path("best_validation_nll").asDouble()));
        out.put("driver_peak_heap_mb", peakHeapMb());
        double trainingWall = t.path("seconds").asDouble();
        double roundSeconds = 0;
        for (JsonNode h : t.path("history")) {
            roundSeconds += h.path("seconds").asDouble();
        }
        // share of the rounds' wall time (first round included) in which the cores ran no round task: broadcast,
        // scheduling, the driver's averaging, waiting for the slowest partition; round_breakdown splits it
        out.put("idle_core_share_rounds", Math.max(0, 1 - roundTaskNanos.get() / 1e9 / (cores * roundSeconds)));
        out.put("local_steps", t.path("local_steps").asInt());
        out.put("batch_size", t.path("batch_size").asInt());
        out.put("rounds", t.path("rounds").asInt());
        out.put("stopped", t.path("stopped").asText());
        double validation = t.path("validation_task_seconds").asDouble();
        double training = t.path("train_task_seconds").asDouble();
        // the share of the round tasks' time spent scoring validation rows (the rest: training steps)
        out.put("validation_share_of_task_time", validation + training > 0 ? validation / (validation + training) : 0);
        out.set("round_breakdown", roundJobs.breakdown(cores));
        // the same over the whole fit (encoder fitting, encoding, counting and calibration included)
        out.put("idle_core_share_whole_fit", Math.max(0, 1 - taskNanos.get() / 1e9 / (cores * seconds)));
        ArrayNode curve = out.putArray("curve");
        for (JsonNode h : t.path("history")) {
            ObjectNode p = curve.addObject();
            p.put("round", h.path("round").asInt());
            p.put("validation_nll", h.path("validation_nll").asDouble());
        }
        // elapsed time per round from the round count (rounds are of equal work)
        int rounds = t.path("rounds").asInt();
        for (int i = 0; i < curve.size(); i++) {
            ((ObjectNode) curve.get(i)).put("elapsed_seconds", trainingWall * (i + 1) / Math.max(1, rounds));
        }
        new File(outJson).getParentFile().mkdirs();
        JSON.writeValue(new File(outJson), out);
        System.out.println(JSON.writeValueAsString(out));
        spark.stop();
    }

    /**
     * Where the cores' time goes in the round jobs after the first (the first pays one-time costs: JIT, building each
     * thread's trainer), from the listener's job and task times: the tasks' run time (training steps and validation
     * scores), waiting for the slowest task of a round (a synchronous average cannot start before its last partition),
     * and the averaging overhead proper: between a round's job start and its last task's launch, after its last task
     * ends (result transfer, the ordered merge on the driver) and between rounds (the driver's averaging, broadcast of
     * the next parameters, logging). Shares of cores × wall time from the first round job's start to the last one's end.
     */
    static final class RoundJobs {
        private final Map<Integer, long[]> jobTimes = new ConcurrentHashMap<>(); // job → {start, end}
        private final Map<Integer, Integer> stageJob = new ConcurrentHashMap<>();
        private final Map<Integer, java.util.List<long[]>> tasks = new ConcurrentHashMap<>(); // job → {launch, finish, run}

        void stageOf(int job, int stage) {
            stageJob.put(stage, job);
        }

        void start(int job, long time) {
            jobTimes.put(job, new long[]{time, -1});
        }

        void end(int job, long time) {
            long[] t = jobTimes.get(job);
            if (t != null) {
                t[1] = time;
            }
        }

        void task(int stage, long launch, long finish, long runMs) {
            Integer job = stageJob.get(stage);
            if (job != null) {
                tasks.computeIfAbsent(job, j -> java.util.Collections.synchronizedList(new java.util.ArrayList<>()))
                        .add(new long[]{launch, finish, runMs});
            }
        }

        ObjectNode breakdown(int cores) {
            java.util.List<Integer> jobs = new java.util.ArrayList<>(jobTimes.keySet());
            java.util.Collections.sort(jobs);
            ObjectNode out = JSON.createObjectNode();
            if (jobs.size() < 2) {
                out.put("note", "fewer than two rounds");
                return out;
            }
            long start = jobTimes.get(jobs.get(1))[0];
            long end = jobTimes.get(jobs.get(jobs.size() - 1))[1];
            double run = 0;
            double straggler = 0;
            double inJob = 0;
            for (int job : jobs.subList(1, jobs.size())) {
                long[] jt = jobTimes.get(job);
                java.util.List<long[]> ts = tasks.getOrDefault(job, java.util.List.of());
                long lastFinish = jt[0];
                for (long[] t : ts) {
                    lastFinish = Math.max(lastFinish, t[1]);
                }
                for (long[] t : ts) {
                    run += t[2];
                    straggler += lastFinish - t[1];
                }
                inJob += (double) cores * (jt[1] - jt[0]);
            }
            double coreMs = (double) cores * (end - start);
            out.put("rounds", jobs.size() - 1);
            out.put("wall_ms_per_round", (double) (end - start) / (jobs.size() - 1));
            out.put("task_run_share", run / coreMs);
            out.put("waiting_for_slowest_partition_share", straggler / coreMs);
            // in-job time not covered by running or waiting tasks: launch, deserialization, result transfer, merge
            out.put("scheduling_and_result_share", Math.max(0, inJob - run - straggler) / coreMs);
            out.put("driver_between_rounds_share", (coreMs - inJob) / coreMs);
            out.put("averaging_overhead_share", Math.max(0, coreMs - run - straggler) / coreMs);
            return out;
        }
    }

    /**
     * The library's own ceiling on scaling, without Spark: Adam steps per second of the default flow network (DL4J
     * {@code fit} on {@code batch} rows of {@code features} features) on one thread, then on every core at once, each
     * thread with its own network. Spark cannot scale training better than this ratio.
     */
    static void ceiling(int features, int batch, String outJson) throws Exception {
        Dl4jConsole.quiet();
        FlowsynthConfig c = ConfigResolver.resolve(null, null, null, Map.of());
        // the network of a large table (the auto sizes' default for tables of AutoSizing.SMALL_TABLE_ROWS or more)
        FlowSpec spec = c.flow().spec(features, Long.MAX_VALUE, 1);
        String json = FlowNetworks.configuration(spec, new FlowNetworks.Optimizer(1e-3, 5, DataType.FLOAT)).toJson();
        int threads = Runtime.getRuntime().availableProcessors();
        ObjectNode out = JSON.createObjectNode();
        out.put("features", features);
        out.put("batch", batch);
        out.put("threads", threads);
        double one = stepsPerSecond(json, features, batch, 1);
        double all = stepsPerSecond(json, features, batch, threads);
        out.put("steps_per_second_one_thread", one);
        out.put("steps_per_second_all_threads", all);
        out.put("rows_per_second_one_thread", one * batch);
        out.put("rows_per_second_all_threads", all * batch);
        out.put("scaling_efficiency_ceiling", all / (threads * one));
        new File(outJson).getParentFile().mkdirs();
        JSON.writeValue(new File(outJson), out);
        System.out.println(JSON.writeValueAsString(out));
    }

    private static double stepsPerSecond(String json, int features, int batch, int threads) throws Exception {
        return Concurrent.rate(threads, 10, id -> {
            MultiLayerNetwork net = FlowNetworks.network(json);
            Nd4j.getRandom().setSeed(id);
            INDArray x = Nd4j.randn(DataType.FLOAT, batch, features);
            return () -> {
                net.fit(FlowNetworks.dataSet(x));
                return 1;
            };
        });
    }

    private static double peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / 1024.0 / 1024.0;
    }

    static void merge(String[] args) throws Exception {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode runs = out.putArray("runs");
        double target = Double.NEGATIVE_INFINITY;
        for (int i = 2; i < args.length; i++) {
            JsonNode r = JSON.readTree(new File(args[i]));
            if (r.has("scaling_efficiency_ceiling")) {
                out.set("library_ceiling", r);
                continue;
            }
            runs.add(r);
            target = Math.max(target, r.path("best_validation_nll").asDouble());
        }
        target += 0.02;
        out.put("target_validation_nll", target);
        Map<String, Double> timeTo = new LinkedHashMap<>();
        for (JsonNode r : runs) {
            double t = Double.NaN;
            for (JsonNode p : r.path("curve")) {
                // validation NLL in round k is that of the parameters round k started from
                if (p.path("validation_nll").asDouble() <= target) {
                    t = p.path("elapsed_seconds").asDouble();
                    break;
                }
            }
            if (Double.isNaN(t) && r.path("best_validation_nll").asDouble() <= target) {
                t = r.path("training_seconds").asDouble();
            }
            ((ObjectNode) r).put("seconds_to_target", t);
            timeTo.put(r.path("engine").asText() + "@" + r.path("master").asText(), t);
        }
        ObjectNode scaling = out.putObject("scaling_efficiency_1_to_2");
        for (String engine : new String[]{"tree-aggregate", "dl4j-spark"}) {
            JsonNode one = find(runs, engine, "local[1]");
            JsonNode two = find(runs, engine, "local[2]");
            if (one != null && two != null) {
                scaling.put(engine, two.path("rows_per_second").asDouble() / (2 * one.path("rows_per_second").asDouble()));
            }
        }
        ObjectNode ttt = out.putObject("seconds_to_target");
        timeTo.forEach(ttt::put);
        JSON.writeValue(new File(args[1]), out);
        System.out.println(JSON.writeValueAsString(out));
    }

    private static JsonNode find(ArrayNode runs, String engine, String master) {
        for (JsonNode r : runs) {
            if (r.path("engine").asText().equals(engine) && r.path("master").asText().equals(master)) {
                return r;
            }
        }
        return null;
    }
}
