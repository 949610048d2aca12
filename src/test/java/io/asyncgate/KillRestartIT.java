package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.Await;
import io.asyncgate.support.GateProcess;
import io.asyncgate.support.TestGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guarantees that no 202 is lost and every operation finishes (docs/guarantees.md), against
 * the real jar: a node is killed with SIGKILL while its sagas are mid-step, started again on the same files, and every operation it acknowledged
 * finishes — with no client action but status reads. Three kill/restart cycles on one data
 * directory, each with fresh orders, show whether resumption is reliable; the timings of each cycle
 * are printed (Failsafe keeps them in {@code target/failsafe-reports/*KillRestartIT-output.txt}).
 */
class KillRestartIT {
  private static final int CYCLES = 3;
  private static final int ORDERS_PER_CYCLE = 20;
  /** More than 1000 items: the demo payment declines it, so it must end Failed. */
  private static final int DECLINED_QUANTITY = 1001;
  private static final Duration MID_SAGA = Duration.ofMillis(1500);
  private static final Duration READY_WITHIN = Duration.ofSeconds(120);
  private static final Duration TERMINAL_WITHIN = Duration.ofSeconds(120);
  private static final Map<String, String> ONE_SECOND_CALLS = Map.of("asyncgate.simulator.latency", "1s");

  private final List<GateProcess> nodes = new ArrayList<>();

  @AfterEach
  void killEveryNode() {
    nodes.forEach(GateProcess::close);
  }

  @Test
  void everyAcknowledgedOperationFinishesAfterKillNineWithoutClientAction() throws IOException {
    Path dataDir = Files.createTempDirectory("asyncgate-kill-restart");
    GateProcess node = start(dataDir, 0);
    node.awaitReady(READY_WITHIN);
    Map<String, String> finishedEarlier = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();

    for (int cycle = 1; cycle <= CYCLES; cycle++) {
      List<String> orders = new ArrayList<>();
      for (int i = 0; i < ORDERS_PER_CYCLE; i++) {
        orders.add(node.submitOrder("kill-" + cycle + "-" + i, 1 + i));
      }
      String declined = node.submitOrder("kill-" + cycle + "-declined", DECLINED_QUANTITY);
      List<String> accepted = new ArrayList<>(orders);
      accepted.add(declined);
      Await.sleep(MID_SAGA);

      Instant killedAt = Instant.now();
      long killed = System.nanoTime();
      int exitCode = node.kill();
      assertFalse(node.isAlive(), "the killed node is gone");
      assertEquals(137, exitCode, "exit code of a JVM ended by SIGKILL (128 + 9)");

      node = start(dataDir, cycle);
      node.awaitReady(READY_WITHIN);
      long ready = System.nanoTime();

      // Status reads only: nothing here may start or nudge an operation.
      AtomicLong progressed = new AtomicLong(-1);
      Map<String, JsonNode> last = node.lastStatuses(accepted, TERMINAL_WITHIN, doc -> {
        if (progressed.get() < 0 && Instant.parse(doc.get("lastUpdatedDateTime").asText()).isAfter(killedAt)) {
          progressed.set(System.nanoTime());
        }
      });
      long firstProgress = progressed.get();
      long allTerminal = System.nanoTime();
      long terminal = last.values().stream().filter(GateProcess::isTerminal).count();
      long succeeded = orders.stream().filter(id -> status(last.get(id)).equals("Succeeded")).count();
      long failed = accepted.stream().filter(id -> status(last.get(id)).equals("Failed")).count();
      long rerun = orders.stream().filter(id -> stepsRunTwice(last.get(id)) == 1).count();

      System.out.printf("KillRestartIT cycle %d: accepted=%d succeeded=%d failed=%d terminal=%d/%d exit=%d | "
              + "kill->ready=%d ms | ready->first progress=%s | ready->all terminal=%s (kill->all terminal=%s) | "
              + "orders whose interrupted step ran again=%d%n",
          cycle, accepted.size(), succeeded, failed, terminal, accepted.size(), exitCode,
          TestGate.millis(ready - killed),
          firstProgress < 0 ? "none seen" : TestGate.millis(firstProgress - ready) + " ms",
          terminal == accepted.size() ? TestGate.millis(allTerminal - ready) + " ms" : "NOT within " + TERMINAL_WITHIN,
          terminal == accepted.size() ? TestGate.millis(allTerminal - killed) + " ms" : "-",
          rerun);

      // Collected, so that every cycle runs and prints before the test fails.
      for (String id : orders) {
        JsonNode doc = last.get(id);
        if (!status(doc).equals("Succeeded")) {
          failures.add("cycle " + cycle + ": order " + id + " did not succeed within " + TERMINAL_WITHIN + " after the restart: " + doc);
        } else if (stepsRunTwice(doc) > 1 || GateProcess.maxAttempts(doc) > 2) {
          failures.add("cycle " + cycle + ": order " + id + " ran a succeeded step again: " + doc.get("steps"));
        }
      }
      JsonNode declinedDoc = last.get(declined);
      if (!status(declinedDoc).equals("Failed") || !declinedDoc.path("error").path("innererror").path("code").asText().equals("PaymentDeclined")) {
        failures.add("cycle " + cycle + ": the declined order " + declined + " did not end Failed (PaymentDeclined): " + declinedDoc);
      }
      // What finished in earlier cycles stays as it was, through this kill too.
      for (Map.Entry<String, String> earlier : finishedEarlier.entrySet()) {
        String now = status(node.status(earlier.getKey()));
        if (!now.equals(earlier.getValue())) {
          failures.add("cycle " + cycle + ": operation " + earlier.getKey() + " was " + earlier.getValue() + ", now " + now);
        }
      }
      accepted.forEach(id -> finishedEarlier.put(id, status(last.get(id))));
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  private GateProcess start(Path dataDir, int incarnation) {
    GateProcess node = GateProcess.start(dataDir, "KillRestartIT-node-" + incarnation, ONE_SECOND_CALLS);
    nodes.add(node);
    return node;
  }

  private static String status(JsonNode doc) {
    return doc == null ? "(never read)" : doc.get("status").asText();
  }

  /**
   * How many steps have more than one attempt. The demo steps never fail on their own, so a second
   * attempt means the kill interrupted that step; at most one step per order can have been running.
   */
  private static int stepsRunTwice(JsonNode doc) {
    int count = 0;
    for (JsonNode step : doc.path("steps")) {
      if (step.path("attempts").asInt() > 1) {
        count++;
      }
    }
    return count;
  }
}
