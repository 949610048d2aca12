package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three nodes in JVMs of their own on PostgreSQL under a steady stream of submits spread over all
 * of them; SIGTERM to the third. Its {@code /health/ready} turns 503 while it still serves, its
 * submits are answered 503 + Retry-After (the clients, like a load balancer, try the next node, as
 * they do when its port is closed), it exits by itself, and every operation acknowledged with a 202 —
 * by any node, before or during the leave — ends {@code Succeeded}. No answer is anything but 202
 * or 503 problem with Retry-After.
 */
class GracefulLeaveIT {
  private static final int CLIENTS = 6;
  private static final Duration STEP_LATENCY = Duration.ofSeconds(1);
  private static final Duration LOAD_BEFORE = Duration.ofSeconds(4);
  private static final Duration LOAD_AFTER = Duration.ofSeconds(3);
  private static final Duration WITHIN = Duration.ofSeconds(120);

  /** One submit as a client saw it: which node answered what (status 0: the connection was refused). */
  private record Answer(int node, int status, HttpResponse<String> response) {}

  @Test
  void aNodeLeavingUnderLoadTurnsNotReadyRefusesSubmitsExitsAndLosesNothing() throws Exception {
    try (ProcessCluster cluster = ProcessCluster.create("GracefulLeaveIT", STEP_LATENCY)) {
      List<GateProcess> nodes = cluster.startNodes(3);
      GateProcess leaving = nodes.get(2);
      ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
      // A fresh cluster allocates its shards on the first submits, which can outlast the write timeout
      // on a loaded machine: the stream starts once every node, the leaving one too, has stored one.
      for (int node = 0; node < nodes.size(); node++) {
        answers.add(awaitStored(nodes, node));
      }
      AtomicBoolean submitting = new AtomicBoolean(true);
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        running.add(clients.submit(() -> {
          int target = client % nodes.size();
          for (int i = 0; submitting.get(); i++) {
            Answer answer = submit(nodes, target, GateProcess.order("leave-" + client + "-" + i, 1));
            answers.add(answer);
            // Refused or not stored here: the client moves on to the next node, as a load balancer would.
            target = (answer.status() == 202 ? target : target + 1) % nodes.size();
          }
        }));
      }
      TestGate.sleep(LOAD_BEFORE);

      GateProcess.Leave leave = leaving.leaveOnSigterm();
      TestGate.sleep(LOAD_AFTER);
      submitting.set(false);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      clients.shutdown();

      Map<String, Long> byNodeAndStatus = answers.stream().collect(Collectors.groupingBy(
          a -> "node " + (a.node() + 1) + ": " + (a.status() == 0 ? "refused" : a.status()), TreeMap::new, Collectors.counting()));
      List<String> accepted = answers.stream().filter(a -> a.status() == 202)
          .map(a -> TestGate.json(a.response()).get("id").asText()).toList();
      long finishing = System.nanoTime();
      for (String id : accepted) {
        JsonNode doc = nodes.get(0).awaitTerminal(id, WITHIN);
        assertEquals("Succeeded", doc.get("status").asText(), doc::toString);
      }
      System.out.printf("GracefulLeaveIT: %d clients, answers %s | SIGTERM -> not ready = %d ms | SIGTERM -> exit (143) ="
              + " %d ms | all %d acknowledged operations Succeeded %d ms after the load stopped%n",
          CLIENTS, byNodeAndStatus, leave.notReadyAfter().toMillis(), leave.exitedAfter().toMillis(),
          accepted.size(), millis(System.nanoTime() - finishing));

      for (Answer a : answers) {
        assertTrue(a.status() == 202 || a.status() == 503 || a.status() == 0 && a.node() == 2,
            () -> "node " + (a.node() + 1) + " answered " + (a.status() == 0 ? "with a refused connection" : a.status() + ": " + a.response().body()));
        // The survivors may answer 503 too: a submit whose shard is being handed over waits for its
        // new home, and on a loaded machine that can outlast the 5 s write timeout. Never a 500.
        if (a.status() == 503) {
          assertEquals("application/problem+json", a.response().headers().firstValue("Content-Type").orElse(""));
          assertTrue(a.response().headers().firstValue("Retry-After").isPresent(), "a 503 says when to retry");
        }
      }
    }
  }

  private static Answer awaitStored(List<GateProcess> nodes, int node) {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    Answer answer = submit(nodes, node, GateProcess.order("leave-warm-up", 1));
    while (answer.status() != 202 && System.nanoTime() < deadline) {
      TestGate.sleep(Duration.ofMillis(200));
      answer = submit(nodes, node, GateProcess.order("leave-warm-up", 1));
    }
    assertEquals(202, answer.status(), "node " + (node + 1) + " stored no submit within " + WITHIN);
    return answer;
  }

  private static Answer submit(List<GateProcess> nodes, int node, String order) {
    try {
      HttpResponse<String> response = nodes.get(node).postJson("/orders", order);
      return new Answer(node, response.statusCode(), response);
    } catch (UncheckedIOException refused) {
      return new Answer(node, 0, null);
    }
  }

  private static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }
}
