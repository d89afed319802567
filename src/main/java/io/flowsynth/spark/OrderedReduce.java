package io.flowsynth.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;

import scala.Tuple2;

/**
 * A reduce whose result does not depend on the order in which Spark's tasks finish. Spark's {@code reduce},
 * {@code fold}, {@code aggregate} and {@code treeAggregate} merge partition results as tasks complete, so a merge that
 * is not exactly associative and commutative (sums of doubles, sketches) gives different bits on a loaded machine or a
 * cluster. Here every partition's values are folded in their order, and partition results are merged in ascending
 * partition index: while more than {@value #FAN_IN} results remain, groups of {@value #FAN_IN} consecutive partitions
 * are merged by executors (one shuffle stage in the same job, each group sorted by partition index first); the last
 * at most {@value #FAN_IN} come back to the driver in partition order. The result depends only on the data and its
 * partitioning. The driver and every merging task hold at most {@value #FAN_IN} partition results at once.
 */
public final class OrderedReduce {
    /** Most partition results merged by one task or by the driver. */
    public static final int FAN_IN = 16;

    private OrderedReduce() {
    }

    /**
     * @param values a data set whose elements are merged left to right, in partition order
     * @param merge  merges two values; may return (and change) its first argument, so {@code values} must not be a
     *               cached data set when it does
     * @return the merged value, or null when {@code values} has no elements
     */
    public static <T extends Serializable> T reduce(JavaRDD<T> values, Function2<T, T, T> merge) {
        JavaRDD<Tuple2<Integer, T>> level = values.mapPartitionsWithIndex((p, it) -> {
            T acc = foldIterator(it, merge);
            return acc == null ? Collections.<Tuple2<Integer, T>>emptyIterator() : List.of(new Tuple2<>(p, acc)).iterator();
        }, true);
        int parts = values.getNumPartitions();
        while (parts > FAN_IN) {
            int groups = (parts + FAN_IN - 1) / FAN_IN;
            level = level.mapToPair(t -> new Tuple2<>(t._1() / FAN_IN, t))
                    .partitionBy(new HashPartitioner(groups))
                    .mapPartitions(it -> {
                        List<Tuple2<Integer, T>> group = new ArrayList<>();
                        int key = -1;
                        while (it.hasNext()) {
                            Tuple2<Integer, Tuple2<Integer, T>> e = it.next();
                            key = e._1();
                            group.add(e._2());
                        }
                        // the group's index is its position among the next level's results
                        return group.isEmpty() ? Collections.<Tuple2<Integer, T>>emptyIterator()
                                : List.of(new Tuple2<>(key, mergeInOrder(group, merge))).iterator();
                    }, true);
            parts = groups;
        }
        List<Tuple2<Integer, T>> top = level.collect();
        try {
            return mergeInOrder(top, merge);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Merges (partition index, value) pairs in ascending partition index; null when there are none. */
    static <T> T mergeInOrder(List<Tuple2<Integer, T>> parts, Function2<T, T, T> merge) throws Exception {
        List<Tuple2<Integer, T>> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingInt(Tuple2::_1));
        List<T> values = new ArrayList<>(sorted.size());
        for (Tuple2<Integer, T> t : sorted) {
            values.add(t._2());
        }
        return foldIterator(values.iterator(), merge);
    }

    private static <T> T foldIterator(Iterator<T> it, Function2<T, T, T> merge) throws Exception {
        T acc = null;
        while (it.hasNext()) {
            T v = it.next();
            acc = acc == null ? v : merge.call(acc, v);
        }
        return acc;
    }
}
