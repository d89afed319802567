package io.flowsynth.spark.train;

/** The training loss became NaN or infinite; the state of the last good round is kept by the checkpoints. */
public class TrainingDivergedException extends RuntimeException {
    public final int round;
    public final int lastGoodRound;

    public TrainingDivergedException(String message, int round, int lastGoodRound) {
        super(message);
        this.round = round;
        this.lastGoodRound = lastGoodRound;
    }
}
