package io.asyncgate.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The node's saga slots and how their limit yields to slow submit writes. */
class SagaSlotsTest {
  private static final Duration TARGET = Duration.ofMillis(50);
  private final List<String> started = new ArrayList<>();

  private void acquire(SagaSlots slots, int from, int to) {
    IntStream.range(from, to).forEach(i -> slots.acquire("op-" + i, () -> started.add("op-" + i)));
  }

  private static List<String> ops(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "op-" + i).toList();
  }

  @Test
  void slowSubmitWritesHoldSagasBackDownToTheMinimumAndFastOnesLetThemGoInOrder() {
    SagaSlots slots = new SagaSlots(new SagaLimit(2, 8, TARGET));
    acquire(slots, 0, 12);
    assertEquals(ops(0, 8), started);
    assertEquals(OptionalLong.of(1), slots.position("op-8"));

    slots.observeSubmitWrite(Duration.ofMillis(200));
    slots.observeSubmitWrite(Duration.ofMillis(20));
    slots.adjustLimit(); // a mean of 110 ms: a quarter fewer
    assertEquals(6, slots.limit());
    slots.release("op-0");
    slots.release("op-1");
    assertEquals(ops(0, 8), started, "six still run, as many as the lowered limit: nothing more starts");

    for (int i = 0; i < 10; i++) {
      slots.observeSubmitWrite(Duration.ofSeconds(1));
      slots.adjustLimit();
    }
    assertEquals(2, slots.limit(), "never below the minimum");
    IntStream.range(2, 7).forEach(i -> slots.release("op-" + i));
    assertEquals(ops(0, 9), started, "one still runs, so one more may start");

    slots.observeSubmitWrite(Duration.ofMillis(10));
    slots.adjustLimit(); // fast: one more (a tenth of 2, at least 1)
    assertEquals(3, slots.limit());
    assertEquals(ops(0, 10), started);
    slots.adjustLimit(); // no submit at all counts as fast
    slots.adjustLimit();
    assertEquals(ops(0, 12), started, "in the order they asked");
    assertEquals(5, slots.backlog());

    for (int i = 0; i < 50; i++) {
      slots.adjustLimit();
    }
    assertEquals(8, slots.limit(), "never above the maximum");
  }

  @Test
  void withoutATargetTheLimitStaysAtTheMaximum() {
    SagaSlots slots = new SagaSlots(new SagaLimit(2, 4, Duration.ZERO));
    acquire(slots, 0, 6);
    slots.observeSubmitWrite(Duration.ofSeconds(5));
    slots.adjustLimit();
    assertEquals(4, slots.limit());
    slots.release("op-0");
    assertEquals(ops(0, 5), started);
  }

  @Test
  void aMinimumAboveTheMaximumIsTheMaximum() {
    SagaSlots slots = new SagaSlots(new SagaLimit(16, 3, TARGET));
    for (int i = 0; i < 5; i++) {
      slots.observeSubmitWrite(Duration.ofSeconds(1));
      slots.adjustLimit();
    }
    assertEquals(3, slots.limit());
  }
}
