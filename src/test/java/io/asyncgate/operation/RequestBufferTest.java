package io.asyncgate.operation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResult;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationEvent.Accepted;
import io.asyncgate.operation.OperationEvent.CancelRequested;
import io.asyncgate.operation.OperationEvent.Purged;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.operation.OperationState;
import io.asyncgate.operation.OperationState.Empty;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.Phase;
import io.asyncgate.operation.RequestBuffer.Change;
import io.asyncgate.operation.RequestBuffer.Change.Outcome;
import io.asyncgate.operation.StepProgress.StepStatus;
import io.asyncgate.step.CompensableStep;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.StepContext;
import io.asyncgate.step.StepFailure;
import io.asyncgate.support.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The request buffer entity on the persistence test kit, which also checks that every command,
 * event and state survives serialization. Its saga runs for real; the steps used here either never
 * finish (so the saga stays inside its first attempt and records nothing unasked) or end at once.
 */
class RequestBufferTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config()
          .withFallback(ConfigFactory.parseString("akka.actor.provider = local\nasyncgate.processing { max-running-sagas = 8, min-running-sagas = 8, submit-write-target = 0s }"))
          .withFallback(ConfigFactory.parseResources("serialization.conf"))
          .withFallback(ConfigFactory.load()));

  private static final Duration WITHIN = Duration.ofSeconds(20);
  private static final RetryPolicy ONCE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0.0);

  private static final RetryPolicy THRICE = new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 1.0, 0.0);

  private static final OperationType HANGS = type("hangs", THRICE, ctx -> new CompletableFuture<>());
  private static final OperationType HANGS_ONE_ATTEMPT = type("hangs-once", ONCE, ctx -> new CompletableFuture<>());
  private static final OperationType SUCCEEDS = type("succeeds", ONCE,
      ctx -> CompletableFuture.completedFuture(Json.object().put("done", ctx.requestId())));
  private static final OperationType REJECTS = type("rejects", ONCE,
      ctx -> CompletableFuture.failedFuture(StepFailure.rejected("Nope", "the downstream said no")));
  private static final Catalogue CATALOGUE = Catalogue.of(HANGS, HANGS_ONE_ATTEMPT, SUCCEEDS, REJECTS);

  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  // ---- submit

  @Test
  void submitPersistsAcceptedAndRepliesWithTheOperation() {
    String id = newId();
    EventSourcedBehaviorTestKit<RequestBuffer.Command, OperationEvent, OperationState> entity = entity(id);
    OperationRequest request = request(id, HANGS);

    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, StatusReply<OperationView>> result =
        entity.<StatusReply<OperationView>>runCommand(replyTo -> new RequestBuffer.Submit(request, replyTo));

    assertTrue(result.reply().isSuccess());
    // The reply is the view of the accepted operation (no request body, no outputs), and it crosses the cluster.
    OperationView accepted = new OperationView(id, HANGS.name(), "anonymous", Progress.accepted(request), null);
    assertEquals(accepted, result.reply().getValue());
    assertEquals(accepted, testKit.serializationTestKit().verifySerialization(result.reply().getValue(), true));
    assertEquals(new Accepted(request), result.events().get(0));
    assertEquals(request, result.stateOfType(Operation.class).request());
    // Once accepted durably, the saga starts: its first attempt is recorded.
    Operation running = awaitState(entity, op -> op.progress().step("hang").status() == StepStatus.Running);
    assertEquals(1, running.progress().step("hang").attempts());
    assertEquals(OperationStatus.Running, running.progress().status());
  }

  @Test
  void aSecondSubmitWithTheSameIdPersistsNothingAndRepliesTheSameOperation() {
    String id = newId();
    var entity = entity(id);
    OperationRequest first = request(id, HANGS);
    submitAndAwaitFirstAttempt(entity, first);

    OperationRequest again = new OperationRequest(id, HANGS.name(), "POST", "/hangs", Map.of(),
        Json.object().put("other", true), "anonymous", Instant.now().plusSeconds(5), HANGS.plan());
    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, StatusReply<OperationView>> result =
        entity.<StatusReply<OperationView>>runCommand(replyTo -> new RequestBuffer.Submit(again, replyTo));

    assertTrue(result.hasNoEvents(), "events: " + result.events());
    assertTrue(result.reply().isSuccess());
    assertEquals(id, result.reply().getValue().id());
    assertEquals(first.acceptedAt(), result.reply().getValue().progress().createdAt());
    assertEquals(first, result.stateOfType(Operation.class).request());
  }

  // ---- cancel

  @Test
  void cancelPersistsCancelRequestedAndRepliesCanceling() {
    String id = newId();
    var entity = entity(id);
    submitAndAwaitFirstAttempt(entity, request(id, HANGS));

    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, Change> result =
        entity.<Change>runCommand(RequestBuffer.Cancel::new);

    assertEquals(1, result.events().size(), "events: " + result.events());
    assertInstanceOf(CancelRequested.class, result.events().get(0));
    assertEquals(Outcome.CANCELING, result.reply().outcome());
    testKit.serializationTestKit().verifySerialization(result.reply(), true);
    OperationView op = result.reply().operation();
    assertTrue(op.progress().cancelRequested());
    assertEquals(OperationStatus.Running, op.progress().status());
    assertEquals(Phase.CANCELLING, op.progress().phase());

    // A repeated cancel is answered the same and records nothing more.
    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, Change> again =
        entity.<Change>runCommand(RequestBuffer.Cancel::new);
    assertTrue(again.hasNoEvents(), "events: " + again.events());
    assertEquals(Outcome.CANCELING, again.reply().outcome());
  }

  @Test
  void cancelOfASucceededOperationIsAConflictAndPersistsNothing() {
    String id = newId();
    var entity = entity(id);
    submit(entity, request(id, SUCCEEDS));
    awaitState(entity, op -> op.progress().status() == OperationStatus.Succeeded);

    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, Change> result =
        entity.<Change>runCommand(RequestBuffer.Cancel::new);

    assertTrue(result.hasNoEvents(), "events: " + result.events());
    assertEquals(Outcome.CONFLICT, result.reply().outcome());
    assertEquals(OperationStatus.Succeeded, result.reply().operation().progress().status());
    assertEquals(OperationStatus.Succeeded, result.stateOfType(Operation.class).progress().status());
  }

  @Test
  void cancelOfAFailedOperationIsAConflictAndPersistsNothing() {
    String id = newId();
    var entity = entity(id);
    submit(entity, request(id, REJECTS));
    Operation failed = awaitState(entity, op -> op.progress().status() == OperationStatus.Failed);
    assertEquals("Nope", failed.progress().error().code());

    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, Change> result =
        entity.<Change>runCommand(RequestBuffer.Cancel::new);

    assertTrue(result.hasNoEvents(), "events: " + result.events());
    assertEquals(Outcome.CONFLICT, result.reply().outcome());
    assertEquals(OperationStatus.Failed, result.reply().operation().progress().status());
  }

  @Test
  void cancelAndDeleteOfAnEmptyEntityAreNotFoundAndPassivateIt() {
    String id = newId();
    var entity = entity(id);

    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, Change> cancel =
        entity.<Change>runCommand(RequestBuffer.Cancel::new);
    assertTrue(cancel.hasNoEvents());
    assertEquals(Outcome.NOT_FOUND, cancel.reply().outcome());
    assertNull(cancel.reply().operation());
    assertInstanceOf(Empty.class, cancel.state());
    shard.expectMessageClass(ClusterSharding.Passivate.class);

    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, Change> delete =
        entity.<Change>runCommand(RequestBuffer.Delete::new);
    assertTrue(delete.hasNoEvents());
    assertEquals(Outcome.NOT_FOUND, delete.reply().outcome());
    assertNull(delete.reply().operation());
    assertInstanceOf(Empty.class, delete.state());
  }

  // ---- delete

  @Test
  void deleteOfATerminalOperationPersistsPurged() {
    String id = newId();
    var entity = entity(id);
    submit(entity, request(id, SUCCEEDS));
    awaitState(entity, op -> op.progress().status() == OperationStatus.Succeeded);

    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, Change> result =
        entity.<Change>runCommand(RequestBuffer.Delete::new);

    assertEquals(1, result.events().size(), "events: " + result.events());
    assertInstanceOf(Purged.class, result.events().get(0));
    assertEquals(Outcome.PURGED, result.reply().outcome());
    assertTrue(result.reply().operation().progress().purged());
    assertEquals(OperationStatus.Succeeded, result.stateOfType(Operation.class).progress().status());
    // A purged operation keeps no result, in the entity as in the view.
    assertNull(result.stateOfType(Operation.class).result());

    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, Change> again =
        entity.<Change>runCommand(RequestBuffer.Delete::new);
    assertTrue(again.hasNoEvents(), "purged once: events " + again.events());
    assertEquals(Outcome.PURGED, again.reply().outcome());
  }

  @Test
  void deleteOfARunningOperationCancelsIt() {
    String id = newId();
    var entity = entity(id);
    submitAndAwaitFirstAttempt(entity, request(id, HANGS));

    CommandResultWithReply<RequestBuffer.Command, OperationEvent, OperationState, Change> result =
        entity.<Change>runCommand(RequestBuffer.Delete::new);

    assertEquals(1, result.events().size(), "events: " + result.events());
    assertInstanceOf(CancelRequested.class, result.events().get(0));
    assertEquals(Outcome.CANCELING, result.reply().outcome());
    assertTrue(result.stateOfType(Operation.class).progress().cancelRequested());
  }

  // ---- recovery

  @Test
  void aRestartRecoversTheStateAndResumesTheSagaWithTheNextAttempt() {
    String id = newId();
    var entity = entity(id);
    Operation before = submitAndAwaitFirstAttempt(entity, request(id, HANGS));

    EventSourcedBehaviorTestKit.RestartResult<OperationState> restarted = entity.restart();

    // The state is read after recovery, when the resumed saga may already have recorded attempt 2:
    // compare what was recovered, not the attempt count.
    Operation recovered = assertInstanceOf(Operation.class, restarted.state());
    assertEquals(before.request(), recovered.request());
    assertEquals(before.progress().createdAt(), recovered.progress().createdAt());
    assertTrue(recovered.progress().step("hang").attempts() >= 1, recovered::toString);
    // Attempt 1 has no outcome in the journal: it was interrupted, so the resumed saga runs attempt 2.
    Operation resumed = awaitState(entity, op -> op.progress().step("hang").attempts() == 2);
    assertEquals(StepStatus.Running, resumed.progress().step("hang").status());
  }

  @Test
  void anAttemptInterruptedWhenNoAttemptIsLeftFailsTheStep() {
    String id = newId();
    var entity = entity(id);
    submitAndAwaitFirstAttempt(entity, request(id, HANGS_ONE_ATTEMPT));

    entity.restart();

    Operation failed = awaitState(entity, op -> op.progress().isTerminal());
    assertEquals(OperationStatus.Failed, failed.progress().status());
    assertEquals("StepInterrupted", failed.progress().error().code());
    assertEquals(1, failed.progress().step("hang").attempts());
    // An interrupted attempt may have taken effect: it is compensated before the end.
    assertEquals(StepStatus.Succeeded, failed.progress().step("hang").compensation());
  }

  @Test
  void aRestartRecoversASucceededOperationWithItsResult() {
    String id = newId();
    var entity = entity(id);
    submit(entity, request(id, SUCCEEDS));
    Operation before = awaitState(entity, op -> op.progress().status() == OperationStatus.Succeeded);

    Operation after = (Operation) entity.restart().state();

    assertEquals(before.request(), after.request());
    assertEquals(before.progress(), after.progress());
    assertEquals(before.outputs(), after.outputs());
    assertEquals(Json.object().put("done", id), after.outputs().get("hang"));
    assertEquals(before.result().contentType(), after.result().contentType());
    assertArrayEquals(before.result().body(), after.result().body());
    assertNotEquals(0, after.result().body().length);
  }

  // ---- helpers

  private static OperationType type(String name, RetryPolicy retry, java.util.function.Function<StepContext, CompletionStage<JsonNode>> execute) {
    CompensableStep step = new CompensableStep() {
      @Override
      public CompletionStage<JsonNode> execute(StepContext ctx) {
        return execute.apply(ctx);
      }

      @Override
      public CompletionStage<Void> compensate(StepContext ctx) {
        return CompletableFuture.completedFuture(null);
      }
    };
    // A step timeout of an hour: "never completes" stays inside the first attempt for the whole test.
    return OperationType.builder(name).route("POST /" + name).step("hang", step, Duration.ofHours(1), retry).build();
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }

  private static OperationRequest request(String id, OperationType type) {
    return new OperationRequest(id, type.name(), "POST", type.route().template(), Map.of(),
        Json.object().put("n", 1), "anonymous", Instant.now(), type.plan());
  }

  private EventSourcedBehaviorTestKit<RequestBuffer.Command, OperationEvent, OperationState> entity(String id) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        RequestBuffer.create(id, CATALOGUE, shard.ref(), Duration.ofHours(1)));
  }

  private static void submit(EventSourcedBehaviorTestKit<RequestBuffer.Command, OperationEvent, OperationState> entity,
      OperationRequest request) {
    CommandResult<RequestBuffer.Command, OperationEvent, OperationState> result =
        entity.<StatusReply<OperationView>>runCommand(replyTo -> new RequestBuffer.Submit(request, replyTo));
    assertInstanceOf(Accepted.class, result.events().get(0));
  }

  /** Submits and waits until the saga has recorded the start of the first attempt, which never ends. */
  private static Operation submitAndAwaitFirstAttempt(
      EventSourcedBehaviorTestKit<RequestBuffer.Command, OperationEvent, OperationState> entity, OperationRequest request) {
    submit(entity, request);
    return awaitState(entity, op -> op.progress().step("hang").status() == StepStatus.Running);
  }

  private static Operation awaitState(
      EventSourcedBehaviorTestKit<RequestBuffer.Command, OperationEvent, OperationState> entity, Predicate<Operation> condition) {
    Instant deadline = Instant.now().plus(WITHIN);
    OperationState last = null;
    while (Instant.now().isBefore(deadline)) {
      last = entity.getState();
      if (last instanceof Operation op && condition.test(op)) {
        return op;
      }
      Await.sleep(Duration.ofMillis(20));
    }
    throw new AssertionError("the entity did not get there within " + WITHIN + "; last state: " + last);
  }
}
