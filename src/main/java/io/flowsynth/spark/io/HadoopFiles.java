package io.flowsynth.spark.io;

import io.flowsynth.config.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files through the Hadoop FileSystem API, so every path may be a Hadoop URI ({@code file:}, {@code hdfs:},
 * {@code s3a:} …) or a plain local path. Directories are committed atomically: written under a hidden staging
 * sibling, then renamed into place; on failure the staging directory is removed.
 */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    public static FileSystem fs(String path, Configuration conf) {
        try {
            return new Path(path).getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the file system of " + path, e);
        }
    }

    public static boolean exists(String path, Configuration conf) {
        try {
            return fs(path, conf).exists(new Path(path));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check " + path, e);
        }
    }

    /** Fails with exit-code-2 input errors when {@code path} is missing. */
    public static void requireExists(String path, String what, Configuration conf) {
        if (!exists(path, conf)) {
            throw new BadInputException(what + " does not exist: " + path);
        }
    }

    /** Refuses an existing output unless {@code overwrite}. */
    public static void checkOutput(String path, String option, boolean overwrite, Configuration conf) {
        if (exists(path, conf) && !overwrite) {
            throw new BadInputException("Output " + option + " " + path + " already exists (pass --overwrite to replace it)");
        }
    }

    public static String stagingPath(String path) {
        Path p = new Path(path);
        return new Path(p.getParent(), "." + p.getName() + ".flowsynth-staging-" + UUID.randomUUID()).toString();
    }

    /** Moves a finished staging directory to {@code path}, replacing what is there when {@code overwrite}. */
    public static void commit(String staging, String path, boolean overwrite, Configuration conf) {
        FileSystem fs = fs(path, conf);
        Path target = new Path(path);
        try {
            if (fs.exists(target)) {
                if (!overwrite) {
                    throw new BadInputException("Output " + path + " already exists (pass --overwrite to replace it)");
                }
                if (!fs.delete(target, true)) {
                    throw new IOException("delete returned false");
                }
            }
            if (target.getParent() != null) {
                fs.mkdirs(target.getParent());
            }
            if (!fs.rename(new Path(staging), target)) {
                throw new IOException("rename of " + staging + " returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to commit output " + path, e);
        }
    }

    public static void deleteQuietly(String path, Configuration conf) {
        try {
            fs(path, conf).delete(new Path(path), true);
        } catch (IOException | RuntimeException ignored) {
            // best effort: staging left-overs are hidden and named as such
        }
    }

    public static void writeString(String path, String text, Configuration conf) {
        writeBytes(path, text.getBytes(StandardCharsets.UTF_8), conf);
    }

    public static void writeBytes(String path, byte[] bytes, Configuration conf) {
        try (OutputStream out = fs(path, conf).create(new Path(path), true)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to write " + path, e);
        }
    }

    public static String readString(String path, Configuration conf) {
        return new String(readBytes(path, conf), StandardCharsets.UTF_8);
    }

    public static byte[] readBytes(String path, Configuration conf) {
        try (InputStream in = fs(path, conf).open(new Path(path))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to read " + path, e);
        }
    }
}
