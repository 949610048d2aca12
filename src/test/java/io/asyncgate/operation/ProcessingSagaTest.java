package io.asyncgate.operation;

import io.asyncgate.support.ScriptedSteps;

import io.asyncgate.step.Step;

import io.asyncgate.step.StepFailure;

import io.asyncgate.step.RetryPolicy;

import static io.asyncgate.support.ScriptedSteps.alwaysFailsTransiently;
import static io.asyncgate.support.ScriptedSteps.failsTransiently;
import static io.asyncgate.support.ScriptedSteps.neverCompletes;
import static io.asyncgate.support.ScriptedSteps.rejects;
import static io.asyncgate.support.ScriptedSteps.succeeds;
import static io.asyncgate.support.ScriptedSteps.undoFailsTransiently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.pattern.StatusReply;
import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.json.Json;
import io.asyncgate.support.TestGate;
import io.asyncgate.support.Await;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.step.StepDefinition;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.RequestBuffer;
import io.asyncgate.operation.RequestBuffer.Change;
import io.asyncgate.support.ScriptedSteps.Call;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The processing saga on a real node: operation types registered in Java whose steps are scripted
 * per test and record their calls; what the client sees is read from the status document.
 */
class ProcessingSagaTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final Duration LONG = Duration.ofMinutes(5);
  private static final RetryPolicy QUICK_RETRY = new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(50), 1.0, 0.0);
  private static final ScriptedSteps CALLS = new ScriptedSteps();

  private static final OperationType RETRY = type("retry",
      def("first", CALLS.step(succeeds())),
      // Backoff 200 ms, then 1000 ms: no jitter, so the second wait is certainly the longer.
      def("flaky", CALLS.step(failsTransiently(2)), LONG, new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10), 5.0, 0.0)));

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

  private static final OperationType CANCEL_EARLY = type("cancel-early",
      def("a", CALLS.step(succeeds())),
      def("b", CALLS.step(succeeds())));

  private static final OperationType UNDO_FAILS = type("undo-fails",
      def("a", CALLS.step(succeeds(), undoFailsTransiently(Integer.MAX_VALUE))),
      def("b", CALLS.step(rejects("Declined"))));

  /** Results being made, held until the test lets them go, by request id. */
  private static final Map<String, CompletableFuture<Void>> COMPOSING = new ConcurrentHashMap<>();
  private static final OperationType CANCEL_COMPLETING = OperationType.builder("saga-cancel-completing")
      .route("POST /saga-test/cancel-completing")
      .step(def("a", CALLS.step(succeeds())))
      .step(def("b", CALLS.step(succeeds())))
      .result((request, outputs) -> {
        try {
          COMPOSING.computeIfAbsent(request.id(), k -> new CompletableFuture<>()).get(WITHIN.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return OperationResult.json(outputs.get("b"));
      })
      .build();

  private static final OperationType RESULT_FAILS = OperationType.builder("saga-result-fails")
      .route("POST /saga-test/result-fails")
      .step(def("a", CALLS.step(succeeds())))
      .step(def("b", CALLS.step(succeeds())))
      .result((request, outputs) -> {
        throw new IllegalStateException("no template for this output");
      })
      .build();

  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start(Catalogue.of(RETRY, REJECT, EXHAUST, TIME_OUT, HONOURS_RETRY_AFTER, KEYS, CANCEL_RUNNING,
        CANCEL_BACKOFF, CANCEL_EARLY, CANCEL_COMPLETING, UNDO_FAILS, RESULT_FAILS), "");
  }

  @AfterAll
  static void stop() {
    if (gate != null) {
      gate.close();
    }
  }

  // ---- retries

  @Test
  void aTransientFailureIsRetriedWithGrowingBackoffAndThenSucceeds() {
    String id = submit(RETRY);

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Succeeded", doc.path("status").asText(), doc.toString());
    assertEquals("succeeded", doc.path("phase").asText());
    assertEquals(100, doc.path("percentComplete").asInt());
    assertStep(doc, 0, "first", "Succeeded", 1);
    assertStep(doc, 1, "flaky", "Succeeded", 3);
    assertEquals("flaky", doc.path("result").path("by").asText(), "the last step's output is the result");

    assertEquals(List.of("first#1", "flaky#1", "flaky#2", "flaky#3"), CALLS.trace(id));
    List<Call> flaky = CALLS.of(id).stream().filter(c -> c.step().equals("flaky")).toList();
    Duration firstWait = Duration.ofNanos(flaky.get(1).nanos() - flaky.get(0).nanos());
    Duration secondWait = Duration.ofNanos(flaky.get(2).nanos() - flaky.get(1).nanos());
    assertTrue(firstWait.toMillis() >= 200, "first backoff " + firstWait);
    assertTrue(secondWait.toMillis() >= 1000, "second backoff " + secondWait);
    assertTrue(secondWait.compareTo(firstWait) > 0, "backoff grows: " + firstWait + " then " + secondWait);
  }

  @Test
  void aRejectionIsNotRetriedAndEarlierStepsAreCompensatedInReverseOrder() {
    String id = submit(REJECT);

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Failed", doc.path("status").asText(), doc.toString());
    assertEquals("failed", doc.path("phase").asText());
    assertEquals("OutOfStock", doc.path("error").path("code").asText());
    assertStep(doc, 0, "a", "Succeeded", 1);
    assertCompensation(doc, 0, "Succeeded");
    assertStep(doc, 1, "b", "Succeeded", 1);
    assertCompensation(doc, 1, "Succeeded");
    assertStep(doc, 2, "c", "Failed", 1);
    assertFalse(doc.path("steps").get(2).has("compensation"), "a rejected step did nothing to undo");
    assertStep(doc, 3, "d", "NotStarted", 0);

    // The rejecting step is compensable, yet its compensation is never called.
    assertEquals(List.of("a#1", "b#1", "c#1", "undo b#1", "undo a#1"), CALLS.trace(id));
    assertEquals(422, gate.get("/operations/" + id + "/result").statusCode());
  }

  @Test
  void retriesExhaustedFailWithTheLastErrorAfterCompensating() {
    String id = submit(EXHAUST);

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Failed", doc.path("status").asText(), doc.toString());
    assertEquals("failed", doc.path("phase").asText());
    assertEquals("Unavailable", doc.path("error").path("code").asText());
    assertTrue(doc.path("error").path("message").asText().contains("attempt 3 failed"), doc.path("error").toString());
    assertStep(doc, 1, "b", "Failed", 3);
    assertFalse(doc.path("steps").get(1).has("compensation"), "transient failures leave nothing in doubt");
    assertCompensation(doc, 0, "Succeeded");

    assertEquals(List.of("a#1", "b#1", "b#2", "b#3", "undo a#1"), CALLS.trace(id));
    assertEquals(502, gate.get("/operations/" + id + "/result").statusCode());
  }

  @Test
  void aStepThatNeverCompletesTimesOutIsRetriedAndIsCompensatedBecauseItsEffectIsInDoubt() {
    String id = submit(TIME_OUT);

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Failed", doc.path("status").asText(), doc.toString());
    assertEquals("StepTimedOut", doc.path("error").path("code").asText());
    assertStep(doc, 1, "b", "Failed", 2);
    assertCompensation(doc, 1, "Succeeded");
    assertCompensation(doc, 0, "Succeeded");

    // Unlike a rejected step, the timed-out one is undone — first, as the last one done.
    assertEquals(List.of("a#1", "b#1", "b#2", "undo b#1", "undo a#1"), CALLS.trace(id));
    assertEquals(504, gate.get("/operations/" + id + "/result").statusCode());
  }

  @Test
  void retryAfterOfATransientFailureIsHonoured() {
    String id = submit(HONOURS_RETRY_AFTER);

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Succeeded", doc.path("status").asText(), doc.toString());
    assertStep(doc, 0, "a", "Succeeded", 2);

    List<Call> calls = CALLS.of(id);
    assertEquals(List.of("a#1", "a#2"), CALLS.trace(id));
    Duration waited = Duration.ofNanos(calls.get(1).nanos() - calls.get(0).nanos());
    assertTrue(waited.compareTo(RETRY_AFTER) >= 0, "the backoff is 10 ms but Retry-After said " + RETRY_AFTER + "; waited " + waited);
  }

  @Test
  void everyAttemptAndTheCompensationShareOneIdempotencyKeyAndSeeEarlierOutputs() {
    String id = submit(KEYS);

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Failed", doc.path("status").asText(), doc.toString());
    assertEquals("Stop", doc.path("error").path("code").asText());
    assertStep(doc, 1, "b", "Succeeded", 2);
    assertCompensation(doc, 1, "Succeeded");
    assertEquals(2, doc.path("steps").get(1).path("compensation").path("attempts").asInt());

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
    String id = submit(CANCEL_RUNNING);
    CALLS.await(id, calls -> calls.size() == 2, WITHIN); // a done, b running (held)

    HttpResponse<String> cancel = gate.post("/operations/" + id + "/cancel");
    assertEquals(202, cancel.statusCode(), cancel.body());
    JsonNode accepted = TestGate.json(cancel);
    assertEquals("Running", accepted.path("status").asText());
    assertTrue(accepted.path("cancelRequested").asBoolean());
    assertEquals("cancelling", accepted.path("phase").asText());

    JsonNode cancelling = awaitDoc(id, d -> d.path("cancelRequested").asBoolean());
    assertEquals("Running", cancelling.path("status").asText(), cancelling.toString());
    assertEquals("cancelling", cancelling.path("phase").asText());
    assertStep(cancelling, 1, "b", "Running", 1);
    assertEquals(List.of("a#1", "b#1"), CALLS.trace(id), "nothing is undone while b is still running");

    CALLS.release(id, "b", Json.object().put("by", "b"));

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Canceled", doc.path("status").asText(), doc.toString());
    assertEquals("canceled", doc.path("phase").asText());
    assertTrue(doc.path("cancelRequested").asBoolean());
    assertEquals("OperationCanceled", doc.path("error").path("code").asText());
    assertStep(doc, 0, "a", "Succeeded", 1);
    assertCompensation(doc, 0, "Succeeded");
    assertStep(doc, 1, "b", "Succeeded", 1);
    assertCompensation(doc, 1, "Succeeded");
    assertStep(doc, 2, "c", "NotStarted", 0);
    assertEquals(List.of("a#1", "b#1", "undo b#1", "undo a#1"), CALLS.trace(id));
    assertEquals(409, gate.get("/operations/" + id + "/result").statusCode());
  }

  @Test
  void cancelDuringARetryBackoffStopsWaitingAtOnce() {
    String id = submit(CANCEL_BACKOFF);
    awaitDoc(id, d -> d.path("phase").asText().equals("retrying"));

    assertEquals(202, gate.post("/operations/" + id + "/cancel").statusCode());

    // The backoff is 60 s: being canceled well within that means the wait was cut short.
    JsonNode doc = gate.awaitTerminal(id, Duration.ofSeconds(20));
    assertEquals("Canceled", doc.path("status").asText(), doc.toString());
    assertEquals(1, doc.path("steps").get(1).path("attempts").asInt());
    assertEquals("Canceled", doc.path("steps").get(1).path("status").asText(), "abandoned between attempts");
    assertFalse(doc.path("steps").get(1).has("compensation"), "its one attempt failed transiently: nothing to undo");
    assertCompensation(doc, 0, "Succeeded");
    assertEquals(List.of("a#1", "b#1", "undo a#1"), CALLS.trace(id));
  }

  @Test
  void cancelBeforeTheFirstStepStartsGoesStraightToCanceled() throws Exception {
    // Submit and cancel reach the entity back to back, so the cancel is handled before the saga's
    // first step is recorded.
    String id = UUID.randomUUID().toString();
    OperationRequest request = new OperationRequest(id, CANCEL_EARLY.name(), "POST", CANCEL_EARLY.route().template(),
        Map.of(), Json.object(), "anonymous", Instant.now(), CANCEL_EARLY.plan());
    EntityRef<RequestBuffer.Command> entity = RequestBuffer.entityRef(gate.gate().system(), id);
    CompletableFuture<StatusReply<Operation>> submitted = entity
        .<StatusReply<Operation>>ask(replyTo -> new RequestBuffer.Submit(request, replyTo), WITHIN).toCompletableFuture();
    CompletableFuture<Change> canceled = entity.<Change>ask(RequestBuffer.Cancel::new, WITHIN).toCompletableFuture();

    assertTrue(submitted.get(WITHIN.toSeconds(), TimeUnit.SECONDS).isSuccess());
    Change change = canceled.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    assertEquals(Change.Outcome.CANCELING, change.outcome());
    // Nothing had started, so the cancel's own answer already says Canceled (API.md).
    assertEquals(OperationStatus.Canceled, change.operation().progress().status(), change.toString());

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Canceled", doc.path("status").asText(), doc.toString());
    assertStep(doc, 0, "a", "NotStarted", 0);
    assertStep(doc, 1, "b", "NotStarted", 0);
    assertFalse(doc.path("steps").get(0).has("compensation"));
    assertEquals(List.of(), CALLS.trace(id), "no step ran");
  }

  @Test
  void cancelAcceptedWhileTheResultIsBeingMadeStillCompensatesAndCancels() {
    String id = submit(CANCEL_COMPLETING);
    CALLS.await(id, calls -> calls.size() == 2, WITHIN);
    Instant deadline = Instant.now().plus(WITHIN);
    while (!COMPOSING.containsKey(id)) { // every step succeeded; the result is being made
      assertTrue(Instant.now().isBefore(deadline), "the result was never made");
      Await.sleep(Duration.ofMillis(20));
    }

    HttpResponse<String> cancel = gate.post("/operations/" + id + "/cancel");
    assertEquals(202, cancel.statusCode(), cancel.body());
    assertEquals("Running", TestGate.json(cancel).path("status").asText());
    COMPOSING.get(id).complete(null);

    // The cancel was accepted before the operation succeeded: it must end Canceled, not Succeeded.
    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Canceled", doc.path("status").asText(), doc.toString());
    assertCompensation(doc, 0, "Succeeded");
    assertCompensation(doc, 1, "Succeeded");
    assertEquals(List.of("a#1", "b#1", "undo b#1", "undo a#1"), CALLS.trace(id));
  }

  // ---- compensation that keeps failing

  @Test
  void aResultThatCannotBeMadeFailsTheOperationAfterCompensatingItsSteps() {
    String id = submit(RESULT_FAILS);

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Failed", doc.path("status").asText(), doc.toString());
    assertEquals("ResultUnavailable", doc.path("error").path("code").asText(), doc.toString());
    assertTrue(doc.path("error").path("message").asText().contains("no template for this output"), doc.toString());
    assertCompensation(doc, 0, "Succeeded");
    assertCompensation(doc, 1, "Succeeded");
    assertEquals(List.of("a#1", "b#1", "undo b#1", "undo a#1"), CALLS.trace(id));
    assertEquals(502, gate.get("/operations/" + id + "/result").statusCode());
  }

  @Test
  void aCompensationThatKeepsFailingEndsFailedWithCompensationFailed() {
    String id = submit(UNDO_FAILS);

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Failed", doc.path("status").asText(), doc.toString());
    assertEquals("compensation-failed", doc.path("phase").asText());
    JsonNode error = doc.path("error");
    assertEquals("CompensationFailed", error.path("code").asText());
    assertEquals("Declined", error.path("innererror").path("code").asText(), error.toString());
    assertFalse(error.path("innererror").path("message").asText().isEmpty());
    JsonNode undo = doc.path("steps").get(0).path("compensation");
    assertEquals("Failed", undo.path("status").asText());
    assertEquals(QUICK_RETRY.maxAttempts(), undo.path("attempts").asInt());
    assertEquals("UndoUnavailable", undo.path("lastError").path("code").asText());
    assertStep(doc, 1, "b", "Failed", 1);

    assertEquals(List.of("a#1", "b#1", "undo a#1", "undo a#2", "undo a#3"), CALLS.trace(id));
  }

  // ---- the demo order

  @Test
  void anOrderOfMoreThanAThousandItemsIsDeclinedAndItsReservationReleased() {
    String id = gate.submitOrder("Ada", 1001);

    JsonNode doc = gate.awaitTerminal(id, WITHIN);
    assertEquals("Failed", doc.path("status").asText(), doc.toString());
    assertEquals("DownstreamRejected", doc.path("error").path("code").asText(), doc::toString);
    assertEquals("PaymentDeclined", doc.path("error").path("innererror").path("code").asText(), doc::toString);
    assertStep(doc, 0, "reserve-inventory", "Succeeded", 1);
    assertCompensation(doc, 0, "Succeeded");
    assertStep(doc, 1, "charge-payment", "Failed", 1);
    assertFalse(doc.path("steps").get(1).has("compensation"));
    assertStep(doc, 2, "ship-order", "NotStarted", 0);
  }

  // ---- helpers

  private static OperationType type(String name, StepDefinition... steps) {
    OperationType.Builder builder = OperationType.builder("saga-" + name).route("POST /saga-test/" + name);
    for (StepDefinition step : steps) {
      builder.step(step);
    }
    return builder.build();
  }

  private static StepDefinition def(String name, Step step) {
    return def(name, step, LONG, QUICK_RETRY);
  }

  private static StepDefinition def(String name, Step step, Duration timeout, RetryPolicy retry) {
    return new StepDefinition(name, step, timeout, retry, QUICK_RETRY);
  }

  private static String submit(OperationType type) {
    HttpResponse<String> response = gate.postJson(type.route().template(), "{}");
    assertEquals(202, response.statusCode(), response.body());
    return TestGate.json(response).path("id").asText();
  }

  private static JsonNode awaitDoc(String id, Predicate<JsonNode> condition) {
    Instant deadline = Instant.now().plus(WITHIN);
    JsonNode last = null;
    while (Instant.now().isBefore(deadline)) {
      last = gate.status(id);
      if (condition.test(last)) {
        return last;
      }
      Await.sleep(Duration.ofMillis(20));
    }
    throw new AssertionError("the status of " + id + " did not get there within " + WITHIN + "; last: " + last);
  }

  private static void assertStep(JsonNode doc, int index, String name, String status, int attempts) {
    JsonNode step = doc.path("steps").get(index);
    assertEquals(name, step.path("name").asText(), doc.toString());
    assertEquals(status, step.path("status").asText(), "status of " + name + " in " + doc);
    assertEquals(attempts, step.path("attempts").asInt(), "attempts of " + name + " in " + doc);
  }

  private static void assertCompensation(JsonNode doc, int index, String status) {
    JsonNode step = doc.path("steps").get(index);
    assertEquals(status, step.path("compensation").path("status").asText(), "compensation of " + step.path("name") + " in " + doc);
  }
}
