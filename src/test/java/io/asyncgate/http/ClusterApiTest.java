package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.assertAccepted;
import static io.asyncgate.support.ApiAssertions.assertProblem;
import static io.asyncgate.support.ApiAssertions.assertRetryAfter;
import static io.asyncgate.support.GatedProbes.attempts;
import static io.asyncgate.support.GatedProbes.awaitMidSaga;
import static io.asyncgate.support.GatedProbes.executions;
import static io.asyncgate.support.GatedProbes.submit;
import static io.asyncgate.support.TestHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.Await;
import io.asyncgate.support.GatedProbes;
import io.asyncgate.support.TestGate;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several nodes in one cluster on one shared database (in this JVM, on one H2 file): any node takes
 * any request, and a node that leaves gracefully hands its running sagas to the others.
 */
class ClusterApiTest {
  /** Heartbeats of several nodes on 2 loaded cores arrive late; no node here is meant to look dead. */
  private static final String NODE_CONFIG = "akka.cluster.failure-detector.acceptable-heartbeat-pause = 10s";
  private static final Duration AWAIT = Duration.ofSeconds(60);

  private static TestGate a;
  private static TestGate b;
  private static TestGate c;

  @BeforeAll
  static void startThreeNodes() {
    a = TestGate.start(GatedProbes.catalogue(), NODE_CONFIG);
    b = TestGate.joining(a, GatedProbes.catalogue(), NODE_CONFIG);
    c = TestGate.joining(a, GatedProbes.catalogue(), NODE_CONFIG);
    List.of(a, b, c).forEach(ClusterApiTest::awaitReady);
  }

  @AfterAll
  static void stop() {
    List.of(c, b, a).forEach(TestGate::close);
  }

  @Test
  void anyNodeTakesAnyRequestAndAnswersWithItsOwnUrls() {
    String gate = UUID.randomUUID().toString();
    HttpResponse<String> accepted = a.postJson(GatedProbes.ROUTE, "{\"gate\":\"" + gate + "\"}");
    String id = assertAccepted(accepted, a.base(), "gated-probe").get("id").asText();

    awaitMidSaga(b, id, AWAIT);
    GatedProbes.release(gate);
    assertEquals("Succeeded", c.awaitTerminal(id, AWAIT).get("status").asText());

    HttpResponse<String> onB = b.get("/operations/" + id);
    assertEquals(303, onB.statusCode(), () -> describe(onB));
    assertEquals(b.base() + "/operations/" + id + "/result", onB.headers().firstValue("Location").orElse(null));
    JsonNode onC = c.status(id);
    assertEquals(c.base() + "/operations/" + id + "/result", onC.path("resourceLocation").asText(), onC::toString);
    HttpResponse<String> result = c.get("/operations/" + id + "/result");
    assertEquals(200, result.statusCode(), () -> describe(result));
  }

  @Test
  void aCancelOnAnotherNodeReachesTheSagaWhereverItRuns() {
    String gate = UUID.randomUUID().toString();
    String id = submit(b, gate);
    awaitMidSaga(c, id, AWAIT);

    HttpResponse<String> cancel = c.post("/operations/" + id + "/cancel");
    assertEquals(202, cancel.statusCode(), () -> describe(cancel));
    GatedProbes.release(gate);
    assertEquals("Canceled", a.awaitTerminal(id, AWAIT).get("status").asText());
  }

