package io.flowsynth.jobs.bench;

import java.util.function.IntFunction;

/** Runs one timed loop per thread at the same time: the summed rate shows how far a piece of work scales over cores. */
final class Concurrent {
    private Concurrent() {
    }

    /**
     * @param threads threads to run at once
     * @param step    per thread id, one step of work returning how many units (rows, steps) it did; called 10 times to
     *                warm up, then for {@code seconds}
     * @return units per second summed over the threads
     */
    static double rate(int threads, double seconds, IntFunction<Step> step) throws InterruptedException {
        double[] rates = new double[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                Step s = step.apply(id);
                for (int i = 0; i < 10; i++) {
                    s.run();
                }
                long units = 0;
                long start = System.nanoTime();
                while (System.nanoTime() - start < seconds * 1e9) {
                    units += s.run();
                }
                rates[id] = units / ((System.nanoTime() - start) / 1e9);
            });
            workers[t].start();
        }
        double total = 0;
        for (int t = 0; t < threads; t++) {
            workers[t].join();
            total += rates[t];
        }
        return total;
    }

    /** One step of work, returning the units it did. */
    interface Step {
        long run();
    }
}
