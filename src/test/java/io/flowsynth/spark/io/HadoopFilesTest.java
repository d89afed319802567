package io.flowsynth.spark.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic commits: an overwrite never loses the old output, and left-overs of killed runs are cleaned or restored. */
class HadoopFilesTest {
    private final Configuration conf = new Configuration();
    @TempDir
    Path dir;

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private static String host() throws Exception {
        return InetAddress.getLocalHost().getHostName();
    }

    @Test
    void overwriteReplacesTheOutputAndLeavesNothingBeside() throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("old.txt"), "old");
        String staging = HadoopFiles.stagingPath(out.toString());
        HadoopFiles.writeString(staging + "/new.txt", "new", conf);
        HadoopFiles.commit(staging, out.toString(), true, conf);
        assertThat(Files.readString(out.resolve("new.txt"))).isEqualTo("new");
        assertThat(Files.exists(out.resolve("old.txt"))).isFalse();
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("out");
        }
    }

    @Test
    void aKilledOverwritesOldOutputIsPutBackAndDeadStagingRemovedButALiveOneKept() throws Exception {
        Path out = dir.resolve("out");
        // a run killed between renaming the old output aside and renaming its staging directory into place
        Path aside = dir.resolve(".out.flowsynth-replaced-" + host() + "~" + deadPid() + "~u1");
        Files.createDirectories(aside);
        Files.writeString(aside.resolve("part-0"), "old rows");
        Path deadStaging = dir.resolve(".out.flowsynth-staging-" + host() + "~" + deadPid() + "~u2");
        Files.createDirectories(deadStaging);
        Path liveStaging = dir.resolve(".out.flowsynth-staging-" + host() + "~" + ProcessHandle.current().pid() + "~u3");
        Files.createDirectories(liveStaging);
        Path otherOutputs = dir.resolve(".other.flowsynth-staging-" + host() + "~" + deadPid() + "~u4");
        Files.createDirectories(otherOutputs);

        HadoopFiles.cleanStale(out.toString(), conf);

        assertThat(Files.readString(out.resolve("part-0"))).isEqualTo("old rows");
        assertThat(Files.exists(aside)).isFalse();
        assertThat(Files.exists(deadStaging)).isFalse();
        assertThat(Files.exists(liveStaging)).isTrue();
        assertThat(Files.exists(otherOutputs)).isTrue();
    }

    @Test
    void stagingOfAnotherHostIsOnlyStaleAfterADay() throws Exception {
        Path out = dir.resolve("out");
        Path fresh = dir.resolve(".out.flowsynth-staging-elsewhere~1~u1");
        Path old = dir.resolve(".out.flowsynth-staging-elsewhere~1~u2");
        Files.createDirectories(fresh);
        Files.createDirectories(old);
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - HadoopFiles.FOREIGN_STALE_MILLIS - 60_000));
        HadoopFiles.checkOutput(out.toString(), "--output", false, conf);
        assertThat(Files.exists(fresh)).isTrue();
        assertThat(Files.exists(old)).isFalse();
    }
}
