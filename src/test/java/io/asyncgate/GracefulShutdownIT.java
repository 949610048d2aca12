package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.Await;
import io.asyncgate.support.GateProcess;
import io.asyncgate.support.TestGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the real jar while its sagas run: the node answers not ready and refuses submits
 * (503, Retry-After) while it still serves, exits by itself, and a node started on the same files
 * finishes every operation the first one acknowledged. Prints how long each stage took.
 */
class GracefulShutdownIT {
  private static final int ORDERS = 10;
  private static final Duration MID_SAGA = Duration.ofMillis(1500);
  private static final Duration WITHIN = Duration.ofSeconds(120);
  /** One-second downstream calls; after SIGTERM the port stays open 3 s, answering not ready. */
  private static final Map<String, String> SETTINGS = Map.of(
      "asyncgate.simulator.latency", "1s",
      "asyncgate.shutdown.unbind-delay", "3s");

  private final List<GateProcess> nodes = new ArrayList<>();

  @AfterEach
  void killEveryNode() {
    nodes.forEach(GateProcess::close);
  }

  @Test
  void sigtermTurnsNotReadyRefusesSubmitsExitsAndLeavesNothingUnfinished() throws IOException {
    Path dataDir = Files.createTempDirectory("asyncgate-sigterm");
    GateProcess node = start(dataDir, "first");
    node.awaitReady(WITHIN);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ORDERS; i++) {
      ids.add(node.submitOrder("sigterm-" + i, 1 + i));
    }
    Await.sleep(MID_SAGA);

    GateProcess.Leave leave = node.leaveOnSigterm();

    GateProcess restarted = start(dataDir, "restarted");
    restarted.awaitReady(WITHIN);
    Map<String, JsonNode> last = restarted.lastStatuses(ids, WITHIN, doc -> {});
    for (String id : ids) {
      JsonNode doc = last.get(id);
      assertEquals("Succeeded", doc.get("status").asText(), doc::toString);
    }
    long finished = System.nanoTime();
    System.out.printf("GracefulShutdownIT: SIGTERM->not ready=%d ms | SIGTERM->exit=%d ms | SIGTERM->all %d finished after restart=%d ms%n",
        leave.notReadyAfter().toMillis(), leave.exitedAfter().toMillis(), ORDERS, TestGate.millis(finished - leave.signalledNanos()));
  }

  private GateProcess start(Path dataDir, String incarnation) {
    GateProcess node = GateProcess.start(dataDir, "GracefulShutdownIT-" + incarnation, SETTINGS);
    nodes.add(node);
    return node;
  }
}
