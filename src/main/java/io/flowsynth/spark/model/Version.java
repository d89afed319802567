package io.flowsynth.spark.model;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The flowsynth version (jar manifest, else "dev") and the git commit it was built from (when known). */
public final class Version {
    private Version() {
    }

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** From {@code flowsynth-git.properties}, written at build time; "unknown" when the build had no git checkout. */
    public static String gitCommit() {
        try (InputStream in = Version.class.getResourceAsStream("/flowsynth-git.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String c = p.getProperty("git.commit.id.abbrev", "").trim();
            return c.isEmpty() || c.startsWith("$") ? "unknown" : c;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
