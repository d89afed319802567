package io.flowsynth.spark.io;

import io.flowsynth.error.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files through the Hadoop FileSystem API, so every path may be a Hadoop URI ({@code file:}, {@code hdfs:},
 * {@code s3a:} …) or a plain local path. Directories are committed atomically: written under a hidden staging
 * sibling, then renamed into place; on failure the staging directory is removed.
 */
public final class HadoopFiles {
    private static final Logger LOG = LoggerFactory.getLogger(HadoopFiles.class);

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

    /**
     * Refuses an existing output unless {@code overwrite}, after cleaning up what killed runs left beside it (see
     * {@link #cleanStale}).
     */
    public static void checkOutput(String path, String option, boolean overwrite, Configuration conf) {
        cleanStale(path, conf);
        if (exists(path, conf) && !overwrite) {
            throw new BadInputException("Output " + option + " " + path + " already exists (pass --overwrite to replace it)");
        }
    }

    private static final String STAGING = ".flowsynth-staging-";
    private static final String REPLACED = ".flowsynth-replaced-";
    /** A staging or replaced directory of another host, or of an unknown owner, counts as stale after this. */
    static final long FOREIGN_STALE_MILLIS = 24L * 3600 * 1000;

    /**
     * A hidden sibling of {@code path} to write into before {@link #commit}: {@code .NAME.flowsynth-staging-OWNER},
     * where OWNER names this host and process, so a later run can tell a dead run's left-overs from a live one's.
     */
    public static String stagingPath(String path) {
        return sibling(path, STAGING);
    }

    private static String sibling(String path, String kind) {
        Path p = new Path(path);
        return new Path(p.getParent(), "." + p.getName() + kind + owner() + "~" + UUID.randomUUID()).toString();
    }

    /** {@code host~pid}: who writes a staging directory (host names contain no '~'). */
    private static String owner() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown";
        }
        return host.replace('~', '-') + "~" + ProcessHandle.current().pid();
    }

    /**
     * Moves a finished staging directory to {@code path}. With {@code overwrite} an existing output is first renamed
     * aside ({@code .NAME.flowsynth-replaced-OWNER}), the staging directory renamed into place, and only then the old
     * output deleted: a run killed at any point leaves either the old or the new output (a killed run's renamed-aside
     * output is put back by the next command on the same path, see {@link #cleanStale}).
     */
    public static void commit(String staging, String path, boolean overwrite, Configuration conf) {
        FileSystem fs = fs(path, conf);
        Path target = new Path(path);
        Path aside = null;
        try {
            if (fs.exists(target)) {
                if (!overwrite) {
                    throw new BadInputException("Output " + path + " already exists (pass --overwrite to replace it)");
                }
                aside = new Path(sibling(path, REPLACED));
                if (!fs.rename(target, aside)) {
                    throw new IOException("rename of the old output to " + aside + " returned false");
                }
            }
            if (target.getParent() != null) {
                fs.mkdirs(target.getParent());
            }
            if (!fs.rename(new Path(staging), target)) {
                if (aside != null && !fs.exists(target)) {
                    fs.rename(aside, target);
                }
                throw new IOException("rename of " + staging + " returned false");
            }
            if (aside != null && !fs.delete(aside, true)) {
                LOG.warn("Could not delete the replaced output {} (delete it by hand)", aside);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to commit output " + path, e);
        }
    }

    /**
     * Cleans what killed runs left beside {@code path}: staging directories whose writer is gone are deleted, and an
     * output that a killed {@code --overwrite} had renamed aside is put back when {@code path} is missing (else
     * deleted). A writer is gone when it ran on this host and its process no longer exists, or, for another host's
     * (or an unknown writer's) directory, when it has not been modified for 24 hours.
     */
    public static void cleanStale(String path, Configuration conf) {
        Path target = new Path(path);
        Path parent = target.getParent();
        if (parent == null) {
            return;
        }
        try {
            FileSystem fs = fs(path, conf);
            if (!fs.exists(parent)) {
                return;
            }
            String prefix = "." + target.getName();
            for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(parent)) {
                String name = st.getPath().getName();
                boolean staging = name.startsWith(prefix + STAGING);
                boolean replaced = name.startsWith(prefix + REPLACED);
                if ((!staging && !replaced) || !isStale(name.substring(prefix.length()
                        + (staging ? STAGING : REPLACED).length()), st.getModificationTime())) {
                    continue;
                }
                if (replaced && !fs.exists(target)) {
                    if (fs.rename(st.getPath(), target)) {
                        LOG.warn("Restored {} from {}, left by a killed --overwrite", path, name);
                    }
                } else if (fs.delete(st.getPath(), true)) {
                    LOG.info("Removed {} left beside {} by a killed run", name, path);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not clean up stale staging beside {}: {}", path, e.getMessage());
        }
    }

    /** @param owner what follows the kind in the name: {@code host~pid~uuid} (older names: a bare uuid) */
    private static boolean isStale(String owner, long modified) {
        String[] parts = owner.split("~");
        if (parts.length == 3 && parts[0].equals(owner().split("~")[0])) {
            try {
                return ProcessHandle.of(Long.parseLong(parts[1])).map(h -> !h.isAlive()).orElse(true);
            } catch (NumberFormatException e) {
                // not a name this version wrote: the age rule decides
            }
        }
        return System.currentTimeMillis() - modified > FOREIGN_STALE_MILLIS;
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
