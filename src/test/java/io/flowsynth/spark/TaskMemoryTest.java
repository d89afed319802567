package io.flowsynth.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.flow.nn.MemoryExhaustedException;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Running out of memory in a task's iterator becomes an ordinary exception naming the work (never a fatal error). */
class TaskMemoryTest {
    /** Yields {@code ok} elements, then throws {@code error} from next(). */
    private static Iterator<Integer> failingAfter(int ok, Throwable error) {
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (i == ok) {
                    if (error instanceof RuntimeException r) {
                        throw r;
                    }
                    throw (Error) error;
                }
                return i++;
            }
        };
    }

    @Test
    void anOutOfMemoryErrorWhileIteratingBecomesAMemoryExhaustedExceptionNamingTheWork() {
        Iterator<Integer> it = TaskMemory.guard("sampling 10 rows (partition 3)",
                () -> failingAfter(2, new OutOfMemoryError("Java heap space")));
        assertThat(it.next()).isEqualTo(0);
        assertThat(it.next()).isEqualTo(1);
        assertThatThrownBy(it::next).isInstanceOf(MemoryExhaustedException.class)
                .hasMessage("Out of Java heap memory while sampling 10 rows (partition 3): Java heap space")
                .hasNoCause();
    }

    @Test
    void oneWrappedInALibrarysExceptionToo() {
        Iterator<Integer> it = TaskMemory.guard("scoring rows of 4 columns (partition 0)", () -> failingAfter(0,
                new IllegalStateException("op failed", new OutOfMemoryError("Cannot allocate new FloatPointer"))));
        assertThat(it.hasNext()).isTrue();
        assertThatThrownBy(it::next).isInstanceOf(MemoryExhaustedException.class)
                .hasMessageContaining("while scoring rows of 4 columns (partition 0)");
    }

    @Test
    void whileBuildingTheIterator() {
        assertThatThrownBy(() -> TaskMemory.guard("decoding", () -> {
            throw new OutOfMemoryError("Java heap space");
        })).isInstanceOf(MemoryExhaustedException.class).hasMessageContaining("while decoding");
    }

    @Test
    void otherFailuresPassUnchanged() {
        IllegalArgumentException bad = new IllegalArgumentException("bad value");
        Iterator<Integer> it = TaskMemory.guard("sampling", () -> failingAfter(0, bad));
        assertThatThrownBy(it::next).isSameAs(bad);
        assertThat(TaskMemory.guard("x", () -> List.of(1, 2).iterator())).toIterable().containsExactly(1, 2);
    }
}
