package io.asyncgate.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncgate.catalogue.OperationType;
import io.asyncgate.json.Json;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.StepContext;
import io.asyncgate.step.StepFailure;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Operation types registered in Java, as a user of the Step SPI would, to reach each outcome on demand. */
public final class TestTypes {
  private static final ScriptedSteps STEPS = new ScriptedSteps();
  private static final RetryPolicy TWO_QUICK_ATTEMPTS = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20), 2.0, 0.0);

  private TestTypes() {}

  /** {@code POST /held}: one step that runs until the test calls {@link #release}; its compensation succeeds at once. */
  public static OperationType held() {
    return OperationType.builder("held")
        .route("POST /held")
        .step("wait-for-release", STEPS.step(STEPS.heldUntilReleased(StepContext::requestId)), Duration.ofSeconds(120),
            TWO_QUICK_ATTEMPTS)
        .build();
  }

  /** Lets the held step of the operation finish with {@code {"released": true}}, also if it has not started yet. */
  public static void release(String operationId) {
    STEPS.release(operationId, Json.object().put("released", true));
  }

  /** Submits to {@code POST /held} (asserting the 202) and returns the operation id. */
  public static String submitHeld(TestGate gate) {
    HttpResponse<String> response = gate.postJson("/held", "{}");
    assertEquals(202, response.statusCode(), () -> TestHttpClient.describe(response));
    return TestGate.json(response).path("id").asText();
  }

  /** {@code POST /flaky}: the downstream answers 503 every time, past its two attempts: Failed, 502. */
  public static OperationType flaky() {
    return OperationType.builder("flaky")
        .route("POST /flaky")
        .step("call-downstream", ctx -> CompletableFuture.failedFuture(
            StepFailure.transientFailure("DownstreamUnavailable", "The downstream answered 503.")),
            Duration.ofSeconds(5), TWO_QUICK_ATTEMPTS)
        .build();
  }

  /** {@code POST /stuck}: the step never answers within its 200 ms, twice: Failed, 504. */
  public static OperationType stuck() {
    return OperationType.builder("stuck")
        .route("POST /stuck")
        .step("call-slow-downstream", ctx -> new CompletableFuture<>(), Duration.ofMillis(200), TWO_QUICK_ATTEMPTS)
        .build();
  }

  /** A type that succeeds at once with {@code {"done": true}}, under its own route, e.g. to list only its operations. */
  public static OperationType quick(String name) {
    return OperationType.builder(name)
        .route("POST /" + name)
        .step("finish", ctx -> CompletableFuture.completedFuture(Json.object().put("done", true)))
        .build();
  }
}
