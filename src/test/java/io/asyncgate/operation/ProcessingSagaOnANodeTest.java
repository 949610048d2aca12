package io.asyncgate.operation;

import static io.asyncgate.support.ScriptedSteps.succeeds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.pattern.StatusReply;
import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.RequestBuffer.Change;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.Step;
import io.asyncgate.step.StepDefinition;
import io.asyncgate.support.Await;
import io.asyncgate.support.ScriptedSteps;
import io.asyncgate.support.TestGate;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The processing saga with its real owner, the request buffer, on a node: where what the client sees
 * depends on how the entity and its saga meet (a cancel racing the first step or the result), and
 * the demo order over real HTTP steps. The saga alone is {@link ProcessingSagaTest}.
 */
class ProcessingSagaOnANodeTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final RetryPolicy QUICK_RETRY = new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(50), 1.0, 0.0);
  private static final ScriptedSteps CALLS = new ScriptedSteps();

  private static final OperationType CANCEL_EARLY = ScriptedSteps.type("saga-cancel-early",
      def("a", CALLS.step(succeeds())),
      def("b", CALLS.step(succeeds())));

  /** Results being made, held until the test lets them go, by request id. */
  private static final Map<String, CompletableFuture<Void>> COMPOSING = new ConcurrentHashMap<>();
  private static final OperationType CANCEL_COMPLETING = OperationType.builder("saga-cancel-completing")
      .route("POST /saga-cancel-completing")
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

  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start(Catalogue.of(CANCEL_EARLY, CANCEL_COMPLETING), "");
  }

  @AfterAll
  static void stop() {
    if (gate != null) {
      gate.close();
    }
  }

  @Test
  void cancelBeforeTheFirstStepStartsGoesStraightToCanceled() throws Exception {
    // Submit and cancel reach the entity back to back, so the cancel is handled before the saga's
    // first step is recorded.
    String id = UUID.randomUUID().toString();
    OperationRequest request = new OperationRequest(id, CANCEL_EARLY.name(), "POST", CANCEL_EARLY.route().template(),
        Map.of(), Json.object(), "anonymous", Instant.now(), CANCEL_EARLY.plan());
    EntityRef<RequestBuffer.Command> entity = RequestBuffer.entityRef(gate.gate().system(), id);
    CompletableFuture<StatusReply<OperationView>> submitted = entity
        .<StatusReply<OperationView>>ask(replyTo -> new RequestBuffer.Submit(request, replyTo), WITHIN).toCompletableFuture();
    CompletableFuture<Change> canceled = entity.<Change>ask(RequestBuffer.Cancel::new, WITHIN).toCompletableFuture();

    assertTrue(submitted.get(WITHIN.toSeconds(), TimeUnit.SECONDS).isSuccess());
    Change change = canceled.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    assertEquals(Change.Outcome.CANCELING, change.outcome());
    // Nothing had started, so the cancel's own answer already says Canceled (docs/API.md).
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
    // Every step succeeded; the result is being made.
    Await.until("the result of " + id + " being made", () -> COMPOSING.containsKey(id), making -> making, WITHIN,
        Duration.ofMillis(20));

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

  private static StepDefinition def(String name, Step step) {
    return new StepDefinition(name, step, Duration.ofMinutes(5), QUICK_RETRY, QUICK_RETRY);
  }

  private static String submit(OperationType type) {
    HttpResponse<String> response = gate.postJson(type.route().template(), "{}");
    assertEquals(202, response.statusCode(), response.body());
    return TestGate.json(response).path("id").asText();
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
