package io.flowsynth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering of {@code src/main/java}, read from the sources (imports and qualified names in code; comments,
 * Javadoc links and string literals do not count): no cycle between {@code io.flowsynth} packages, the flow core
 * below its DL4J adapter {@code flow.nn}, and no Spark below {@code spark.*} and {@code jobs}.
 */
class PackageLayeringTest {
    /**
     * Cycles known when this test was written, each as "a -> b" of one of its edges, to be removed with the cycle:
     * {@code config} reads {@code encode}'s kind names while {@code encode} reads {@code config}'s keys and
     * {@code BadInputException} (issue 19 item 2 moves them). The test fails when a listed cycle is gone, so the entry
     * cannot outlive it.
     */
    private static final Set<String> KNOWN_CYCLES = Set.of("io.flowsynth.config -> io.flowsynth.encode");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.flowsynth\\.((?:[a-z0-9_]+\\.)*)[A-Z*]");
    private static final Pattern SPARK = Pattern.compile("\\borg\\.apache\\.spark\\.");

    /** package → packages of io.flowsynth it references → the files that do. */
    private static final Map<String, Map<String, Set<String>>> EDGES = new TreeMap<>();
    /** package → files that reference Spark. */
    private static final Map<String, Set<String>> SPARK_USERS = new TreeMap<>();

    @BeforeAll
    static void readSources() {
        Path root = Path.of(System.getProperty("flowsynth.project.dir", "."), "src", "main", "java");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String text = Files.readString(f);
                Matcher pm = PACKAGE.matcher(text);
                assertThat(pm.find()).as("package declaration of %s", f).isTrue();
                String pkg = pm.group(1);
                String code = codeOnly(text);
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    String target = ("io.flowsynth." + m.group(1)).replaceAll("\\.$", "");
                    if (!target.equals(pkg)) {
                        EDGES.computeIfAbsent(pkg, k -> new TreeMap<>()).computeIfAbsent(target, k -> new TreeSet<>())
                                .add(f.getFileName().toString());
                    }
                }
                if (SPARK.matcher(code).find()) {
                    SPARK_USERS.computeIfAbsent(pkg, k -> new TreeSet<>()).add(f.getFileName().toString());
                }
                EDGES.computeIfAbsent(pkg, k -> new TreeMap<>());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(EDGES).as("packages read from %s", root).containsKeys("io.flowsynth.flow", "io.flowsynth.jobs");
    }

    /** The source without comments and with empty string and character literals. */
    static String codeOnly(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
                out.append(' ');
            } else if (c == '"' || c == '\'') {
                boolean block = c == '"' && s.startsWith("\"\"\"", i);
                String close = block ? "\"\"\"" : String.valueOf(c);
                int j = i + close.length();
                while (j < s.length() && !s.startsWith(close, j)) {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                i = Math.min(s.length(), j + close.length());
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    @Test
    void codeOnlyIgnoresCommentsAndStrings() {
        String code = codeOnly("import a.B; // io.flowsynth.x.Y\n/** {@link io.flowsynth.z.W} */ String s = \"io.flowsynth.q.R\";"
                + " char c = '\"'; io.flowsynth.k.L l;");
        assertThat(code).contains("import a.B;").contains("io.flowsynth.k.L").doesNotContain("io.flowsynth.x")
                .doesNotContain("io.flowsynth.z").doesNotContain("io.flowsynth.q");
    }

    @Test
    void noCycleBetweenPackages() {
        List<String> cycles = new ArrayList<>();
        Set<String> knownSeen = new TreeSet<>();
        for (Map.Entry<String, Map<String, Set<String>>> e : EDGES.entrySet()) {
            for (Map.Entry<String, Set<String>> t : e.getValue().entrySet()) {
                List<String> back = path(t.getKey(), e.getKey());
                if (back != null) {
                    String edge = e.getKey() + " -> " + t.getKey();
                    String reverse = t.getKey() + " -> " + e.getKey();
                    if (KNOWN_CYCLES.contains(edge) || KNOWN_CYCLES.contains(reverse)) {
                        knownSeen.add(KNOWN_CYCLES.contains(edge) ? edge : reverse);
                        continue;
                    }
                    cycles.add(edge + " " + t.getValue() + ", back: " + String.join(" -> ", back));
                }
            }
        }
        assertThat(cycles).as("package cycles (edge [files], path back)").isEmpty();
        assertThat(knownSeen).as("KNOWN_CYCLES entries whose cycle is gone must be removed")
                .containsExactlyInAnyOrderElementsOf(KNOWN_CYCLES);
    }

    /** A path of references from {@code from} to {@code to}, or null. */
    private static List<String> path(String from, String to) {
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(from));
        parent.put(from, null);
        while (!queue.isEmpty()) {
            String p = queue.poll();
            if (p.equals(to)) {
                List<String> out = new ArrayList<>();
                for (String q = p; q != null; q = parent.get(q)) {
                    out.add(0, q);
                }
                return out;
            }
            for (String n : EDGES.getOrDefault(p, Map.of()).keySet()) {
                if (!parent.containsKey(n)) {
                    parent.put(n, p);
                    queue.add(n);
                }
            }
        }
        return null;
    }

    @Test
    void flowCoreDoesNotReachUpToItsDl4jAdapter() {
        for (String pkg : List.of("io.flowsynth.flow", "io.flowsynth.flow.transforms", "io.flowsynth.flow.conditioner")) {
            assertThat(EDGES.get(pkg)).as("packages %s references", pkg).doesNotContainKey("io.flowsynth.flow.nn");
        }
        assertThat(EDGES.get("io.flowsynth.flow.conditioner")).as("the conditioners are the bottom of the flow code")
                .isEmpty();
        assertThat(EDGES.get("io.flowsynth.flow")).as("the flow API knows no flow family")
                .doesNotContainKey("io.flowsynth.flow.transforms");
    }

    @Test
    void onlySparkAndJobsPackagesUseSpark() {
        Map<String, Set<String>> outside = new TreeMap<>();
        SPARK_USERS.forEach((pkg, files) -> {
            if (!pkg.startsWith("io.flowsynth.spark.") && !pkg.equals("io.flowsynth.spark")
                    && !pkg.startsWith("io.flowsynth.jobs")) {
                outside.put(pkg, files);
            }
        });
        assertThat(outside).as("Spark references outside spark.* and jobs").isEmpty();
    }
}
