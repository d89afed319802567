package io.flowsynth.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.transforms.Flows;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A MAF's inverse takes one pass per feature; each pass's conditioner activations are scratch for that pass only.
 * Sampling a wide MAF must therefore hold about one pass's activations, not all D of them (a 97-feature MAF fit ran
 * its calibration's samples out of native memory that way), and still invert the forward map exactly.
 */
class MafInverseMemoryTest {
    @Test
    void sampleScratchHoldsOnePassNotOnePerFeatureAndTheInverseStaysExact() throws InterruptedException {
        int d = 48;
        int rows = 2048;
        int hidden = 64;
        FlowSpec spec = new FlowSpec(FlowType.MAF, d, 2, hidden, 2, 11);
        Flow flow = Flows.build(spec, FastInverseTest.params(spec, 5, 0.1));
        // on a fresh thread: workspaces are per thread, and this JVM's other tests may have sized this one's
        float[][] sampled = new float[1][];
        long[] heldBytes = new long[1];
        Thread fresh = new Thread(() -> {
            sampled[0] = flow.sample(rows, 1.0, new SplittableRandom(3), false);
            MemoryWorkspace scratch = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread("flowsynth-sample");
            heldBytes[0] = scratch.getCurrentSize();
            Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        });
        fresh.start();
        fresh.join();
        float[] x = sampled[0];
        long held = heldBytes[0];
        // one pass of one layer: hidden activations of every hidden layer, the MADE output (2 values per feature)
        // and the bijection's outputs, in floats; all D passes of both layers would be about 2·d times that
        long onePass = (long) rows * (2L * hidden + 2L * d + 3L * d) * Float.BYTES;
        assertThat(held).as("sample workspace bytes against one pass's %d", onePass).isLessThan(8 * onePass);
        // the inverse is still exact: f(f⁻¹(z)) = z
        float[] z = new float[rows * d];
        SplittableRandom again = new SplittableRandom(3);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) again.nextGaussian();
        }
        INDArray back = flow.transform().forward(Nd4j.createFromArray(x).reshape(rows, d).castTo(DataType.FLOAT))
                .output();
        float[] zz = back.reshape(-1).toFloatVector();
        double worst = 0;
        for (int i = 0; i < z.length; i++) {
            worst = Math.max(worst, Math.abs(zz[i] - z[i]));
        }
        assertThat(worst).isLessThan(1e-3);
    }
}
