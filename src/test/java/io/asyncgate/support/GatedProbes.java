package io.asyncgate.support;

import io.asyncgate.json.Json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.Step;
import io.asyncgate.step.StepContext;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An operation type for tests that stop nodes in the middle of sagas: prepare (instant) → work
 * (waits until the gate named in the body is released) → finish (instant), with every execution of
 * every step counted. The nodes of one JVM share the gates and the counts, whichever node runs the step.
 */
public final class GatedProbes {
  public static final String ROUTE = "/gated-probes";
  private static final int SUBMIT_ATTEMPTS = 3;

  /** Executions of each step, by {@code {requestId}:{step}} (the idempotency key). */
  private static final Map<String, AtomicInteger> EXECUTIONS = new ConcurrentHashMap<>();
  private static final Map<String, CompletableFuture<Void>> GATES = new ConcurrentHashMap<>();

  private GatedProbes() {}

  public static Catalogue catalogue() {
    Step prepare = ctx -> counted(ctx, CompletableFuture.completedFuture(null));
    Step work = ctx -> counted(ctx, gate(ctx.body().path("gate").asText()));
    Step finish = ctx -> counted(ctx, CompletableFuture.completedFuture(null));
    RetryPolicy retry = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.2);
    return Catalogue.of(OperationType.builder("gated-probe")
        .route("POST " + ROUTE)
        .step("prepare", prepare)
        // Far longer than any test: the attempt is cut off by a stop, never by its timeout.
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

  /** From now on the work step of the operations naming {@code gate} finishes at once. */
  public static void release(String gate) {
    gate(gate).complete(null);
  }

  public static int executions(String id, String step) {
    AtomicInteger n = EXECUTIONS.get(id + ":" + step);
    return n == null ? 0 : n.get();
  }

  /**
   * Submits through {@code node}, asserting the 202; returns the operation id. A 503 with
   * Retry-After is sent again after the time it names, as API.md tells clients to (at most
   * {@value #SUBMIT_ATTEMPTS} times): on a busy machine the first submits to a node that has just
   * joined can outlast the 5 s write timeout while its new shards start.
   */
  public static String submit(TestGate node, String gate) {
    HttpResponse<String> response = node.postJson(ROUTE, "{\"gate\":\"" + gate + "\"}");
    for (int attempt = 1; attempt < SUBMIT_ATTEMPTS && response.statusCode() == 503; attempt++) {
      HttpResponse<String> refused = response;
      String retryAfter = refused.headers().firstValue("Retry-After")
          .orElseThrow(() -> new AssertionError("a 503 without Retry-After: " + refused.body()));
      Await.sleep(Duration.ofSeconds(Long.parseLong(retryAfter)));
      response = node.postJson(ROUTE, "{\"gate\":\"" + gate + "\"}");
    }
    HttpResponse<String> last = response;
    assertEquals(202, last.statusCode(), last::body);
    return TestGate.json(last).get("id").asText();
  }

  /** Waits until prepare succeeded and work runs, its first execution under way. */
  public static void awaitMidSaga(TestGate node, String id, Duration within) {
    Await.until("operation " + id + " getting to its running middle step", () -> node.status(id),
        doc -> stepStatus(doc, "prepare").equals("Succeeded") && stepStatus(doc, "work").equals("Running")
            && executions(id, "work") == 1, within);
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

  /** The attempts the status document reports for {@code step}. */
  public static int attempts(JsonNode doc, String step) {
    return step(doc, step).path("attempts").asInt();
  }
}
