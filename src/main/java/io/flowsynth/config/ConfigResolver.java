package io.flowsynth.config;

import io.flowsynth.error.BadInputException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Resolves the configuration of a job. Precedence, highest first:
 * <ol>
 *   <li>{@code --set key=value} options on the command line;</li>
 *   <li>the job file given with {@code --conf FILE} (Java properties syntax: {@code key = value}, {@code #} comments);</li>
 *   <li>the site defaults file {@code conf/flowsynth-defaults.conf} (or {@code $FLOWSYNTH_CONF_DIR/flowsynth-defaults.conf}),
 *       when the launcher finds one;</li>
 *   <li>the built-in defaults of {@link ConfigKeys}.</li>
 * </ol>
 * Every key must be a known key or a per-column key {@code flowsynth.columns.<name>.kind},
 * {@code flowsynth.columns.<name>.encoder} or {@code flowsynth.columns.<name>.bounds}; an unknown key is an
 * error naming it (a typo must not be silently ignored). Every value is then checked once, against its accepted
 * range, while the typed options of {@link FlowsynthConfig} are built: a bad value fails here, before any Spark work,
 * whichever command would read it.
 */
public final class ConfigResolver {
    private static final List<String> COLUMN_SETTINGS = List.of("kind", "encoder", ConfigKeys.COLUMN_BOUNDS);

    private ConfigResolver() {
    }

    /**
     * @param siteDefaults text of the site defaults file, or null
     * @param jobFile      text of the job file, or null
     * @param jobFileName  name of the job file for error messages
     * @param sets         the {@code --set} pairs in command-line order
     */
    public static FlowsynthConfig resolve(String siteDefaults, String jobFile, String jobFileName, Map<String, String> sets) {
        return resolveWithSources(siteDefaults, jobFile, jobFileName, sets).config();
    }

    /** A resolved configuration and, per key, where its value came from. */
    public record Resolved(FlowsynthConfig config, Map<String, String> sources) {
    }

    /** Source of a value that no file or {@code --set} changed. */
    public static final String SOURCE_DEFAULT = "default";
    /** Source of a value from the site defaults file. */
    public static final String SOURCE_SITE = "flowsynth-defaults.conf";
    /** Source of a value from a {@code --set} option. */
    public static final String SOURCE_SET = "--set";

    /**
     * {@link #resolve} that also says where each value came from: {@link #SOURCE_DEFAULT}, {@link #SOURCE_SITE},
     * {@code --conf FILE} or {@link #SOURCE_SET} (the last one that set it). The site file repeats every built-in
     * default to document it; only its values that differ from the built-in ones count as {@link #SOURCE_SITE}.
     */
    public static Resolved resolveWithSources(String siteDefaults, String jobFile, String jobFileName,
                                              Map<String, String> sets) {
        Map<String, String> values = new LinkedHashMap<>(ConfigKeys.DEFAULTS);
        Map<String, String> sources = new LinkedHashMap<>();
        ConfigKeys.DEFAULTS.keySet().forEach(k -> sources.put(k, SOURCE_DEFAULT));
        if (siteDefaults != null) {
            merge(values, parse(siteDefaults, SOURCE_SITE), SOURCE_SITE, sources, SOURCE_SITE);
        }
        if (jobFile != null) {
            merge(values, parse(jobFile, jobFileName), jobFileName, sources, "--conf " + jobFileName);
        }
        merge(values, sets, SOURCE_SET, sources, SOURCE_SET);
        FlowsynthConfig config = new FlowsynthConfig(values); // checks every value and builds the typed options
        return new Resolved(config, java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(sources)));
    }

    public static Map<String, String> parse(String text, String source) {
        Properties p = new Properties();
        try (Reader r = new StringReader(text)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException("Config file " + source + ": cannot parse (" + e.getMessage() + ")");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            out.put(k.trim(), p.getProperty(k).trim());
        }
        return out;
    }

    private static void merge(Map<String, String> into, Map<String, String> from, String source,
                              Map<String, String> sources, String sourceName) {
        for (Map.Entry<String, String> e : from.entrySet()) {
            String key = e.getKey();
            if (!ConfigKeys.DEFAULTS.containsKey(key) && !isColumnKey(key)) {
                throw new BadInputException("Unknown configuration key '" + key + "' in " + source
                        + " (known keys: see conf/flowsynth-defaults.conf)");
            }
            into.put(key, e.getValue());
            boolean builtIn = sourceName.equals(SOURCE_SITE)
                    && e.getValue().trim().equals(ConfigKeys.DEFAULTS.get(key));
            sources.put(key, builtIn ? SOURCE_DEFAULT : sourceName);
        }
    }

    private static boolean isColumnKey(String key) {
        if (!key.startsWith(ConfigKeys.COLUMNS_PREFIX)) {
            return false;
        }
        int dot = key.lastIndexOf('.');
        return dot > ConfigKeys.COLUMNS_PREFIX.length() && COLUMN_SETTINGS.contains(key.substring(dot + 1));
    }

    /** Spline bins: the minimal bin width 1e−3 needs K·1e−3 &lt; 1; beyond a few hundred bins only cost grows. */
    static final int MAX_BINS = 256;
    /** Parquet codecs of {@code flowsynth.sample.compression}. */
    static final List<String> COMPRESSIONS = List.of("snappy", "zstd", "gzip", "lz4", "uncompressed");
}
