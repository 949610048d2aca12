package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.saga.RetryPolicy;
import io.asyncgate.saga.Step;
import io.asyncgate.saga.StepContext;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 2 of DESIGN.md across a graceful restart, in this JVM: sagas stopped in the middle
 * resume on a new node on the same files by themselves (only status reads here), the steps that had
 * succeeded do not run again, and the step that was cut off runs once more. The {@code kill -9}
 * case is {@link KillRestartIT}.
 */
class RestartTest {
  private static final String ROUTE = "/restart-probes";
  private static final Duration AWAIT = Duration.ofSeconds(60);

  /** Executions of each step, by {@code {requestId}:{step}} (the idempotency key). */
  private static final Map<String, AtomicInteger> EXECUTIONS = new ConcurrentHashMap<>();
  /** The middle step of the operations naming a gate waits until that gate is released. */
  private static final Map<String, CompletableFuture<Void>> GATES = new ConcurrentHashMap<>();

  /** prepare (instant) → work (waits for its gate) → finish (instant). */
  private static Catalogue probes() {
    Step prepare = ctx -> counted(ctx, CompletableFuture.completedFuture(null));
    Step work = ctx -> counted(ctx, gate(ctx.body().path("gate").asText()));
    Step finish = ctx -> counted(ctx, CompletableFuture.completedFuture(null));
    RetryPolicy retry = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.2);
    return Catalogue.of(OperationType.builder("restart-probe")
        .route("POST " + ROUTE)
        .step("prepare", prepare)
        // Far longer than the test: the attempt is cut off by the stop, never by its timeout.
        .step("work", work, Duration.ofMinutes(10), retry)
        .step("finish", finish)
        .build());
  }

  private static CompletableFuture<JsonNode> counted(StepContext ctx, CompletableFuture<Void> done) {
    EXECUTIONS.computeIfAbsent(ctx.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
    return done.thenApply(v -> {
      ObjectNode out = Json.object();
      out.put("step", ctx.step());
      out.put("attempt", ctx.attempt());
      return out;
    });
  }

  private static CompletableFuture<Void> gate(String name) {
    return GATES.computeIfAbsent(name, k -> new CompletableFuture<>());
  }

  private static int executions(String id, String step) {
    AtomicInteger n = EXECUTIONS.get(id + ":" + step);
    return n == null ? 0 : n.get();
  }

  @Test
  void sagasStoppedMidwayResumeAfterRestartWithoutClientAction() throws IOException {
    String gate = UUID.randomUUID().toString();
    Path dataDir = Files.createTempDirectory("asyncgate-restart");
    List<String> ids = new ArrayList<>();
    try (TestGate first = TestGate.startIn(dataDir, probes(), "")) {
      for (int i = 0; i < 4; i++) {
        ids.add(submit(first, gate));
      }
      // Mid-saga: prepare succeeded, work running (its attempt under way) for every operation.
      for (String id : ids) {
        awaitMidSaga(first, id);
      }
    }
    ids.forEach(id -> assertEquals(1, executions(id, "work"), "work ran once before the stop"));
    gate(gate).complete(null); // from now on work finishes at once

    try (TestGate second = TestGate.startIn(dataDir, probes(), "")) {
      for (String id : ids) {
        JsonNode done = second.awaitTerminal(id, AWAIT);
        assertEquals("Succeeded", done.get("status").asText(), () -> "after the restart: " + done);
        assertEquals(1, attempts(done, "prepare"), () -> "prepare had succeeded before the stop: " + done);
        assertEquals(2, attempts(done, "work"), () -> "work was cut off by the stop and runs again: " + done);
        assertEquals(1, attempts(done, "finish"), () -> done.toString());
        assertEquals(1, executions(id, "prepare"), "a step that had succeeded never runs again");
        assertEquals(2, executions(id, "work"), "the interrupted step ran again, once");
        assertEquals(1, executions(id, "finish"));
      }
    }
  }

  @Test
  void operationAcceptedJustBeforeStopFinishesAfterRestart() throws IOException {
    String gate = UUID.randomUUID().toString();
    Path dataDir = Files.createTempDirectory("asyncgate-restart");
    String id;
    try (TestGate first = TestGate.startIn(dataDir, probes(), "")) {
      id = submit(first, gate); // the 202, then the stop at once
    }
    gate(gate).complete(null);

    try (TestGate second = TestGate.startIn(dataDir, probes(), "")) {
      JsonNode done = second.awaitTerminal(id, AWAIT);
      assertEquals("Succeeded", done.get("status").asText(), () -> "after the restart: " + done);
      for (String step : List.of("prepare", "work", "finish")) {
        assertTrue(executions(id, step) >= 1, step + " ran");
        // An attempt the stop cut off between its record and its start counts without an execution.
        assertTrue(executions(id, step) <= attempts(done, step), () -> "every execution of " + step + " is a recorded attempt: " + done);
      }
      assertEquals(1, executions(id, "finish"), "nothing ran the last step before the stop");
    }
  }

  private static String submit(TestGate node, String gate) {
    HttpResponse<String> response = node.postJson(ROUTE, "{\"gate\":\"" + gate + "\"}");
    assertEquals(202, response.statusCode(), response::body);
    return TestGate.json(response).get("id").asText();
  }

  private static void awaitMidSaga(TestGate node, String id) {
    Instant deadline = Instant.now().plus(AWAIT);
    JsonNode last = null;
    while (Instant.now().isBefore(deadline)) {
      last = node.status(id);
      if (stepStatus(last, "prepare").equals("Succeeded") && stepStatus(last, "work").equals("Running")
          && executions(id, "work") == 1) {
        return;
      }
      TestGate.sleep(Duration.ofMillis(50));
    }
    throw new AssertionError("operation " + id + " did not get to its running middle step within " + AWAIT + "; last: " + last);
  }

  private static JsonNode step(JsonNode doc, String name) {
    for (JsonNode step : doc.path("steps")) {
      if (step.path("name").asText().equals(name)) {
        return step;
      }
    }
    throw new AssertionError("no step " + name + " in " + doc);
  }

  private static String stepStatus(JsonNode doc, String name) {
    return step(doc, name).path("status").asText();
  }

  private static int attempts(JsonNode doc, String name) {
    return step(doc, name).path("attempts").asInt();
  }
}
