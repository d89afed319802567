package io.flowsynth.spark.io;

import io.flowsynth.error.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Refuses an output that would destroy or corrupt an input of the same command: an output path that equals an input,
 * lies inside one (it would plant files in the input table) or contains one (an overwrite would delete it). Paths
 * are compared in one canonical form: qualified by their file system (so {@code file:/a}, {@code file:///a} and
 * {@code /a} agree, and relative paths are made absolute), and on the local file system with symbolic links resolved
 * through the longest existing ancestor (so a link to the input, or an output that does not exist yet under a linked
 * directory, is seen for what it is). Glob inputs ({@code data/*.parquet}) are compared by the directory before the
 * first wildcard.
 */
public final class PathOverlap {
    private PathOverlap() {
    }

    /**
     * @param outputOption the option that names the output, e.g. {@code --output}
     * @param inputs       option (e.g. {@code --input}) → path of every input the command reads; null paths are skipped
     * @throws BadInputException naming both options and paths when they overlap
     */
    public static void requireDisjoint(String outputOption, String output, Map<String, String> inputs,
                                       Configuration conf) {
        String out = canonical(output, conf);
        for (Map.Entry<String, String> in : inputs.entrySet()) {
            if (in.getValue() == null) {
                continue;
            }
            String relation = relation(out, canonical(in.getValue(), conf));
            if (relation != null) {
                throw new BadInputException("Output " + outputOption + " " + output + " " + relation + " input "
                        + in.getKey() + " " + in.getValue() + ": refusing, it would destroy or corrupt the input "
                        + "(choose an output outside every input)");
            }
        }
    }

    /**
     * Refuses a local file that the job writes on its own, outside its options' outputs (the log file), when it is,
     * lies inside or contains a path the command reads or writes: log lines appended to an input CSV, a log file
     * planted in an input or output table's directory (a Parquet reader then fails on it), or a log deleted with an
     * overwritten output.
     *
     * @param what  how the message names the file, e.g. {@code Log file (FLOWSYNTH_LOG_FILE)}
     * @param file  a local path (relative paths against the working directory)
     * @param paths option → path of everything the command reads or writes; null paths are skipped
     */
    public static void requireFileApart(String what, String file, Map<String, String> paths, Configuration conf) {
        String f = canonical(Paths.get(file).toAbsolutePath().toUri().toString(), conf);
        for (Map.Entry<String, String> e : paths.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            String relation = relation(f, canonical(e.getValue(), conf));
            if (relation != null) {
                throw new BadInputException(what + " " + file + " " + relation + " " + e.getKey() + " " + e.getValue()
                        + ": refusing to write it there (move it outside every path the command reads or writes)");
            }
        }
    }

    /** How canonical path {@code a} relates to canonical path {@code b}, or null when they are apart. */
    private static String relation(String a, String b) {
        return a.equals(b) ? "is the same path as"
                : isInside(a, b) ? "lies inside"
                : isInside(b, a) ? "contains" : null;
    }

    private static boolean isInside(String child, String parent) {
        String p = parent.endsWith("/") ? parent : parent + "/";
        return child.startsWith(p);
    }

    /** The canonical form of {@code path} used for comparisons (see the class comment). */
    static String canonical(String path, Configuration conf) {
        String literal = beforeGlob(path);
        Path p = new Path(literal);
        try {
            FileSystem fs = p.getFileSystem(conf);
            Path q = fs.makeQualified(p);
            if ("file".equals(q.toUri().getScheme())) {
                return "file:" + realLocal(Paths.get(q.toUri()));
            }
            String s = q.toString();
            return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resolve path " + path, e);
        }
    }

    /** The path with symbolic links resolved through its longest existing ancestor. */
    private static String realLocal(java.nio.file.Path p) throws IOException {
        java.nio.file.Path cur = p.toAbsolutePath().normalize();
        Deque<String> rest = new ArrayDeque<>();
        while (cur != null && !Files.exists(cur)) {
            if (cur.getFileName() != null) {
                rest.push(cur.getFileName().toString());
            }
            cur = cur.getParent();
        }
        java.nio.file.Path real = cur == null ? Paths.get("/") : cur.toRealPath();
        for (String part : rest) {
            real = real.resolve(part);
        }
        return real.normalize().toString();
    }

    /** The part of a path before its first glob character, cut back to a whole directory. */
    private static String beforeGlob(String path) {
        int cut = -1;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                cut = i;
                break;
            }
        }
        if (cut < 0) {
            return path;
        }
        int slash = path.lastIndexOf('/', cut);
        return slash <= 0 ? (slash == 0 ? "/" : ".") : path.substring(0, slash);
    }
}
