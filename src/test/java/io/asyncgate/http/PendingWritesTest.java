package io.asyncgate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PendingWritesTest {
  @Test
  void aSubmitIsRefusedWhileAsManyWaitAsAllowed() {
    PendingWrites pending = new PendingWrites(2, Duration.ofMinutes(1));
    PendingWrites.Ticket first = pending.enter();
    assertEquals(Optional.empty(), pending.refusal());
    pending.enter();
    assertEquals(Optional.of("This node has 2 requests waiting to be stored"), pending.refusal());
    pending.leave(first);
    assertEquals(Optional.empty(), pending.refusal());
  }

  @Test
  void aSubmitIsRefusedWhileTheOldestHasWaitedHalfTheWriteTimeout() throws InterruptedException {
    PendingWrites pending = new PendingWrites(100, Duration.ofMillis(40));
    PendingWrites.Ticket oldest = pending.enter();
    Thread.sleep(30);
    PendingWrites.Ticket newer = pending.enter();
    assertTrue(pending.refusal().orElseThrow().startsWith("The oldest request waiting to be stored on this node has waited "),
        pending.refusal()::toString);
    pending.leave(oldest);
    assertEquals(Optional.empty(), pending.refusal(), "the newer one has not waited that long");
    pending.leave(newer);
    pending.leave(newer); // twice changes nothing
    assertEquals(Optional.empty(), pending.refusal());
  }

  /** Asked while others leave: never an exception (the last one may go between two looks at the queue). */
  @Test
  void askingWhileOthersEnterAndLeaveIsSafe() throws Exception {
    PendingWrites pending = new PendingWrites(1_000, Duration.ofMinutes(1));
    ExecutorService threads = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        work.add(threads.submit(() -> {
          for (int i = 0; i < 200_000; i++) {
            pending.leave(pending.enter());
          }
        }));
      }
      work.add(threads.submit(() -> {
        for (int i = 0; i < 200_000; i++) {
          pending.refusal();
        }
      }));
      for (Future<?> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertEquals(Optional.empty(), pending.refusal());
    } finally {
      threads.shutdownNow();
    }
  }
}
