package io.flowsynth.flow;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The output of a bijection applied to a batch: the mapped rows {@code [batch, features]} and, per row, the log
 * absolute determinant of the Jacobian of the map that was applied {@code [batch]}.
 */
public record TransformResult(INDArray output, INDArray logAbsDet) {
}
