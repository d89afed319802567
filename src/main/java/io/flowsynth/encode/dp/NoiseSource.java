package io.flowsynth.encode.dp;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * The randomness of the differential-privacy mechanisms: one independent stream per release, named by a label (e.g.
 * {@code "categories|3|Paris"}), derived as HMAC-SHA256(key, label). The same key and label give the same draw on any
 * executor and after any task retry, so a noisy count computed inside a Spark task is a function of the data and the
 * key only.
 *
 * <p>The key comes from {@link SecureRandom} ({@link #secure()}), never from {@code flowsynth.seed}: the seed is stored
 * in the model's configuration, and noise that anyone can recompute from it can be subtracted again, which would void
 * the guarantee. A DP fit is therefore not bit-reproducible by design. {@link #fixed(long)} is for tests only.
 */
public final class NoiseSource implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String HMAC = "HmacSHA256";

    private final byte[] key;
    private transient ThreadLocal<Mac> macs;

    private NoiseSource(byte[] key) {
        this.key = key.clone();
    }

    /** A fresh secret key from the operating system's secure random source (for every real fit). */
    public static NoiseSource secure() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new NoiseSource(key);
    }

    /** A key derived from a number: reproducible noise, for tests only (its noise is public knowledge). */
    public static NoiseSource fixed(long seed) {
        return new NoiseSource(ByteBuffer.allocate(8).putLong(seed).array());
    }

    /** The independent random stream of one release. */
    public SplittableRandom stream(String label) {
        if (macs == null) {
            macs = ThreadLocal.withInitial(() -> {
                try {
                    Mac m = Mac.getInstance(HMAC);
                    m.init(new SecretKeySpec(key, HMAC));
                    return m;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("HMAC-SHA256 is not available", e);
                }
            });
        }
        byte[] digest = macs.get().doFinal(label.getBytes(StandardCharsets.UTF_8));
        return new SplittableRandom(ByteBuffer.wrap(digest).getLong());
    }

    /** One N(0, σ²) draw of the named release. */
    public double gaussian(String label, double sigma) {
        return gaussian(stream(label), sigma);
    }

    /** An N(0, σ²) draw ({@link SplittableRandom#nextGaussian()}, a ziggurat in double precision). */
    public static double gaussian(SplittableRandom rng, double sigma) {
        return sigma * rng.nextGaussian();
    }

    /** One Laplace(0, scale) draw of the named release (the row count, released before δ is known). */
    public double laplace(String label, double scale) {
        return laplace(stream(label), scale);
    }

    /** A Laplace(0, scale) draw by inversion: −scale·sgn(u)·ln(1 − 2|u|), u uniform on (−½, ½). */
    public static double laplace(SplittableRandom rng, double scale) {
        double u;
        do {
            u = rng.nextDouble() - 0.5;
        } while (u == -0.5);
        return -scale * Math.signum(u) * Math.log1p(-2.0 * Math.abs(u));
    }
}