  @Test
  void aPurgeIsSeenOnEveryNodeAsSoonAsItIsAnswered() {
    String gate = UUID.randomUUID().toString();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(submit(a, gate));
    }
    GatedProbes.release(gate);
    ids.forEach(id -> a.awaitTerminal(id, AWAIT));
    List<TestGate> nodes = List.of(a, b, c);
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      TestGate purging = nodes.get(i % 3);
      HttpResponse<String> purged = purging.delete("/operations/" + id);
      assertEquals(204, purged.statusCode(), () -> describe(purged));
      // Two of the three nodes do not hold the operation's entity: they answer from the view row,
      // which the purge wrote before its 204, not from the projection (which lags).
      for (TestGate node : nodes) {
        assertProblem(node.get("/operations/" + id), node.base(), 410, "operation-purged");
        assertProblem(node.get("/operations/" + id + "/result"), node.base(), 410, "operation-purged");
      }
    }
  }

  @Test
  void aLeavingNodeTurnsNotReadyRefusesSubmitsAndItsSagasFinishOnTheOthers() throws InterruptedException {
    // Keeps the port open for 4 s after it turns not ready: the window a load balancer gets.
    TestGate leaving = TestGate.joining(a, GatedProbes.catalogue(), NODE_CONFIG + "\nasyncgate.shutdown.unbind-delay = 4s");
    awaitReady(leaving);
    String gate = UUID.randomUUID().toString();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      ids.add(submit(leaving, gate));
    }
    ids.forEach(id -> awaitMidSaga(a, id, AWAIT));

    Thread closing = new Thread(leaving::close, "leaving-node");
    closing.start();
    HttpResponse<String> notReady = Await.until("the leaving node answering not ready",
        () -> leaving.get("/health/ready"),
        r -> r.statusCode() != 200, AWAIT);
    JsonNode problem = assertProblem(notReady, leaving.base(), 503, "unhealthy");
    assertTrue(problem.path("detail").asText().contains("shutting down"), problem::toString);
    HttpResponse<String> managementReady = leaving.get(leaving.managementBase() + "/ready");
    assertEquals(503, managementReady.statusCode(), () -> describe(managementReady));

    HttpResponse<String> refused = leaving.postJson(GatedProbes.ROUTE, "{\"gate\":\"" + gate + "\"}");
    assertProblem(refused, leaving.base(), 503, "leaving");
    assertRetryAfter(refused);
    assertEquals(200, leaving.get("/operations/" + ids.get(0)).statusCode(), "status reads are answered while draining");

    closing.join(AWAIT.toMillis());
    assertFalse(closing.isAlive(), "the leaving node stopped");
    GatedProbes.release(gate);
    int handedOver = 0;
    for (String id : ids) {
      JsonNode done = a.awaitTerminal(id, AWAIT);
      assertEquals("Succeeded", done.path("status").asText(), done::toString);
      assertEquals(1, executions(id, "prepare"), "a step that had succeeded never runs again");
      assertTrue(executions(id, "work") <= attempts(done, "work"), () -> "every execution is a recorded attempt: " + done);
      handedOver += executions(id, "work") - 1;
    }
    // The newest node gets most new shards; its sagas ran their interrupted step again elsewhere.
    assertTrue(handedOver > 0, "no saga was running on the leaving node");
  }

  @Test
  void theSagasOfANodeThatVanishesWithoutLeavingFinishOnTheSurvivors() {
    TestGate crashing = TestGate.joining(a, GatedProbes.catalogue(),
        NODE_CONFIG + "\nakka.coordinated-shutdown.run-by-actor-system-terminate = off");
    awaitReady(crashing);
    String gate = UUID.randomUUID().toString();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ids.add(submit(crashing, gate));
    }
    ids.forEach(id -> awaitMidSaga(a, id, AWAIT));

    crashing.crash();
    Instant crashed = Instant.now();
    GatedProbes.release(gate);
    String resumed = Await.until("a saga of the crashed node resuming on a survivor",
        () -> ids.stream().filter(id -> executions(id, "work") > 1).findFirst(),
        Optional::isPresent, AWAIT).orElseThrow();
    // Survivors here wait 10 s (NODE_CONFIG) before they suspect a node: more than cluster.conf's 3 s.
    System.out.println("ClusterApiTest: crash to first resumed step on a survivor: "
        + Duration.between(crashed, Instant.now()).toMillis() + " ms (operation " + resumed + ")");
    for (String id : ids) {
      JsonNode done = b.awaitTerminal(id, AWAIT);
      assertEquals("Succeeded", done.path("status").asText(), done::toString);
      assertEquals(1, executions(id, "prepare"), "a step that had succeeded never runs again");
    }
  }

  private static void awaitReady(TestGate node) {
    Await.until("node " + node.base() + " ready", () -> node.get("/health/ready"), r -> r.statusCode() == 200, AWAIT);
  }
}
