package io.asyncgate.operation;

import static io.asyncgate.support.ScriptedSteps.alwaysFailsTransiently;
import static io.asyncgate.support.ScriptedSteps.failsTransiently;
import static io.asyncgate.support.ScriptedSteps.neverCompletes;
import static io.asyncgate.support.ScriptedSteps.rejects;
import static io.asyncgate.support.ScriptedSteps.succeeds;
import static io.asyncgate.support.ScriptedSteps.undoFailsTransiently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationEvent.Accepted;
import io.asyncgate.operation.OperationEvent.CancelRequested;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.StepProgress.StepStatus;
import io.asyncgate.step.FailureKind;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.Step;
import io.asyncgate.step.StepContext;
import io.asyncgate.step.StepDefinition;
import io.asyncgate.step.StepFailure;
import io.asyncgate.support.Await;
import io.asyncgate.support.ScriptedSteps;
import io.asyncgate.support.ScriptedSteps.Call;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The processing saga on Akka's ActorTestKit, its owner played by a TestProbe: the probe answers
 * each {@link ProcessingSaga.Record} with the operation folded with the event — what the request
 * buffer answers once the event is in its journal — and sends the {@link ProcessingSaga.Wake} of a
 * cancel. The steps are scripted per test and record their calls; what the saga made of them is read
 * from the operation's progress, which the status document shows as it is. No node, no database:
 * where the real entity is needed, see {@link ProcessingSagaOnANodeTest} and {@code RequestBufferTest}.
 */
class ProcessingSagaTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final Duration LONG = Duration.ofMinutes(5);
  /** Long enough for a saga that was going to record something to have done so. */
  private static final Duration QUIET = Duration.ofMillis(300);
  private static final RetryPolicy QUICK_RETRY = new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(50), 1.0, 0.0);
  private static final ScriptedSteps CALLS = new ScriptedSteps();

  private static final OperationType RETRY = type("retry",
      def("first", CALLS.step(succeeds())),
      // Backoff 200 ms, then 1000 ms: no jitter, so the second wait is certainly the longer.
      def("flaky", CALLS.step(failsTransiently(2)), LONG, new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10), 5.0, 0.0)));

  private static final OperationType THREE_STEPS = type("three-steps",
      def("a", CALLS.step(succeeds())),
      def("b", CALLS.step(succeeds())),
      def("c", CALLS.step(succeeds())));

  private static final OperationType REJECT = type("reject",
      def("a", CALLS.step(succeeds())),
      def("b", CALLS.step(succeeds())),
      def("c", CALLS.step(rejects("OutOfStock"))),
      def("d", CALLS.step(succeeds())));

  private static final OperationType EXHAUST = type("exhaust",
      def("a", CALLS.step(succeeds())),
      def("b", CALLS.step(alwaysFailsTransiently("Unavailable"))));

  private static final OperationType TIME_OUT = type("timeout",
      def("a", CALLS.step(succeeds())),
      def("b", CALLS.step(neverCompletes()), Duration.ofMillis(300), new RetryPolicy(2, Duration.ofMillis(50), Duration.ofMillis(50), 1.0, 0.0)));

  private static final Duration RETRY_AFTER = Duration.ofMillis(1500);
  private static final OperationType HONOURS_RETRY_AFTER = type("retry-after",
      def("a", CALLS.step(ctx -> ctx.attempt() == 1
          ? CompletableFuture.failedFuture(StepFailure.transientFailure("Busy", "come back later").retryAfter(RETRY_AFTER))
          : CompletableFuture.completedFuture(ScriptedSteps.output(ctx))),
          LONG, new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 0.0)));

  private static final OperationType KEYS = type("keys",
      def("a", CALLS.step(succeeds())),
      def("b", CALLS.step(failsTransiently(1), undoFailsTransiently(1))),
      def("c", CALLS.step(rejects("Stop"))));

  private static final OperationType CANCEL_RUNNING = type("cancel-running",
      def("a", CALLS.step(succeeds())),
      def("b", CALLS.step(CALLS.held())),
      def("c", CALLS.step(succeeds())));

  private static final OperationType CANCEL_BACKOFF = type("cancel-backoff",
      def("a", CALLS.step(succeeds())),
      def("b", CALLS.step(alwaysFailsTransiently("Unavailable")), LONG,
          new RetryPolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(60), 1.0, 0.0)));

  private static final OperationType UNDO_FAILS = type("undo-fails",
      def("a", CALLS.step(succeeds(), undoFailsTransiently(Integer.MAX_VALUE))),
      def("b", CALLS.step(rejects("Declined"))));

  private static final OperationType RESULT_FAILS = OperationType.builder("saga-result-fails")
      .route("POST /saga-result-fails")
      .step(def("a", CALLS.step(succeeds())))
      .step(def("b", CALLS.step(succeeds())))
      .result((request, outputs) -> {
        throw new IllegalStateException("no template for this output");
      })
      .build();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  // ---- the journal writes of a saga

  @Test
  void eachOutcomeIsRecordedInOneWriteWithWhatFollowsIt() {
    Saga saga = Saga.start(THREE_STEPS);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Succeeded, done.status(), done.toString());
    for (int i = 0; i < 3; i++) {
      assertStep(done, i, List.of("a", "b", "c").get(i), StepStatus.Succeeded, 1);
    }
    // Started a; succeeded a + started b; succeeded b + started c; succeeded c + Succeeded.
    assertEquals(4, saga.records, "records asked of the owner");
    assertEquals(3, saga.writesWithNext, "records that carried the next event");
    assertEquals(List.of("a#1", "b#1", "c#1"), CALLS.trace(saga.id()));
  }

  // ---- retries

  @Test
  void aTransientFailureIsRetriedWithGrowingBackoffAndThenSucceeds() {
    Saga saga = Saga.start(RETRY);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Succeeded, done.status(), done.toString());
    assertEquals(Phase.SUCCEEDED, done.phase());
    assertEquals(100, done.percentComplete());
    assertStep(done, 0, "first", StepStatus.Succeeded, 1);
    assertStep(done, 1, "flaky", StepStatus.Succeeded, 3);
    JsonNode result = Json.read(new String(saga.operation.result().body(), StandardCharsets.UTF_8), JsonNode.class);
    assertEquals("flaky", result.path("by").asText(), "the last step's output is the result");

    assertEquals(List.of("first#1", "flaky#1", "flaky#2", "flaky#3"), CALLS.trace(saga.id()));
    List<Call> flaky = CALLS.of(saga.id()).stream().filter(c -> c.step().equals("flaky")).toList();
    Duration firstWait = Duration.ofNanos(flaky.get(1).nanos() - flaky.get(0).nanos());
    Duration secondWait = Duration.ofNanos(flaky.get(2).nanos() - flaky.get(1).nanos());
    assertTrue(firstWait.toMillis() >= 200, "first backoff " + firstWait);
    assertTrue(secondWait.toMillis() >= 1000, "second backoff " + secondWait);
    assertTrue(secondWait.compareTo(firstWait) > 0, "backoff grows: " + firstWait + " then " + secondWait);
  }

  @Test
  void aRejectionIsNotRetriedAndEarlierStepsAreCompensatedInReverseOrder() {
    Saga saga = Saga.start(REJECT);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Failed, done.status(), done.toString());
    assertEquals(Phase.FAILED, done.phase());
    assertEquals("OutOfStock", done.error().code());
    assertStep(done, 0, "a", StepStatus.Succeeded, 1);
    assertCompensation(done, 0, StepStatus.Succeeded);
    assertStep(done, 1, "b", StepStatus.Succeeded, 1);
    assertCompensation(done, 1, StepStatus.Succeeded);
    assertStep(done, 2, "c", StepStatus.Failed, 1);
    assertNull(done.steps().get(2).compensation(), "a rejected step did nothing to undo");
    assertStep(done, 3, "d", StepStatus.NotStarted, 0);

    // The rejecting step is compensable, yet its compensation is never called.
    assertEquals(List.of("a#1", "b#1", "c#1", "undo b#1", "undo a#1"), CALLS.trace(saga.id()));
    assertEquals(FailureKind.REJECTED, done.failureKind(), "its result is a 422");
  }

  @Test
  void retriesExhaustedFailWithTheLastErrorAfterCompensating() {
    Saga saga = Saga.start(EXHAUST);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Failed, done.status(), done.toString());
    assertEquals(Phase.FAILED, done.phase());
    assertEquals("Unavailable", done.error().code());
    assertTrue(done.error().message().contains("attempt 3 failed"), done.error().toString());
    assertStep(done, 1, "b", StepStatus.Failed, 3);
    assertNull(done.steps().get(1).compensation(), "transient failures leave nothing in doubt");
    assertCompensation(done, 0, StepStatus.Succeeded);

    assertEquals(List.of("a#1", "b#1", "b#2", "b#3", "undo a#1"), CALLS.trace(saga.id()));
    assertEquals(FailureKind.TRANSIENT, done.failureKind(), "its result is a 502");
  }

  @Test
  void aStepThatNeverCompletesTimesOutIsRetriedAndIsCompensatedBecauseItsEffectIsInDoubt() {
    Saga saga = Saga.start(TIME_OUT);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Failed, done.status(), done.toString());
    assertEquals("StepTimedOut", done.error().code());
    assertStep(done, 1, "b", StepStatus.Failed, 2);
    assertCompensation(done, 1, StepStatus.Succeeded);
    assertCompensation(done, 0, StepStatus.Succeeded);

    // Unlike a rejected step, the timed-out one is undone — first, as the last one done.
    assertEquals(List.of("a#1", "b#1", "b#2", "undo b#1", "undo a#1"), CALLS.trace(saga.id()));
    assertEquals(FailureKind.TIMEOUT, done.failureKind(), "its result is a 504");
  }

  @Test
  void retryAfterOfATransientFailureIsHonoured() {
    Saga saga = Saga.start(HONOURS_RETRY_AFTER);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Succeeded, done.status(), done.toString());
    assertStep(done, 0, "a", StepStatus.Succeeded, 2);

    List<Call> calls = CALLS.of(saga.id());
    assertEquals(List.of("a#1", "a#2"), CALLS.trace(saga.id()));
    Duration waited = Duration.ofNanos(calls.get(1).nanos() - calls.get(0).nanos());
    assertTrue(waited.compareTo(RETRY_AFTER) >= 0, "the backoff is 10 ms but Retry-After said " + RETRY_AFTER + "; waited " + waited);
  }

  @Test
  void everyAttemptAndTheCompensationShareOneIdempotencyKeyAndSeeEarlierOutputs() {
    Saga saga = Saga.start(KEYS);
    String id = saga.id();

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Failed, done.status(), done.toString());
    assertEquals("Stop", done.error().code());
    assertStep(done, 1, "b", StepStatus.Succeeded, 2);
    assertCompensation(done, 1, StepStatus.Succeeded);
    assertEquals(2, done.steps().get(1).compensationAttempts());

    List<Call> calls = CALLS.of(id);
    assertEquals(List.of("a#1", "b#1", "b#2", "c#1", "undo b#1", "undo b#2", "undo a#1"), CALLS.trace(id));
    for (Call call : calls) {
      assertEquals(id + ":" + call.step(), call.idempotencyKey(), call.toString());
    }
    JsonNode outputOfA = Json.object().put("by", "a").put("attempt", 1).put("token", id + ":a/1");
    JsonNode outputOfB = Json.object().put("by", "b").put("attempt", 2).put("token", id + ":b/2");
    assertEquals(Map.of(), calls.get(0).outputs(), "nothing before the first step");
    assertEquals(Map.of("a", outputOfA), calls.get(1).outputs());
    assertEquals(Map.of("a", outputOfA), calls.get(2).outputs());
    assertEquals(Map.of("a", outputOfA, "b", outputOfB), calls.get(3).outputs());
    assertEquals(outputOfB, calls.get(4).outputs().get("b"), "the compensation sees what it undoes");
  }

  // ---- cancel

  @Test
  void cancelWhileAStepRunsLetsItFinishThenCompensatesCompletedStepsInReverseOrder() {
    Saga saga = Saga.start(CANCEL_RUNNING);
    String id = saga.id();
    saga.recordUntil(op -> op.progress().step("b").status() == StepStatus.Running, WITHIN);
    CALLS.await(id, calls -> calls.size() == 2, WITHIN); // a done, b running (held)

    Progress accepted = saga.cancel().progress();
    assertEquals(OperationStatus.Running, accepted.status());
    assertTrue(accepted.cancelRequested());
    assertEquals(Phase.CANCELLING, accepted.phase());

    saga.owner.expectNoMessage(QUIET);
    Progress cancelling = saga.operation.progress();
    assertEquals(OperationStatus.Running, cancelling.status(), cancelling.toString());
    assertEquals(Phase.CANCELLING, cancelling.phase());
    assertStep(cancelling, 1, "b", StepStatus.Running, 1);
    assertEquals(List.of("a#1", "b#1"), CALLS.trace(id), "nothing is undone while b is still running");

    CALLS.release(id, "b", Json.object().put("by", "b"));

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Canceled, done.status(), done.toString());
    assertEquals(Phase.CANCELED, done.phase());
    assertTrue(done.cancelRequested());
    assertEquals("OperationCanceled", done.error().code());
    assertStep(done, 0, "a", StepStatus.Succeeded, 1);
    assertCompensation(done, 0, StepStatus.Succeeded);
    assertStep(done, 1, "b", StepStatus.Succeeded, 1);
    assertCompensation(done, 1, StepStatus.Succeeded);
    assertStep(done, 2, "c", StepStatus.NotStarted, 0);
    assertEquals(List.of("a#1", "b#1", "undo b#1", "undo a#1"), CALLS.trace(id));
  }

  @Test
  void cancelDuringARetryBackoffStopsWaitingAtOnce() {
    Saga saga = Saga.start(CANCEL_BACKOFF);
    saga.recordUntil(op -> op.progress().phase() == Phase.RETRYING, WITHIN);

    assertTrue(saga.cancel().progress().cancelRequested());

    // The backoff is 60 s: being canceled well within that means the wait was cut short.
    Progress done = saga.recordUntilTerminal(Duration.ofSeconds(20));
    assertEquals(OperationStatus.Canceled, done.status(), done.toString());
    assertEquals(1, done.steps().get(1).attempts());
    assertEquals(StepStatus.Canceled, done.steps().get(1).status(), "abandoned between attempts");
    assertNull(done.steps().get(1).compensation(), "its one attempt failed transiently: nothing to undo");
    assertCompensation(done, 0, StepStatus.Succeeded);
    assertEquals(List.of("a#1", "b#1", "undo a#1"), CALLS.trace(saga.id()));
  }

  // ---- compensation that keeps failing

  @Test
  void aResultThatCannotBeMadeFailsTheOperationAfterCompensatingItsSteps() {
    Saga saga = Saga.start(RESULT_FAILS);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Failed, done.status(), done.toString());
    assertEquals("ResultUnavailable", done.error().code(), done.toString());
    assertTrue(done.error().message().contains("no template for this output"), done.toString());
    assertCompensation(done, 0, StepStatus.Succeeded);
    assertCompensation(done, 1, StepStatus.Succeeded);
    assertEquals(List.of("a#1", "b#1", "undo b#1", "undo a#1"), CALLS.trace(saga.id()));
    assertEquals(FailureKind.TRANSIENT, done.failureKind(), "its result is a 502");
  }

  @Test
  void aCompensationThatKeepsFailingEndsFailedWithCompensationFailed() {
    Saga saga = Saga.start(UNDO_FAILS);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Failed, done.status(), done.toString());
    assertEquals(Phase.COMPENSATION_FAILED, done.phase());
    OperationError error = done.error();
    assertEquals("CompensationFailed", error.code());
    assertEquals("Declined", error.innererror().code(), error.toString());
    assertFalse(error.innererror().message().isEmpty());
    StepProgress undone = done.steps().get(0);
    assertEquals(StepStatus.Failed, undone.compensation());
    assertEquals(QUICK_RETRY.maxAttempts(), undone.compensationAttempts());
    assertEquals("UndoUnavailable", undone.compensationFailure().code());
    assertStep(done, 1, "b", StepStatus.Failed, 1);

    assertEquals(List.of("a#1", "b#1", "undo a#1", "undo a#2", "undo a#3"), CALLS.trace(saga.id()));
  }

  // ---- timeouts kept by the step, abandoned attempts, throttling

  /** What each attempt was told: its timeout, and the signal that the saga gave up on it, by request id. */
  private static final Map<String, StepContext> CONTEXTS = new ConcurrentHashMap<>();

  /** A held step that says it bounds its attempts itself, as an HTTP step does from the moment its call is admitted. */
  private static final OperationType OWN_TIMEOUT = type("own-timeout", def("a", new Step() {
    private final Step held = CALLS.step(CALLS.held());

    @Override
    public CompletionStage<JsonNode> execute(StepContext ctx) {
      CONTEXTS.put(ctx.requestId(), ctx);
      return held.execute(ctx);
    }

    @Override
    public boolean enforcesOwnTimeout() {
      return true;
    }
  }, Duration.ofMillis(200), QUICK_RETRY));

  /** A held step; a cancel or the saga's end is seen through {@code abandoned()}, and the attempt then fails as a withdrawn call does. */
  private static final OperationType ABANDONABLE = type("abandonable", def("a", CALLS.step(ctx -> {
    CONTEXTS.put(ctx.requestId(), ctx);
    return ctx.abandoned().thenCompose(gaveUp -> CompletableFuture.<JsonNode>failedFuture(
        StepFailure.transientFailure("CallWithdrawn", "withdrawn")));
  }), LONG, new RetryPolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(60), 1.0, 0.0)));

  private static final OperationType TIMED_OUT_BY_SAGA = type("timed-out-by-saga", def("a", CALLS.step(ctx -> {
    CONTEXTS.put(ctx.requestId() + "#" + ctx.attempt(), ctx);
    return new CompletableFuture<>();
  }), Duration.ofMillis(200), new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 0.0)));

  private static final RetryPolicy TWO_ATTEMPTS = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 0.0);

  /**
   * Throttled three times, then a failure that counts, then it succeeds; a rejection of the next step
   * makes it undo, which is throttled twice, fails once, then succeeds. Each with max-attempts = 2.
   */
  private static final OperationType THROTTLED = type("throttled",
      new StepDefinition("a", CALLS.step(
          ctx -> ctx.attempt() <= 3 ? CompletableFuture.failedFuture(throttled())
              : ctx.attempt() == 4 ? CompletableFuture.failedFuture(StepFailure.transientFailure("Broken", "a 500"))
              : CompletableFuture.completedFuture(Json.object()),
          ctx -> ctx.attempt() <= 2 ? CompletableFuture.<Void>failedFuture(throttled())
              : ctx.attempt() == 3 ? CompletableFuture.<Void>failedFuture(StepFailure.transientFailure("Broken", "a 500"))
              : CompletableFuture.<Void>completedFuture(null)),
          LONG, TWO_ATTEMPTS, TWO_ATTEMPTS),
      def("b", CALLS.step(rejects("Declined"))));

  private static final OperationType THROTTLED_FOR_GOOD = type("throttled-for-good",
      def("a", CALLS.step(ctx -> CompletableFuture.failedFuture(throttled())), LONG,
          new RetryPolicy(2, Duration.ofMillis(20), Duration.ofMillis(20), 1.0, 0.0, Duration.ofMillis(300))));

  private static StepFailure throttled() {
    return StepFailure.transientFailure("DownstreamUnavailable", "503 Service Unavailable").throttled();
  }

  @Test
  void aStepThatKeepsItsOwnTimeoutIsNotCutOffByTheSagaAndIsToldItsTimeout() {
    Saga saga = Saga.start(OWN_TIMEOUT);
    saga.recordUntil(op -> op.progress().step("a").attempts() == 1, WITHIN);

    // Four times its timeout: the saga would have recorded the attempt as timed out long since.
    saga.owner.expectNoMessage(Duration.ofMillis(800));
    assertEquals(Duration.ofMillis(200), CONTEXTS.get(saga.id()).timeout());
    CALLS.release(saga.id(), "a", Json.object());

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Succeeded, done.status(), done.toString());
    assertStep(done, 0, "a", StepStatus.Succeeded, 1);
  }

  @Test
  void aSagaThatStopsAbandonsTheAttemptUnderWay() {
    Saga saga = Saga.start(ABANDONABLE);
    saga.recordUntil(op -> op.progress().step("a").attempts() == 1, WITHIN);
    CompletableFuture<Void> abandoned = Await.until("the attempt running", () -> CONTEXTS.get(saga.id()), c -> c != null, WITHIN)
        .abandoned().toCompletableFuture();
    assertFalse(abandoned.isDone(), "not abandoned while the saga waits for it");

    testKit.stop(saga.ref);

    Await.until("the attempt abandoned", abandoned::isDone, done -> done, WITHIN);
  }

  @Test
  void aCancelAbandonsTheAttemptUnderWayAndTheSagaUnwindsWithoutWaitingForABackoff() {
    Saga saga = Saga.start(ABANDONABLE);
    saga.recordUntil(op -> op.progress().step("a").attempts() == 1, WITHIN);
    Await.until("the attempt running", () -> CONTEXTS.get(saga.id()), c -> c != null, WITHIN);

    saga.cancel();

    // The step's backoff is a minute: a saga that waited for it would not end within WITHIN.
    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Canceled, done.status(), done.toString());
    assertTrue(CONTEXTS.get(saga.id()).abandoned().toCompletableFuture().isDone());
    assertEquals(List.of("a#1"), CALLS.trace(saga.id()), "canceled, so never tried again");
  }

  @Test
  void anAttemptTheSagaTimesOutIsAbandoned() {
    Saga saga = Saga.start(TIMED_OUT_BY_SAGA);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(StepFailure.TIMED_OUT, done.error().code(), done.toString());
    for (int attempt = 1; attempt <= 2; attempt++) {
      assertTrue(CONTEXTS.get(saga.id() + "#" + attempt).abandoned().toCompletableFuture().isDone(), "attempt " + attempt);
    }
  }

  @Test
  void throttledAttemptsOfAStepAndOfItsCompensationDoNotCountAgainstMaxAttempts() {
    Saga saga = Saga.start(THROTTLED);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Failed, done.status(), done.toString());
    assertEquals("Declined", done.error().code(), "failed by the rejection, not by throttling: " + done);
    StepProgress a = done.steps().get(0);
    assertEquals(StepStatus.Succeeded, a.status(), done.toString());
    assertEquals(5, a.attempts(), "three throttled, two that counted, with max-attempts = 2");
    assertEquals(3, a.throttling().attempts());
    assertEquals(StepStatus.Succeeded, a.compensation(), done.toString());
    assertEquals(4, a.compensationAttempts(), "two throttled undo attempts, two that counted, with max-attempts = 2");
    assertEquals(2, a.compensationThrottling().attempts());
    assertEquals(List.of("a#1", "a#2", "a#3", "a#4", "a#5", "b#1", "undo a#1", "undo a#2", "undo a#3", "undo a#4"),
        CALLS.trace(saga.id()));
  }

  @Test
  void aStepThrottledPastMaxThrottledWaitFailsSayingSo() {
    Saga saga = Saga.start(THROTTLED_FOR_GOOD);

    Progress done = saga.recordUntilTerminal(WITHIN);
    assertEquals(OperationStatus.Failed, done.status(), done.toString());
    assertEquals("DownstreamUnavailable", done.error().code(), done.toString());
    assertTrue(done.error().message().contains("max-throttled-wait (300 ms)"), done.error().message());
    assertTrue(done.steps().get(0).attempts() > 2, "throttled attempts went on past max-attempts = 2: " + done);
  }

  // ---- the saga and the probe that owns it

  /** One operation's saga, spawned on its accepted state, and the probe standing in for its owner. */
  private static final class Saga {
    final TestProbe<ProcessingSaga.Record> owner = testKit.createTestProbe();
    final ActorRef<ProcessingSaga.Command> ref;
    /** The operation as the owner has recorded it. */
    Operation operation;
    /** How many records the saga asked for, and how many carried the next event with them. */
    int records;
    int writesWithNext;

    private Saga(OperationType type) {
      String id = UUID.randomUUID().toString();
      OperationRequest request = new OperationRequest(id, type.name(), "POST", type.route().template(), Map.of(),
          Json.object(), "anonymous", Instant.now(), type.plan());
      operation = (Operation) new OperationState.Empty().apply(new Accepted(request));
      ref = testKit.spawn(ProcessingSaga.create(operation, type, owner.ref(), Clock.systemUTC()));
    }

    static Saga start(OperationType type) {
      return new Saga(type);
    }

    String id() {
      return operation.id();
    }

    /**
     * Takes the saga's next record, folds its event into the operation — and the event decided
     * after it, unless the operation changed since the saga last heard (a cancel) — and answers
     * with the result, as the request buffer does.
     */
    private void recordNext(Duration within) {
      ProcessingSaga.Record record = owner.expectMessageClass(ProcessingSaga.Record.class, within);
      records++;
      boolean withNext = record.next() != null && record.decidedOn() == operation;
      operation = operation.apply(record.event());
      if (withNext) {
        operation = operation.apply(record.next());
        writesWithNext++;
      }
      record.replyTo().tell(new ProcessingSaga.Recorded(operation, withNext));
    }

    /** Records as the owner until the operation is as {@code condition} says, all within {@code within}. */
    Operation recordUntil(Predicate<Operation> condition, Duration within) {
      long deadline = System.nanoTime() + within.toNanos();
      while (!condition.test(operation)) {
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        if (left.isNegative()) {
          throw new AssertionError("the operation did not get there within " + within + "; it is " + operation);
        }
        recordNext(left);
      }
      return operation;
    }

    /** Records until the operation is terminal; returns its progress. */
    Progress recordUntilTerminal(Duration within) {
      return recordUntil(op -> op.progress().isTerminal(), within).progress();
    }

    /** The client's cancel as the owner takes it: {@code CancelRequested} recorded, and the saga woken. */
    Operation cancel() {
      operation = operation.apply(new CancelRequested(Instant.now()));
      ref.tell(new ProcessingSaga.Wake(operation));
      return operation;
    }
  }

  // ---- helpers

  private static OperationType type(String name, StepDefinition... steps) {
    return ScriptedSteps.type("saga-" + name, steps);
  }

  private static StepDefinition def(String name, Step step) {
    return def(name, step, LONG, QUICK_RETRY);
  }

  private static StepDefinition def(String name, Step step, Duration timeout, RetryPolicy retry) {
    return new StepDefinition(name, step, timeout, retry, QUICK_RETRY);
  }

  private static void assertStep(Progress progress, int index, String name, StepStatus status, int attempts) {
    StepProgress step = progress.steps().get(index);
    assertEquals(name, step.name(), progress.toString());
    assertEquals(status, step.status(), "status of " + name + " in " + progress);
    assertEquals(attempts, step.attempts(), "attempts of " + name + " in " + progress);
  }

  private static void assertCompensation(Progress progress, int index, StepStatus status) {
    StepProgress step = progress.steps().get(index);
    assertEquals(status, step.compensation(), "compensation of " + step.name() + " in " + progress);
  }
}
