package io.flowsynth.spark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.error.BadInputException;
import io.flowsynth.spark.io.FloatArrays;
import io.flowsynth.spark.io.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Per-round checkpoints of a fit under one directory: {@code round-000012/} holds {@code state.json} (round, best
 * round, best validation NLL, history, fingerprint), {@code params.bin}, {@code updater.bin}, {@code best.bin}
 * (float32 big-endian, DL4J's flat layout), and whatever the caller adds (the pipeline adds {@code model/}, a
 * complete model of the best parameters so far, so a checkpoint is usable on its own). {@code state.json} is written
 * last, so a round directory without it is incomplete and ignored; older rounds are deleted once a newer one is
 * complete. The fingerprint ties a checkpoint to its input and settings: resuming with another is refused.
 */
public final class Checkpoints {
    public static final String STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String root;
    private final String fingerprint;
    private final Configuration conf;

    public Checkpoints(String root, String fingerprint, Configuration conf) {
        this.root = root;
        this.fingerprint = fingerprint;
        this.conf = conf;
    }

    public String root() {
        return root;
    }

    public String roundDir(int round) {
        return root + "/" + String.format("round-%06d", round);
    }

    /** Writes the files of a state into {@code roundDir(state.round)} (the caller may add more, then {@link #complete}). */
    public String write(TrainingState s) {
        String dir = roundDir(s.round);
        HadoopFiles.deleteQuietly(dir, conf);
        HadoopFiles.writeBytes(dir + "/params.bin", FloatArrays.toBytes(s.params), conf);
        HadoopFiles.writeBytes(dir + "/updater.bin", FloatArrays.toBytes(s.updaterState), conf);
        HadoopFiles.writeBytes(dir + "/best.bin", FloatArrays.toBytes(s.bestParams), conf);
        HadoopFiles.writeString(dir + "/network.json", s.networkJson, conf);
        return dir;
    }

    /** Marks round {@code s.round} complete (writes its state.json) and deletes older rounds. */
    public void complete(TrainingState s) {
        ObjectNode j = JSON.createObjectNode();
        j.put("fingerprint", fingerprint);
        j.put("round", s.round);
        j.put("total_rounds", s.totalRounds);
        j.put("best_round", s.bestRound);
        j.put("best_validation_nll", s.bestValidationNll);
        j.put("rounds_since_best", s.roundsSinceBest);
        ArrayNode h = j.putArray("history");
        for (RoundMetrics m : s.history) {
            h.add(m.toJson());
        }
        HadoopFiles.writeString(roundDir(s.round) + "/" + STATE, j.toString(), conf);
        for (int r : rounds()) {
            if (r < s.round) {
                HadoopFiles.deleteQuietly(roundDir(r), conf);
            }
        }
    }

    /** The newest complete checkpoint, or null when there is none. A foreign fingerprint is a bad-input error. */
    public TrainingState latest() {
        List<Integer> rounds = rounds();
        for (int i = rounds.size() - 1; i >= 0; i--) {
            String dir = roundDir(rounds.get(i));
            if (!HadoopFiles.exists(dir + "/" + STATE, conf)) {
                continue;
            }
            try {
                JsonNode j = JSON.readTree(HadoopFiles.readString(dir + "/" + STATE, conf));
                if (!fingerprint.equals(j.path("fingerprint").asText())) {
                    throw new BadInputException("Checkpoint " + dir + " was made from another input or other settings;"
                            + " remove " + root + " or fit without --resume");
                }
                List<RoundMetrics> history = new ArrayList<>();
                for (JsonNode o : j.path("history")) {
                    history.add(RoundMetrics.fromJson(o));
                }
                return new TrainingState(j.get("round").asInt(), j.get("total_rounds").asInt(),
                        FloatArrays.fromBytes(HadoopFiles.readBytes(dir + "/params.bin", conf)),
                        FloatArrays.fromBytes(HadoopFiles.readBytes(dir + "/updater.bin", conf)),
                        FloatArrays.fromBytes(HadoopFiles.readBytes(dir + "/best.bin", conf)),
                        j.get("best_round").asInt(), j.get("best_validation_nll").asDouble(),
                        j.get("rounds_since_best").asInt(), history,
                        HadoopFiles.readString(dir + "/network.json", conf));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read checkpoint " + dir, e);
            }
        }
        return null;
    }

    /**
     * The directory of the newest complete round under {@code root} (one with a {@code state.json}), or null when there
     * is none; its fingerprint is not checked here (see {@link #latest}).
     */
    public static String latestComplete(String root, Configuration conf) {
        Checkpoints c = new Checkpoints(root, "", conf);
        List<Integer> rounds = c.rounds();
        for (int i = rounds.size() - 1; i >= 0; i--) {
            String dir = c.roundDir(rounds.get(i));
            if (HadoopFiles.exists(dir + "/" + STATE, conf)) {
                return dir;
            }
        }
        return null;
    }

    /** Round numbers present under the root, ascending. */
    List<Integer> rounds() {
        List<Integer> out = new ArrayList<>();
        try {
            FileSystem fs = HadoopFiles.fs(root, conf);
            Path p = new Path(root);
            if (!fs.exists(p)) {
                return out;
            }
            for (FileStatus st : fs.listStatus(p)) {
                String name = st.getPath().getName();
                if (st.isDirectory() && name.matches("round-\\d{6}")) {
                    out.add(Integer.parseInt(name.substring(6)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list checkpoints in " + root, e);
        }
        out.sort(Integer::compare);
        return out;
    }

    public void deleteAll() {
        HadoopFiles.deleteQuietly(root, conf);
    }
}
