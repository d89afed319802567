package io.flowsynth.spark.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.error.BadInputException;
import io.flowsynth.spark.SharedSparkSession;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Parquet input that is not Parquet is refused on the driver, before Spark reads it, with one line that says what
 * is wrong (issue 25: a text file named x.parquet failed inside a Spark task, with 115 lines of ERROR log and stack
 * frames and "Cannot read input x.parquet as parquet: Job aborted due to stage failure: …").
 */
class ParquetMagicTest {
    @TempDir
    Path dir;

    private static SparkSession spark() {
        return SharedSparkSession.get();
    }

    @Test
    void aTextFileNamedParquetIsRefusedNamingWhatItStartsWith() throws Exception {
        Path x = dir.resolve("x.parquet");
        Files.writeString(x, "not a parquet file\n1,2\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TableReader.read(spark(), x.toString(), null))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(x + " is not a Parquet file (it starts with \"not \")")
                .hasMessageContaining("--format csv");
        // the format was given: no hint to change it
        assertThatThrownBy(() -> TableReader.read(spark(), x.toString(), "parquet"))
                .hasMessage(x + " is not a Parquet file (it starts with \"not \")");
    }

    @Test
    void emptyBinaryAndTruncatedFilesAreRefusedAndAGoodDirectoryIsRead() throws Exception {
        Path empty = dir.resolve("empty.parquet");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> TableReader.read(spark(), empty.toString(), "parquet"))
                .isInstanceOf(BadInputException.class).hasMessage(empty + " is not a Parquet file (it is empty)");

        Path binary = dir.resolve("gz.parquet");
        Files.write(binary, new byte[]{0x1f, (byte) 0x8b, 0x08, 0x00, 1, 2, 3});
        assertThatThrownBy(() -> TableReader.read(spark(), binary.toString(), "parquet"))
                .hasMessage(binary + " is not a Parquet file (it starts with \"\\x1f\\x8b\\x08\\x00\")");

        Path good = dir.resolve("good");
        spark().range(10).toDF("id").coalesce(1).write().parquet(good.toString());
        assertThat(TableReader.read(spark(), good.toString(), null).count()).isEqualTo(10);

        // the same directory with its data file cut short: named inside the directory
        Path part;
        try (var files = Files.list(good)) {
            part = files.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
            f.setLength(f.length() - 10);
        }
        Files.deleteIfExists(part.resolveSibling("." + part.getFileName() + ".crc"));
        assertThatThrownBy(() -> TableReader.read(spark(), good.toString(), null))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(good + "/" + part.getFileName() + " is not a complete Parquet file (it does "
                        + "not end with PAR1");
    }
}
