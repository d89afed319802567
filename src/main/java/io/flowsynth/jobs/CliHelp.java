package io.flowsynth.jobs;

import io.flowsynth.config.ConfigKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-command help of the CLI ({@code jobs/flowsynth COMMAND --help}): every option with its default and one
 * line of meaning, and the configuration keys the command reads. Plain text, no Spark: printed before any session.
 */
final class CliHelp {
    /** One option: {@code --name VALUE}, its default ("" for none, "required" for a required option) and meaning. */
    record Option(String name, String value, String fallback, String meaning) {
        boolean flag() {
            return value.isEmpty();
        }
    }

    private static final Option CONF = new Option("conf", "FILE", "none",
            "job configuration file (key = value lines) over conf/flowsynth-defaults.conf");
    private static final Option SET = new Option("set", "KEY=VALUE", "none",
            "one configuration key, over --conf and the defaults; may repeat");
    private static final Option MASTER = new Option("master", "URL", "$FLOWSYNTH_MASTER, else spark-submit's, else local[*]",
            "Spark master");
    private static final Option OVERWRITE = new Option("overwrite", "", "off",
            "replace an existing output (it is swapped in only after the new one is complete)");
    private static final Option FORMAT = new Option("format", "parquet|csv", "csv for a path ending in .csv, else parquet",
            "format of the input table");
    private static final Option CSV_MODE = new Option("csv-mode", "failfast|permissive|dropmalformed", "failfast",
            "what a malformed CSV line does: stop with its line number, become nulls, or be dropped");
    private static final Option SCHEMA = new Option("schema", "\"col TYPE, ...\"", "inferred from the data (the header row names the columns)",
            "column names and Spark SQL types of a CSV input");
    private static final Option FAIL_UNDER = new Option("fail-under", "GATES", "none",
            "exit 3 when a gate is missed, after writing the report: name=value,... with quality, column-shapes, "
                    + "column-pair-trends, dcr-overfit (minimums) and exact-copy-rate (a maximum)");

    private static final Map<String, List<Option>> OPTIONS = new LinkedHashMap<>();
    private static final Map<String, String> SUMMARY = new LinkedHashMap<>();
    /** Key prefixes (or whole keys) of the configuration each command reads. */
    private static final Map<String, List<String>> KEYS = new LinkedHashMap<>();

