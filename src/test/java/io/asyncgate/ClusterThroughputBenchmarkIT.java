package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncgate.support.Await;
import io.asyncgate.support.GateProcess;
import io.asyncgate.support.ProcessCluster;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * A <b>benchmark</b>, not a timed test: durable accepts per second ({@code POST /orders} →
 * {@code Accepted} committed to PostgreSQL → {@code 202}) of ONE node and of a cluster of THREE,
 * each node a JVM of its own, with {@value #CLIENTS} clients submitting at once, spread round-robin
 * over the nodes; it prints accepted operations per second and the p50/p99 submit latency, and
 * asserts only that every answer was a {@code 202} or, when the node could not store the submit in
 * time, a {@code 503} with {@code Retry-After} — which the clients then honour, as they should.
 *
 * <p>What is measured is the accept path: the simulator answers each call after
 * {@link #STEP_LATENCY}, longer than a whole measurement, so behind each accepted operation the saga
 * has only recorded its first step's start and sent that call, which then waits. All processes —
 * the nodes, the simulator, PostgreSQL and the clients — share this machine's cores, so three nodes
 * compete for the same CPUs as one: the figures show the cost of the cluster here, not a scale-out.
 *
 * <p>Run it alone with:
 * <pre>mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ClusterThroughputBenchmarkIT</pre>
 */
class ClusterThroughputBenchmarkIT {
  private static final int CLIENTS = 64;
  private static final Duration WARM_UP = Duration.ofSeconds(10);
  private static final Duration MEASURED = Duration.ofSeconds(10);
  /** Longer than warm-up and measurement together, which stay within the steps' 30 s timeout: no step ends meanwhile. */
  private static final Duration STEP_LATENCY = Duration.ofMinutes(10);
  /** The waiting first calls queue in each node's connection pool to the simulator (default 256). */
  private static final Map<String, String> ROOM_FOR_WAITING_CALLS =
      Map.of("akka.http.host-connection-pool.max-open-requests", "32768");

  /**
   * What the clients saw: 202s answered in the measured window, latencies of the 202s sent in it,
   * 503s (overload: not stored, retry later) and any other answer.
   */
  private record Measurement(long accepted, long[] sortedLatencies, long refused, List<String> wrong) {}

  @Test
  void acceptedOperationsPerSecondOnOneNodeAndOnThree() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (int size : new int[] {1, 3}) {
      try (ProcessCluster cluster = ProcessCluster.create("ClusterThroughputBenchmarkIT-" + size, STEP_LATENCY)) {
        List<GateProcess> nodes = cluster.startNodes(size, cluster.databaseUrl(), ROOM_FOR_WAITING_CALLS);
        Measurement m = submitAtOnce(nodes);
        long[] latencies = m.sortedLatencies();
        // A node too busy to answer any submit within the window leaves no latency to report.
        String latency = latencies.length == 0 ? "no submit answered 202 in the window"
            : String.format("p50=%.1f ms p99=%.1f ms max=%.1f ms",
                SubmitLatencyBenchmarkIT.ms(SubmitLatencyBenchmarkIT.percentile(latencies, 50)),
                SubmitLatencyBenchmarkIT.ms(SubmitLatencyBenchmarkIT.percentile(latencies, 99)),
                SubmitLatencyBenchmarkIT.ms(latencies[latencies.length - 1]));
        System.out.printf("ClusterThroughputBenchmarkIT: %d node(s) on PostgreSQL, %d clients round-robin over them:"
                + " %.0f accepted operations/s over %d s | %s | %d answered 503 + Retry-After (overload), %d otherwise%n",
            size, CLIENTS, m.accepted() / (double) MEASURED.toSeconds(), MEASURED.toSeconds(), latency, m.refused(),
            m.wrong().size());
        wrong.addAll(m.wrong());
      }
    }
    assertTrue(wrong.isEmpty(), wrong.size() + " submits were neither a 202 nor a 503 with Retry-After, e.g.: " + wrong.subList(0, Math.min(5, wrong.size())));
  }

  /** {@value #CLIENTS} clients submit one after another through the warm-up and the measured window. */
  private static Measurement submitAtOnce(List<GateProcess> nodes) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    long measureFrom = System.nanoTime() + WARM_UP.toNanos();
    long measureUntil = measureFrom + MEASURED.toNanos();
    LongAdder accepted = new LongAdder();
    LongAdder refused = new LongAdder();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      GateProcess node = nodes.get(c % nodes.size());
      String order = GateProcess.order("client-" + c, 1);
      running.add(clients.submit(() -> {
        for (long sent = System.nanoTime(); sent < measureUntil; sent = System.nanoTime()) {
          HttpResponse<String> response = node.postJson("/orders", order);
          long answered = System.nanoTime();
          if (response.statusCode() == 503 && response.headers().firstValue("Retry-After").isPresent()) {
            // Overloaded: the submit was not stored; a well-behaved client waits as told before the next.
            refused.increment();
            Await.sleep(Duration.ofSeconds(Long.parseLong(response.headers().firstValue("Retry-After").get())));
            continue;
          }
          if (response.statusCode() != 202) {
            wrong.add(response.statusCode() + " " + response.body());
            continue;
          }
          if (answered >= measureFrom && answered < measureUntil) {
            accepted.increment();
          }
          if (sent >= measureFrom) {
            latencies.add(answered - sent);
          }
        }
      }));
    }
    for (Future<?> f : running) {
      f.get(2, TimeUnit.MINUTES);
    }
    clients.shutdown();
    return new Measurement(accepted.sum(), latencies.stream().mapToLong(Long::longValue).sorted().toArray(),
        refused.sum(), List.copyOf(wrong));
  }
}
