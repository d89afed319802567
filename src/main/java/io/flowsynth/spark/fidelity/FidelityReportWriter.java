package io.flowsynth.spark.fidelity;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.fidelity.FidelityReport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes and reads {@code <dir>/fidelity.json} (pretty-printed {@link FidelityReport#toJson()}) through the Hadoop
 * FileSystem API, so {@code file:}, {@code hdfs:} and {@code s3a:} directories all work. The report is derived data
 * that a rerun recomputes, so an existing {@code fidelity.json} is replaced; the directory is created if needed.
 */
public final class FidelityReportWriter {
    public static final String FILE_NAME = "fidelity.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private FidelityReportWriter() {
    }

    public static void write(FidelityReport report, String dir, Configuration conf) {
        Path path = new Path(dir, FILE_NAME);
        try {
            byte[] bytes = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(report.toJson());
            FileSystem fs = path.getFileSystem(conf);
            fs.mkdirs(path.getParent());
            try (FSDataOutputStream out = fs.create(path, true)) {
                out.write(bytes);
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to write fidelity report: " + path, e);
        }
    }

    /** Reads a report written by {@link #write}. */
    public static FidelityReport read(String dir, Configuration conf) {
        Path path = new Path(dir, FILE_NAME);
        try {
            FileSystem fs = path.getFileSystem(conf);
            try (FSDataInputStream in = fs.open(path)) {
                return FidelityReport.fromJson(MAPPER.readTree(in));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to read fidelity report: " + path, e);
        }
    }
}