    static {
        SUMMARY.put("fit", "fit column encoders and a normalizing flow to a table and save the model directory");
        OPTIONS.put("fit", List.of(
                new Option("input", "PATH", "required", "the training table (Parquet or CSV; any Hadoop path)"),
                new Option("model", "DIR", "required", "where to save the model (refused if it exists, see --overwrite)"),
                FORMAT, CONF, SET, MASTER, CSV_MODE, SCHEMA, OVERWRITE,
                new Option("resume", "", "off", "continue from DIR.checkpoint, left by an interrupted fit")));
        KEYS.put("fit", List.of("flowsynth.seed", "flowsynth.flow.", "flowsynth.train.", "flowsynth.encode.",
                "flowsynth.fit.", ConfigKeys.PRIVACY_EXTREME_K, ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES,
                ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT, ConfigKeys.COLUMNS_PREFIX + "<column>.kind|encoder"));

        SUMMARY.put("sample", "draw synthetic rows from a model and write them as Parquet (plus _flowsynth.json)");
        OPTIONS.put("sample", List.of(
                new Option("model", "DIR", "required", "a model directory written by fit or run"),
                new Option("rows", "N", "required (not with --condition)", "number of rows to write"),
                new Option("output", "PATH", "required unless --output-table", "where to write the Parquet table"),
                new Option("output-table", "DB.NAME", "none", "write to a catalog table instead of --output"),
                new Option("seed", "S", "random, logged and written to _flowsynth.json",
                        "random seed: same seed and partitions give the same rows"),
                new Option("partitions", "P", "rows × row size / flowsynth.sample.target-file-mb",
                        "number of output files (and tasks)"),
                new Option("temperature", "T", "1.0", "scale of the base noise, in (0, 10]: below 1 gives typical rows"),
                new Option("partition-by", "COL,...", "none", "Hive-style directory layout by these columns"),
                new Option("real", "PATH", "none",
                        "the training rows: turns on the exact-copy guard (synthetic rows equal to a real row are redrawn)"),
                new Option("condition", "PATH", "none", "conditional model: a table (Parquet/CSV) of the condition "
                        + "columns; one synthetic row per condition row, its context copied exactly"),
                new Option("rows-per-condition", "K", "1", "with --condition: synthetic rows per condition row"),
                new Option("where", "\"COL = VALUE, ...\"", "none", "conditional model: --rows N rows, all with "
                        + "these values of the condition columns (every condition column once)"),
                new Option("allow-unseen", "", "off", "with --condition/--where: accept a rare or unseen category, or a value "
                        + "beyond the protected range, instead of exit 2 (it is copied into the output)"),
                CONF, SET, MASTER, OVERWRITE));
        KEYS.put("sample", List.of("flowsynth.sample.", ConfigKeys.PRIVACY_DROP_EXACT_COPIES,
                ConfigKeys.PRIVACY_COPY_REDRAWS));

        SUMMARY.put("report", "compare a synthetic table with the real one: fidelity.json and an index.html page");
        OPTIONS.put("report", List.of(
                new Option("real", "PATH", "required", "the real table"),
                new Option("synthetic", "PATH", "required", "the synthetic table"),
                new Option("output", "DIR", "required", "report directory (fidelity.json, index.html)"),
                new Option("model", "DIR", "none", "the model: adds its training figures and column kinds"),
                new Option("holdout", "PATH", "none",
                        "real rows the model never saw: enables the overfitting (DCR) and attack-risk checks"),
                new Option("condition-columns", "COL,...", ConfigKeys.CONDITION_COLUMNS + ", else none",
                        "per-condition fidelity: quality of the rows of each of the most frequent values of these "
                                + "columns (\"\" = none)"),
                FAIL_UNDER, FORMAT, CSV_MODE, SCHEMA, CONF, SET, MASTER, OVERWRITE));
        KEYS.put("report", List.of("flowsynth.seed", "flowsynth.report.max-rows", "flowsynth.report.privacy-rows",
                "flowsynth.report.attack-targets", ConfigKeys.CONDITION_COLUMNS, ConfigKeys.REPORT_CONDITION_TOP,
                ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT + " (context values named)"));

        SUMMARY.put("run", "fit, sample and report in one job: DIR/model, DIR/synthetic, DIR/report");
        OPTIONS.put("run", List.of(
                new Option("input", "PATH", "required", "the real table"),
                new Option("output", "DIR", "required", "job directory: model/, synthetic/, report/"),
                new Option("rows", "N", "as many as the input has", "synthetic rows to write"),
                FAIL_UNDER, FORMAT, CSV_MODE, SCHEMA, CONF, SET, MASTER, OVERWRITE));
        KEYS.put("run", List.of("flowsynth. (every key: fit, sample and report)"));

        SUMMARY.put("score", "write the input rows with their log density under the model (column log_prob)");
        OPTIONS.put("score", List.of(
                new Option("model", "DIR", "required", "a model directory"),
                new Option("input", "PATH", "required", "rows to score (same columns as the training table)"),
                new Option("output", "PATH", "required", "where to write the Parquet table with log_prob"),
                FORMAT, CSV_MODE, SCHEMA, CONF, SET, MASTER, OVERWRITE));
        KEYS.put("score", List.of("flowsynth.seed (dequantization noise of discrete columns)"));

        SUMMARY.put("generate-demo", "write a demo table (made-up rows) to try flowsynth on");
        OPTIONS.put("generate-demo", List.of(
                new Option("output", "PATH", "required", "where to write the Parquet table"),
                new Option("rows", "N", "50000", "number of rows"),
                new Option("seed", "S", "2024", "random seed"),
                new Option("table", "loans|retail|sensors", "loans", "which demo table"),
                MASTER, OVERWRITE));
        KEYS.put("generate-demo", List.of());

        SUMMARY.put("config", "print every configuration key with its resolved value and where it came from "
                + "(default, the site file conf/flowsynth-defaults.conf, --conf FILE or --set); starts no Spark");
        OPTIONS.put("config", List.of(CONF, SET));
        KEYS.put("config", List.of());
    }

    private CliHelp() {
    }

    static Map<String, List<Option>> options() {
        return OPTIONS;
    }

    /** The help text of {@code command}. */
    static String command(String command) {
        StringBuilder b = new StringBuilder();
        b.append("usage: flowsynth ").append(command);
        for (Option o : OPTIONS.get(command)) {
            boolean required = o.fallback().equals("required");
            String text = "--" + o.name() + (o.flag() ? "" : " " + o.value());
            b.append(' ').append(required ? text : "[" + text + "]");
        }
        b.append("\n  ").append(SUMMARY.get(command)).append("\n\noptions:\n");
        int width = OPTIONS.get(command).stream().mapToInt(o -> o.name().length() + o.value().length() + 3).max()
                .orElse(10);
        for (Option o : OPTIONS.get(command)) {
            String text = "--" + o.name() + (o.flag() ? "" : " " + o.value());
            b.append("  ").append(text).append(" ".repeat(Math.max(1, width - text.length() + 1)))
                    .append(o.meaning()).append(o.fallback().startsWith("required") ? " (" + o.fallback() + ")"
                            : " (default: " + o.fallback() + ")").append('\n');
        }
        List<String> keys = KEYS.get(command);
        if (!keys.isEmpty()) {
            b.append("\nconfiguration keys read (see conf/flowsynth-defaults.conf; show resolved values with\n"
                    + "flowsynth config [--conf FILE] [--set key=value]...):\n");
            for (String k : keys) {
                b.append("  ").append(k.endsWith(".") ? k + "*" : k).append('\n');
            }
        }
        b.append("\nexit codes: 0 ok, 2 bad usage or input (one line naming it), 1 other failure");
        if (command.equals("report") || command.equals("run")) {
            b.append(", 3 a --fail-under gate was missed (outputs written first)");
        }
        return b.append('\n').toString();
    }
}
