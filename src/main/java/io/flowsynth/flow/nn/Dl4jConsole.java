package io.flowsynth.flow.nn;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * DL4J 1.0.0-M2.1 prints "Added differentiated op …" to standard output for every op of every gradient graph it
 * builds (thousands of lines per network), and no log level silences it. {@link #quiet()} wraps
 * {@code System.out} once per JVM in a line filter that drops exactly those lines and passes everything else.
 */
public final class Dl4jConsole {
    private static final String NOISE = "Added differentiated op";
    private static boolean installed;

    private Dl4jConsole() {
    }

    public static synchronized void quiet() {
        if (installed) {
            return;
        }
        System.setOut(new PrintStream(new LineFilter(System.out), true, StandardCharsets.UTF_8));
        installed = true;
    }

    private static final class LineFilter extends OutputStream {
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                emit();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public synchronized void flush() {
            // Keep a partial line until its newline arrives, so the filter can still see its start.
            target.flush();
        }

        private void emit() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!s.startsWith(NOISE)) {
                target.print(s);
                target.flush();
            }
        }
    }
}
