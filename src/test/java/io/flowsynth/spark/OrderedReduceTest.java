package io.flowsynth.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

class OrderedReduceTest {
    private static final JavaSparkContext JSC = JavaSparkContext.fromSparkContext(SharedSparkSession.get().sparkContext());

    /** Concatenation is not commutative: any merge out of partition order shows in the result. */
    private static String concatenate(int partitions, int slowPartition) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < partitions * 3; i++) {
            items.add(Integer.toString(i));
        }
        JavaRDD<String> rdd = JSC.parallelize(items, partitions).mapPartitionsWithIndex((p, it) -> {
            if (p == slowPartition) {
                Thread.sleep(300); // this partition finishes after the others
            }
            return it;
        }, true);
        return OrderedReduce.reduce(rdd, (a, b) -> a + "," + b);
    }

    private static String expected(int partitions) {
        return IntStream.range(0, partitions * 3).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    @Test
    void mergesInPartitionOrderWhicheverTaskFinishesLast() {
        assertEquals(expected(4), concatenate(4, 0));
        assertEquals(expected(4), concatenate(4, 3));
    }

    @Test
    void mergesInPartitionOrderOverSeveralLevels() {
        // 40 partitions: 3 groups merged on executors, then the driver
        assertEquals(expected(40), concatenate(40, 0));
        assertEquals(expected(300), concatenate(300, 17));
    }

    @Test
    void emptyPartitionsAndEmptyInput() {
        JavaRDD<String> sparse = JSC.parallelize(List.of("a", "b"), 40);
        assertEquals("a,b", OrderedReduce.reduce(sparse, (a, b) -> a + "," + b));
        assertNull(OrderedReduce.reduce(JSC.parallelize(List.<String>of(), 3), (a, b) -> a + b));
    }
}
