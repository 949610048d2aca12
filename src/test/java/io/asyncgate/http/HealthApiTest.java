package io.asyncgate.http;

import static io.asyncgate.support.TestHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.ApiAssertions;
import io.asyncgate.support.TestGate;
import io.asyncgate.support.TestHttpClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/API.md, "Other endpoints": {@code GET /health/alive} and {@code GET /health/ready}, and the same
 * checks on Akka Management's port as {@code /alive} and {@code /ready} (the Kubernetes probes).
 */
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
    for (String url : new String[] {gate.base() + "/health/alive", gate.managementBase() + "/alive"}) {
      HttpResponse<String> alive = gate.get(url);
      assertEquals(200, alive.statusCode(), () -> describe(alive));
      assertEquals("alive", alive.body());
    }
    for (String url : new String[] {gate.base() + "/health/ready", gate.managementBase() + "/ready"}) {
      HttpResponse<String> ready = gate.get(url);
      assertEquals(200, ready.statusCode(), () -> describe(ready));
      assertEquals("ready", ready.body());
    }
  }

  @Test
  void aNodeWhoseSeedNodesDoNotAnswerIsAliveButNotReady() {
    String silentSeed = "127.0.0.1:" + unusedPort();
    try (TestGate lonely = TestGate.start(Catalogue.of(), "asyncgate.cluster.seed-nodes = \"" + silentSeed + "\"")) {
      assertEquals(200, lonely.get("/health/alive").statusCode());
      assertEquals(200, lonely.get(lonely.managementBase() + "/alive").statusCode());

      JsonNode problem = ApiAssertions.assertProblem(lonely.get("/health/ready"), lonely.base(), 503, "unhealthy");
      assertTrue(problem.path("detail").asText().contains("has not joined a cluster"), problem::toString);
      HttpResponse<String> managementReady = lonely.get(lonely.managementBase() + "/ready");
      assertEquals(503, managementReady.statusCode(), () -> describe(managementReady));
      assertEquals("application/problem+json", TestHttpClient.mediaType(managementReady));
    }
  }

  @Test
  void healthTakesOnlyGet() {
    ApiAssertions.assertProblem(gate.post("/health/ready"), gate.base(), 405, "method-not-allowed");
    ApiAssertions.assertProblem(gate.get("/health/unknown"), gate.base(), 404, "not-found");
  }

  private static int unusedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
