package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.Await;
import io.asyncgate.support.GateProcess;
import io.asyncgate.support.ProcessCluster;
import io.asyncgate.support.SubmitLoad;
import io.asyncgate.support.SubmitLoad.Answer;
import io.asyncgate.support.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL unreachable for a few seconds under submits to all three nodes of a cluster, each in
 * a JVM of its own: every submit is answered 202 or 503 problem with Retry-After within the write
 * timeout, every node stores submits again by itself once the database is back, and every
 * acknowledged operation succeeds.
 *
 * <p>{@link DatabaseOutageTest} shows this for one node in-process; here the three nodes reach the
 * database through one {@link TcpProxy} that the test cuts and restores. The machine's PostgreSQL
 * service is not stopped instead: the test does not own it (other tests and programs on the machine
 * use it, and stopping it takes the service manager's rights), and to the nodes a cut proxy looks
 * exactly like a stopped server — new connections refused, open ones dropped — with an outage that
 * starts and ends at a known moment.
 */
class ClusterDatabaseOutageIT {
  private static final int SUBMITTERS = 6;
  private static final Duration STEP_LATENCY = Duration.ofMillis(500);
  private static final Duration BEFORE = Duration.ofSeconds(4);
  private static final Duration OUTAGE = Duration.ofSeconds(8);
  private static final Duration AFTER = Duration.ofSeconds(8);
  /** Sharding's own stores (remember-entities in the journal) restart with backoffs of up to 10 s. */
  private static final Duration RECOVERY = Duration.ofSeconds(60);
  /** asyncgate.http.write-timeout (5 s) plus room for three JVMs on a loaded 2-core machine. */
  private static final Duration LONGEST_ANSWER = Duration.ofSeconds(5 + 5);

  @Test
  void everyNodeAnswers503PromptlyDuringAnOutageRecoversByItselfAndLosesNothing() throws Exception {
    try (ProcessCluster cluster = ProcessCluster.create("ClusterDatabaseOutageIT", STEP_LATENCY);
        TcpProxy proxy = TcpProxy.toServerOf(cluster.databaseUrl())) {
      List<GateProcess> nodes = cluster.startNodes(3, proxy.proxiedJdbcUrl(cluster.databaseUrl()), Map.of());
      try (SubmitLoad load = new SubmitLoad(node -> nodes.get(node).postJson("/orders", GateProcess.order("outage", 1)))) {
        // A fresh cluster allocates its shards on the first submits, which can outlast the write timeout
        // on a loaded machine: the stream starts once every node has stored one.
        for (int node = 0; node < nodes.size(); node++) {
          load.firstStoredAfter(node, Instant.EPOCH, RECOVERY);
        }
        load.startPinned(SUBMITTERS, nodes.size());
        Await.sleep(BEFORE);
        Instant cut = Instant.now();
        proxy.cut();
        Await.sleep(OUTAGE);
        Instant restored = Instant.now();
        proxy.restore();
        Await.sleep(AFTER);
        List<Answer> answers = load.stop();

        Answer slowest = answers.stream().max((a, b) -> a.took().compareTo(b.took())).orElseThrow();
        System.out.printf("ClusterDatabaseOutageIT: outage of %d s under %d submitters over 3 nodes: answers %s;"
                + " slowest %d ms (%d from node %d, sent %d ms after the cut)%n",
            OUTAGE.toSeconds(), SUBMITTERS, SubmitLoad.byNodeAndStatus(answers), slowest.took().toMillis(), slowest.status(),
            slowest.node() + 1, Duration.between(cut, slowest.sentAt()).toMillis());

        for (int node = 0; node < nodes.size(); node++) {
          int n = node;
          assertTrue(answers.stream().anyMatch(a -> a.node() == n && a.status() == 503
                  && a.sentAt().isAfter(cut) && a.sentAt().isBefore(restored)),
              "node " + (node + 1) + " answered 503 during the outage");
          Answer stored = load.firstStoredAfter(node, restored, RECOVERY);
          System.out.printf("ClusterDatabaseOutageIT: node %d stored a submit again %d ms after the database came back%n",
              node + 1, Duration.between(restored, stored.answeredAt()).toMillis());
        }

        for (Answer a : answers) {
          SubmitLoad.assertAcceptedOrToldToRetry(a);
          assertTrue(a.took().compareTo(LONGEST_ANSWER) <= 0, () -> "answered within the write timeout: " + a.took());
        }
        List<String> accepted = load.answers().stream().filter(a -> a.status() == 202).map(Answer::id).toList();
        for (String id : accepted) {
          JsonNode doc = nodes.get(0).awaitTerminal(id, RECOVERY);
          assertEquals("Succeeded", doc.get("status").asText(), doc::toString);
        }
        System.out.printf("ClusterDatabaseOutageIT: all %d acknowledged operations Succeeded, checked by %d ms after the"
            + " database came back%n", accepted.size(), Duration.between(restored, Instant.now()).toMillis());
      }
    }
  }
}
