package io.asyncgate.step.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.dispatch.ExecutionContexts;
import io.asyncgate.step.http.DownstreamLimiter.Origin;
import io.asyncgate.step.http.DownstreamLimiter.Outcome;
import io.asyncgate.step.http.DownstreamLimiter.Permit;
import io.asyncgate.support.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The queue of one downstream, step by step: who is admitted when. Admissions run on a calling-thread
 * executor, so each is decided and done by the time {@code release} returns.
 */
class DownstreamLimiterTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Origin ORIGIN = new Origin("http", "127.0.0.1", 9);
  private static final CompletableFuture<Void> NEVER_ABANDONED = new CompletableFuture<>();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static DownstreamLimiter limiter(int maxConcurrentCalls) {
    DownstreamLimits limits = new DownstreamLimits(new DownstreamLimits.Limit(maxConcurrentCalls, Duration.ofMinutes(1)), Map.of());
    return new DownstreamLimiter(limits, testKit.system().scheduler(), ExecutionContexts.fromExecutor(Runnable::run));
  }

  private static List<CompletableFuture<Permit>> admit(DownstreamLimiter limiter, int calls) {
    List<CompletableFuture<Permit>> admitted = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      admitted.add(limiter.admit(ORIGIN, NEVER_ABANDONED));
    }
    return admitted;
  }

  /** Which of the calls have been admitted, e.g. [true, true, false]. */
  private static List<Boolean> admitted(List<CompletableFuture<Permit>> calls) {
    return calls.stream().map(c -> c.isDone() && !c.isCompletedExceptionally()).toList();
  }

  private static void release(CompletableFuture<Permit> call, Outcome outcome) {
    call.join().release(outcome);
  }

  @Test
  void callsBeyondTheLimitWaitAndAreAdmittedInOrderAsPlacesFree() {
    DownstreamLimiter limiter = limiter(2);
    List<CompletableFuture<Permit>> calls = admit(limiter, 4);
    assertEquals(List.of(true, true, false, false), admitted(calls));

    release(calls.get(1), Outcome.OTHER);
    assertEquals(List.of(true, true, true, false), admitted(calls));
    release(calls.get(1), Outcome.OTHER);
    assertEquals(List.of(true, true, true, false), admitted(calls), "a permit frees its place once");
    release(calls.get(0), Outcome.OTHER);
    assertEquals(List.of(true, true, true, true), admitted(calls));
  }

  @Test
  void aWaitingCallWhoseAttemptIsAbandonedLeavesTheQueueAndTheNextGetsItsTurn() {
    DownstreamLimiter limiter = limiter(1);
    CompletableFuture<Permit> first = limiter.admit(ORIGIN, NEVER_ABANDONED);
    CompletableFuture<Void> abandoned = new CompletableFuture<>();
    CompletableFuture<Permit> second = limiter.admit(ORIGIN, abandoned);
    CompletableFuture<Permit> third = limiter.admit(ORIGIN, NEVER_ABANDONED);

    abandoned.complete(null);
    assertTrue(second.isCancelled(), "withdrawn, never admitted");
    release(first, Outcome.SUCCEEDED);

    assertEquals(List.of(true, false, true), admitted(List.of(first, second, third)));
    assertTrue(limiter.admit(ORIGIN, abandoned).isCancelled(), "an attempt already abandoned sends nothing");
  }

  @Test
  void pushBackHalvesTheLimitOncePerRoundOfCallsAndEachSuccessRaisesItByOne() {
    DownstreamLimiter limiter = limiter(4);
    List<CompletableFuture<Permit>> calls = admit(limiter, 8);
    assertEquals(4, admitted(calls).stream().filter(a -> a).count());

    // Both pushed back, but they were sent together: one halving, 4 → 2, and 2 still in flight.
    release(calls.get(0), Outcome.THROTTLED);
    release(calls.get(1), Outcome.THROTTLED);
    assertEquals(List.of(false, false, false, false), admitted(calls.subList(4, 8)));
    release(calls.get(2), Outcome.OTHER);
    assertEquals(List.of(true, false, false, false), admitted(calls.subList(4, 8)), "limit 2, one in flight");
    // A success raises the limit to 3 and frees a place: two more go out.
    release(calls.get(3), Outcome.SUCCEEDED);
    assertEquals(List.of(true, true, true, false), admitted(calls.subList(4, 8)));
    // Sent after the halving, this one may halve again: 3 → 1, so with one still in flight nothing goes out.
    release(calls.get(4), Outcome.THROTTLED);
    release(calls.get(5), Outcome.OTHER);
    assertEquals(false, admitted(calls).get(7));
    release(calls.get(6), Outcome.SUCCEEDED);
    assertEquals(true, admitted(calls).get(7), "limit 2 after the success, none in flight");
  }

  @Test
  void aPauseHoldsEveryCallUntilItIsUp() {
    DownstreamLimiter limiter = limiter(4);
    CompletableFuture<Permit> inFlight = limiter.admit(ORIGIN, NEVER_ABANDONED);
    limiter.pause(ORIGIN, Duration.ofMillis(300));
    List<CompletableFuture<Permit>> calls = admit(limiter, 3);
    assertEquals(List.of(false, false, false), admitted(calls), "there are free places, but the downstream asked to wait");
    release(inFlight, Outcome.OTHER);
    assertEquals(List.of(false, false, false), admitted(calls), "a place freed during the pause waits too");

    Await.until("the pause to end", () -> admitted(calls), a -> a.stream().allMatch(x -> x), Duration.ofSeconds(30));
    IntStream.range(0, 3).forEach(i -> release(calls.get(i), Outcome.SUCCEEDED));
  }
}
