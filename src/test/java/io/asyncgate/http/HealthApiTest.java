package io.asyncgate.http;

import static io.asyncgate.http.ApiAssertions.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncgate.TestGate;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** API.md, "Other endpoints": {@code GET /health/alive} and {@code GET /health/ready} of a started node. */
class HealthApiTest {
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start();
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  @Test
  void aStartedNodeIsAliveAndReadyOnceUpInItsClusterWithItsDatabaseAnswering() {
    HttpResponse<String> alive = gate.get("/health/alive");
    HttpResponse<String> ready = gate.get("/health/ready");

    assertEquals(200, alive.statusCode(), () -> describe(alive));
    assertEquals(200, ready.statusCode(), () -> describe(ready));
    assertEquals("ready", ready.body());
  }

  @Test
  void healthTakesOnlyGet() {
    ApiAssertions.assertProblem(gate.post("/health/ready"), gate.base(), 405, "method-not-allowed");
    ApiAssertions.assertProblem(gate.get("/health/unknown"), gate.base(), 404, "not-found");
  }
}
