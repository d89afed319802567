package io.flowsynth.spark.io;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import io.flowsynth.error.BadInputException;
import io.flowsynth.flow.nn.MemoryExhaustedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an input table: a Parquet file or directory, or a CSV file or directory with a header row.
 *
 * <p>CSV is read so that nothing about the user's data changes silently:
 * <ul>
 *   <li>Types are inferred by Spark, except that a column inferred as a number whose text would not survive the
 *       number is kept as {@code STRING}: digit strings with leading zeros (zip codes, account numbers) and digit
 *       strings longer than 18 digits (card numbers, long ids). {@code --schema "col TYPE, ..."} (Spark DDL) fixes
 *       the type of any column.</li>
 *   <li>Rows with too many or too few fields: {@code failfast} (default) refuses the input naming the file and the
 *       first bad line; {@code permissive} keeps them (missing fields null, extra fields dropped) and
 *       {@code dropmalformed} drops them, both with a warning counting them.</li>
 *   <li>Bytes that are not UTF-8 are replaced by U+FFFD (Spark's decoding), with one warning naming the first such
 *       line.</li>
 *   <li>Column names equal but for case ({@code a} and {@code A}) are refused: Spark resolves names without case,
 *       so the two could not be told apart (and Spark would rename them {@code a0}, {@code A1}).</li>
 * </ul>
 * Checking the rows costs one pass over the CSV beside Spark's own type inference.
 */
public final class TableReader {
    private static final Logger LOG = LoggerFactory.getLogger(TableReader.class);
    private static final String CORRUPT = "_flowsynth_corrupt_record";
    private static final String FILE = "_flowsynth_file";
    /** Longest digit string kept as a number: every 18-digit integer fits a long exactly. */
    static final int MAX_NUMERIC_DIGITS = 18;

    /** How CSV rows with the wrong number of fields are handled. */
    public enum CsvMode {
        FAILFAST, PERMISSIVE, DROPMALFORMED;

        public static CsvMode parse(String s) {
            if (s == null) {
                return FAILFAST;
            }
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("Option --csv-mode: expected failfast, permissive or dropmalformed, got '"
                        + s + "'");
            }
        }
    }

    /**
     * How to read a CSV input.
     *
     * @param mode   rows with the wrong number of fields
     * @param schema Spark DDL fixing the types of some columns ({@code "zip STRING, amount DECIMAL(12,2)"}), or null
     */
    public record CsvOptions(CsvMode mode, String schema) {
        public static final CsvOptions DEFAULT = new CsvOptions(CsvMode.FAILFAST, null);
    }

    private TableReader() {
    }

    /**
     * @param format "parquet", "csv", or null to infer from the path (a name ending in .csv means CSV)
     */
    public static Dataset<Row> read(SparkSession spark, String path, String format) {
        return read(spark, path, format, CsvOptions.DEFAULT);
    }

    public static Dataset<Row> read(SparkSession spark, String path, String format, CsvOptions csv) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        HadoopFiles.requireExists(path, "Input", conf);
        String f = format == null ? (path.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "parquet")
                : format.toLowerCase(Locale.ROOT);
        if (!f.equals("parquet") && !f.equals("csv")) {
            throw new BadInputException("Option --format: expected parquet or csv, got '" + format + "'");
        }
        if (csv.schema() != null && f.equals("parquet")) {
            throw new BadInputException("Option --schema applies to CSV input; " + path + " is read as Parquet "
                    + "(its types come from the file)");
        }
        if (f.equals("parquet")) {
            requireParquet(path, format == null, conf);
        }
        MemoryExhaustedException.working("reading " + path + " as " + f);
        try {
            Dataset<Row> df = f.equals("parquet") ? spark.read().parquet(path) : readCsv(spark, path, csv, conf);
            MemoryExhaustedException.working("processing " + path + " (" + df.schema().fields().length + " columns)");
            if (df.schema().fields().length == 0) {
                throw new BadInputException("Input " + path + " has no columns");
            }
            requireDistinctNames(df.schema().fieldNames(), path);
            return df;
        } catch (BadInputException e) {
            throw e;
        } catch (Exception e) {
            // Spark reports unreadable or malformed input as AnalysisException (declared by no Java signature)
            // or as a SparkException from the schema-inference job.
            if (e instanceof AnalysisException || e.getCause() instanceof AnalysisException
                    || e.getClass().getName().contains("SparkException")) {
                throw new BadInputException("Cannot read input " + path + " as " + f + ": " + firstLine(e.getMessage()));
            }
            throw e;
        }
    }

    /** Refuses column names that are equal ignoring case, naming both. */
    static void requireDistinctNames(String[] names, String path) {
        Map<String, String> seen = new HashMap<>();
        for (String n : names) {
            String prev = seen.putIfAbsent(n.toLowerCase(Locale.ROOT), n);
            if (prev != null) {
                throw new BadInputException("Input " + path + " has columns '" + prev + "' and '" + n + "', whose names "
                        + "differ only by case; Spark resolves column names without case, so rename one of them");
            }
        }
    }

    private static Dataset<Row> readCsv(SparkSession spark, String path, CsvOptions csv, Configuration conf) {
        String[] header = header(spark, path);
        requireDistinctNames(header, path);
        StructType overrides = parseSchema(csv.schema());
        for (StructField o : overrides.fields()) {
            if (java.util.Arrays.stream(header).noneMatch(h -> h.equals(o.name()))) {
                throw new BadInputException("Option --schema: column '" + o.name() + "' is not in the header of "
                        + path + " (columns: " + String.join(", ", header) + ")");
            }
        }
        StructType inferred = spark.read().option("header", "true").option("inferSchema", "true").csv(path).schema();
        StructType text = new StructType();
        for (StructField fld : inferred.fields()) {
            text = text.add(fld.name(), DataTypes.StringType, true);
        }
        text = text.add(CORRUPT, DataTypes.StringType, true);
        Dataset<Row> raw = spark.read().option("header", "true").option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT).schema(text).csv(path)
                .withColumn(FILE, functions.input_file_name());

        // One pass: malformed rows, the first row with U+FFFD, and per numeric column whether its text needs STRING.
        List<Column> aggs = new ArrayList<>();
        aggs.add(functions.count(functions.col(CORRUPT)));
        Column anyReplacement = functions.lit(false);
        for (StructField fld : inferred.fields()) {
            anyReplacement = anyReplacement.or(functions.coalesce(q(fld.name()).contains("\uFFFD"), functions.lit(false)));
        }
        aggs.add(functions.max(functions.when(anyReplacement, functions.col(FILE))));
        List<String> numeric = new ArrayList<>();
        for (StructField fld : inferred.fields()) {
            if (isNumber(fld.dataType()) && overrides.getFieldIndex(fld.name()).isEmpty()) {
                numeric.add(fld.name());
                Column t = functions.trim(q(fld.name()));
                aggs.add(functions.max(functions.when(t.rlike("^[+-]?0[0-9]")
                        .or(t.rlike("^[+-]?[0-9]{" + (MAX_NUMERIC_DIGITS + 1) + ",}$")), 1).otherwise(0)));
            }
        }
        Row r = raw.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
        long malformed = r.getLong(0);
        if (malformed > 0) {
            switch (csv.mode()) {
                case FAILFAST -> throw new BadInputException(firstMalformed(path, header.length, conf)
                        + " (" + malformed + " such rows; pass --csv-mode permissive to keep them with missing "
                        + "fields as null, or --csv-mode dropmalformed to drop them)");
                case PERMISSIVE -> LOG.warn("Input {}: kept {} rows with too many or too few fields (missing fields "
                        + "null, extra fields dropped; --csv-mode permissive)", path, malformed);
                case DROPMALFORMED -> LOG.warn("Input {}: dropped {} rows with too many or too few fields "
                        + "(--csv-mode dropmalformed)", path, malformed);
            }
        }
        if (!r.isNullAt(1)) {
            LOG.warn("Input {}: bytes that are not UTF-8 were replaced by U+FFFD ('\uFFFD'), first in {}; convert the "
                    + "file to UTF-8 to keep them", path, firstNonUtf8(r.getString(1), conf));
        }
        StructType schema = new StructType();
        for (StructField fld : inferred.fields()) {
            DataType type = fld.dataType();
            int idx = numeric.indexOf(fld.name());
            if (overrides.getFieldIndex(fld.name()).isDefined()) {
                type = overrides.apply(fld.name()).dataType();
            } else if (idx >= 0 && r.getInt(2 + idx) == 1) {
                LOG.info("Input {}: column '{}' is kept as text (leading zeros or more than {} digits would not "
                        + "survive a number)", path, fld.name(), MAX_NUMERIC_DIGITS);
                type = DataTypes.StringType;
            }
            schema = schema.add(fld.name(), type, true);
        }
        return spark.read().option("header", "true").option("mode", csv.mode().name()).schema(schema).csv(path);
    }

    private static Column q(String name) {
        return functions.col("`" + name.replace("`", "``") + "`");
    }

    private static boolean isNumber(DataType t) {
        return t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType) || t.equals(DataTypes.DoubleType)
                || t instanceof DecimalType;
    }

    private static StructType parseSchema(String ddl) {
        if (ddl == null || ddl.isBlank()) {
            return new StructType();
        }
        try {
            return StructType.fromDDL(ddl);
        } catch (RuntimeException e) {
            throw new BadInputException("Option --schema: not a Spark DDL column list like \"zip STRING, amount "
                    + "DECIMAL(12,2)\": " + firstLine(e.getMessage()));
        }
    }

    /** The header's column names as written (Spark would rename duplicates). */
    private static String[] header(SparkSession spark, String path) {
        List<Row> first = spark.read().option("header", "false").csv(path).limit(1).collectAsList();
        if (first.isEmpty()) {
            throw new BadInputException("Input " + path + " is empty (a CSV needs a header row)");
        }
        Row h = first.get(0);
        String[] names = new String[h.length()];
        for (int i = 0; i < names.length; i++) {
            names[i] = h.isNullAt(i) ? "_c" + i : h.getString(i);
        }
        return names;
    }

    /** "Input FILE line N has K fields; the header has H" for the first malformed row (found by a scan on the driver). */
    private static String firstMalformed(String path, int expected, Configuration conf) {
        for (Path file : csvFiles(path, conf)) {
            CsvParserSettings settings = new CsvParserSettings();
            settings.getFormat().setDelimiter(',');
            settings.getFormat().setQuote('"');
            settings.getFormat().setQuoteEscape('\\');
            settings.setLineSeparatorDetectionEnabled(true);
            settings.setMaxCharsPerColumn(-1);
            settings.setMaxColumns(Math.max(512, 2 * expected + 2));
            settings.setSkipEmptyLines(true);
            CsvParser parser = new CsvParser(settings);
            try (InputStream in = HadoopFiles.fs(file.toString(), conf).open(file);
                 Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                parser.beginParsing(reader);
                boolean isHeader = true;
                String[] row;
                while ((row = parser.parseNext()) != null) {
                    if (isHeader) {
                        isHeader = false;
                        continue;
                    }
                    if (row.length != expected) {
                        long line = parser.getContext().currentLine();
                        parser.stopParsing();
                        return "Input " + file + " line " + line + " has " + row.length + " fields; the header has "
                                + expected;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file, e);
            }
        }
        return "Input " + path + " has rows with too many or too few fields";
    }

    /** "FILE line N" of the first line of {@code file} that is not valid UTF-8. */
    private static String firstNonUtf8(String fileUri, Configuration conf) {
        Path file = new Path(fileUri);
        try (InputStream in = HadoopFiles.fs(fileUri, conf).open(file)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long n = 1;
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    if (!validUtf8(line.toByteArray())) {
                        return fileUri + " line " + n;
                    }
                    line.reset();
                    n++;
                } else {
                    line.write(b);
                }
            }
            return fileUri + (validUtf8(line.toByteArray()) ? "" : " line " + n);
        } catch (IOException e) {
            return fileUri;
        }
    }

    private static boolean validUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Most data files whose magic bytes are checked on the driver before Spark reads a Parquet input. */
    static final int MAX_MAGIC_CHECKS = 1000;
    private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    /**
     * Refuses, on the driver and before any Spark job, a Parquet input whose data files do not start and end with
     * Parquet's magic bytes {@code PAR1} (a text file named {@code x.parquet}, an empty or truncated file), naming the
     * file and what it starts with. Spark would fail inside a task, logging an ERROR and stack frames per attempt. A
     * directory's visible files are checked recursively (partition directories included, names starting with
     * {@code _} or {@code .} skipped as Spark does), at most {@link #MAX_MAGIC_CHECKS} of them in name order.
     */
    static void requireParquet(String path, boolean formatInferred, Configuration conf) {
        List<org.apache.hadoop.fs.FileStatus> files = new ArrayList<>();
        try {
            org.apache.hadoop.fs.FileSystem fs = HadoopFiles.fs(path, conf);
            Path root = new Path(path);
            org.apache.hadoop.fs.FileStatus top = fs.getFileStatus(root);
            if (top.isFile()) {
                files.add(top);
            } else {
                collectVisible(fs, root, files);
                files.sort(null);
            }
            String rootPath = fs.makeQualified(root).toUri().getPath();
            for (org.apache.hadoop.fs.FileStatus st : files.subList(0, Math.min(files.size(), MAX_MAGIC_CHECKS))) {
                String file = st.getPath().toUri().getPath();
                String name = top.isFile() ? path : file.startsWith(rootPath)
                        ? path.replaceAll("/+$", "") + file.substring(rootPath.replaceAll("/+$", "").length())
                        : st.getPath().toString();
                checkMagic(fs, st, name, formatInferred);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + path, e);
        }
    }

    private static void collectVisible(org.apache.hadoop.fs.FileSystem fs, Path dir,
                                       List<org.apache.hadoop.fs.FileStatus> out) throws IOException {
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(dir)) {
            String n = st.getPath().getName();
            if (n.startsWith(".") || n.startsWith("_")) {
                continue;
            }
            if (st.isDirectory()) {
                collectVisible(fs, st.getPath(), out);
            } else {
                out.add(st);
            }
        }
    }

    private static void checkMagic(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.FileStatus st, String name,
                                   boolean formatInferred) throws IOException {
        long length = st.getLen();
        String hint = formatInferred ? "; for a CSV file give --format csv" : "";
        if (length == 0) {
            throw new BadInputException(name + " is not a Parquet file (it is empty)");
        }
        byte[] head = new byte[(int) Math.min(4, length)];
        byte[] tail = new byte[4];
        try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(st.getPath())) {
            in.readFully(0, head);
            if (!java.util.Arrays.equals(head, PARQUET_MAGIC)) {
                throw new BadInputException(name + " is not a Parquet file (it starts with \"" + printable(head) + "\")"
                        + hint);
            }
            if (length < 12) {
                throw new BadInputException(name + " is not a complete Parquet file (" + length + " bytes: too short "
                        + "for a footer); it may be truncated");
            }
            in.readFully(length - 4, tail);
        }
        if (!java.util.Arrays.equals(tail, PARQUET_MAGIC)) {
            throw new BadInputException(name + " is not a complete Parquet file (it does not end with PAR1, ends with \""
                    + printable(tail) + "\"); it may be truncated or still being written");
        }
    }

    /** Bytes as text, non-printable ones as \xNN. */
    static String printable(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b.append((char) c);
            } else {
                b.append(String.format(Locale.ROOT, "\\x%02x", c));
            }
        }
        return b.toString();
    }

    /** The CSV files of a path (a file, or the visible files of a directory), in name order. */
    private static List<Path> csvFiles(String path, Configuration conf) {
        try {
            org.apache.hadoop.fs.FileSystem fs = HadoopFiles.fs(path, conf);
            Path p = new Path(path);
            List<Path> out = new ArrayList<>();
            if (fs.getFileStatus(p).isFile()) {
                out.add(p);
            } else {
                for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(p)) {
                    String n = st.getPath().getName();
                    if (st.isFile() && !n.startsWith(".") && !n.startsWith("_")) {
                        out.add(st.getPath());
                    }
                }
                out.sort(null);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + path, e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
