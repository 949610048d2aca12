package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.GateProcess;
import io.asyncgate.support.ProcessCluster;
import io.asyncgate.support.TestGate;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Three nodes in JVMs of their own on one PostgreSQL database, submits spread over all of them,
 * each status URL read on another node than the one that answered the submit; then {@code kill -9}
 * of the third node mid-saga. Every acknowledged operation ends {@code Succeeded} on the two
 * survivors with nothing but status reads (on the first node).
 *
 * <p>The killed node's in-flight operations are recognised by the step that ran a second time: the
 * simulator fails nothing, so a second attempt only follows one the kill cut off. From the status
 * documents' {@code lastUpdatedDateTime} (the time of the newest event, written by the survivor) the
 * test prints when the first of them resumed and when the last of them was terminal, counted from the
 * kill. Operations the kill caught exactly between two steps resume with a first attempt and are not
 * counted there — the steps last 2 s, the gaps between them milliseconds.
 */
class ThreeNodeCrashIT {
  private static final int OPERATIONS = 36;
  /** Each of the three steps is one call to the simulator, answered after this long. */
  private static final Duration STEP_LATENCY = Duration.ofSeconds(2);
  /** Not a performance bound: it only proves that the operations finish by themselves. */
  private static final Duration TERMINAL_WITHIN = Duration.ofSeconds(60);

  @Test
  void theSurvivorsFinishEveryAcknowledgedOperationOfANodeKilledMidSaga() {
    try (ProcessCluster cluster = ProcessCluster.create("ThreeNodeCrashIT", STEP_LATENCY)) {
      List<GateProcess> nodes = cluster.startNodes(3);
      GateProcess reader = nodes.get(0);
      GateProcess victim = nodes.get(2);

      List<String> ids = new ArrayList<>();
      for (int i = 0; i < OPERATIONS; i++) {
        GateProcess submittedTo = nodes.get(i % nodes.size());
        // A 503 is sent again, as a client does: the claim is about what was acknowledged.
        HttpResponse<String> accepted = submittedTo.postJsonAsAClientWould("/orders", GateProcess.order("crash-" + i, 1 + i));
        assertEquals(202, accepted.statusCode(), accepted::body);
        String id = TestGate.json(accepted).get("id").asText();
        ids.add(id);
        // The status URL the client got, read on the next node: sharding finds the operation.
        GateProcess other = nodes.get((i + 1) % nodes.size());
        String location = accepted.headers().firstValue("Operation-Location").orElseThrow();
        HttpResponse<String> status = other.send(HttpRequest.newBuilder(ProcessCluster.onNode(location, other))
            .timeout(Duration.ofSeconds(30)).GET().build());
        assertEquals(200, status.statusCode(), status::body);
        assertEquals(id, TestGate.json(status).get("id").asText());
      }

      Instant killedAt = Instant.now();
      assertEquals(137, victim.kill(), "exit code of a JVM ended by SIGKILL (128 + 9)");
      assertFalse(victim.isAlive());

      Map<String, Instant> resumedAt = new LinkedHashMap<>();
      Map<String, JsonNode> last = reader.lastStatuses(ids, TERMINAL_WITHIN, doc -> {
        if (GateProcess.maxAttempts(doc) > 1) {
          resumedAt.putIfAbsent(doc.get("id").asText(), lastUpdated(doc));
        }
      });

      long succeeded = last.values().stream().filter(doc -> doc.get("status").asText().equals("Succeeded")).count();
      Instant firstResumed = resumedAt.values().stream().min(Instant::compareTo).orElse(null);
      Instant lastOfTheVictimsTerminal = resumedAt.keySet().stream().map(last::get).filter(GateProcess::isTerminal)
          .map(ThreeNodeCrashIT::lastUpdated).max(Instant::compareTo).orElse(null);
      Instant lastTerminal = last.values().stream().filter(GateProcess::isTerminal)
          .map(ThreeNodeCrashIT::lastUpdated).max(Instant::compareTo).orElse(null);
      System.out.printf("ThreeNodeCrashIT: %d operations over 3 nodes, %d Succeeded; kill -9 of node 3 caught %d of"
              + " them mid-step | kill -> first resumed step on a survivor = %s | kill -> all of node 3's"
              + " interrupted operations terminal = %s | kill -> all operations terminal = %s%n",
          ids.size(), succeeded, resumedAt.size(), sinceKill(killedAt, firstResumed),
          sinceKill(killedAt, lastOfTheVictimsTerminal), sinceKill(killedAt, lastTerminal));

      assertFalse(resumedAt.isEmpty(), "the killed node had running sagas: some step must have run again");
      for (String id : ids) {
        JsonNode doc = last.get(id);
        assertEquals("Succeeded", doc.get("status").asText(), () -> id + " within " + TERMINAL_WITHIN + " of the kill: " + doc);
        // At-least-once: only the attempt the kill cut off runs again, and only once.
        assertTrue(GateProcess.maxAttempts(doc) <= 2, () -> "a step ran more than twice: " + doc.get("steps"));
      }
    }
  }


  private static Instant lastUpdated(JsonNode doc) {
    return Instant.parse(doc.get("lastUpdatedDateTime").asText());
  }

  private static String sinceKill(Instant killedAt, Instant then) {
    return then == null ? "not seen" : Duration.between(killedAt, then).toMillis() + " ms";
  }
}
