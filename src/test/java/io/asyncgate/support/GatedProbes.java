package io.asyncgate.support;

import static io.asyncgate.support.ScriptedSteps.succeeds;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.json.Json;
import io.asyncgate.step.RetryPolicy;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An operation type for tests that stop nodes in the middle of sagas: prepare (instant) → work
 * (waits until the gate named in the body is released) → finish (instant), with every execution of
 * every step counted ({@link ScriptedSteps}). The nodes of one JVM share the gates and the counts,
 * whichever node runs the step.
 */
public final class GatedProbes {
  public static final String ROUTE = "/gated-probes";
  /** Shared by the nodes of this JVM: whichever node runs a step, its calls are counted here. */
  private static final ScriptedSteps STEPS = new ScriptedSteps();

  private GatedProbes() {}

  public static Catalogue catalogue() {
    RetryPolicy retry = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.2);
    return Catalogue.of(OperationType.builder("gated-probe")
        .route("POST " + ROUTE)
        .step("prepare", STEPS.stepWithoutCompensation(succeeds()))
        // Far longer than any test: the attempt is cut off by a stop, never by its timeout.
        .step("work", STEPS.stepWithoutCompensation(STEPS.heldUntilReleased(ctx -> ctx.body().path("gate").asText())),
            Duration.ofMinutes(10), retry)
        .step("finish", STEPS.stepWithoutCompensation(succeeds()))
        .build());
  }

  /** From now on the work step of the operations naming {@code gate} finishes at once. */
  public static void release(String gate) {
    STEPS.release(gate, Json.object());
  }

  public static int executions(String id, String step) {
    return STEPS.executions(id, step);
  }

  /** Submits through {@code node} as a client would (503s sent again), asserting the 202; returns the operation id. */
  public static String submit(TestGate node, String gate) {
    HttpResponse<String> last = node.postJsonAsAClientWould(ROUTE, "{\"gate\":\"" + gate + "\"}");
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
