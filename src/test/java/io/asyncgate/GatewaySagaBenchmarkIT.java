package io.asyncgate;

import static io.asyncgate.SubmitLatencyBenchmarkIT.ms;
import static io.asyncgate.SubmitLatencyBenchmarkIT.percentile;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.Await;
import io.asyncgate.support.GateProcess;
import io.asyncgate.support.TestGate;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A <b>benchmark</b>, not a timed test: the demo's {@code POST /orders}, a saga of three HTTP steps
 * (reserve, charge, ship), end to end against the packaged jar in a JVM of its own, its embedded
 * simulator answering with zero latency. A client submits and then polls the status document until
 * the operation is terminal: every {@value #SEQUENTIAL_POLL_MS} ms alone, every
 * {@value #CONCURRENT_POLL_MS} ms with the others (32 clients polling every 5 ms would measure the
 * status reads more than the sagas).
 *
 * <ul>
 *   <li>(a) {@value #MEASURED} orders one after another, after {@value #WARM_UP} to warm up: the time
 *       from sending the submit to seeing {@code Succeeded}, p50/p90/p99/max;
 *   <li>(b) {@value #CLIENTS} clients at once, each running {@value #PER_CLIENT} orders that way:
 *       submits per second, completed operations per second and the end-to-end p50/p99.
 * </ul>
 *
 * It prints the figures (in {@code target/failsafe-reports/io.asyncgate.GatewaySagaBenchmarkIT-output.txt})
 * and asserts only that every order was accepted and succeeded. Run it alone with:
 * <pre>mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=GatewaySagaBenchmarkIT</pre>
 */
class GatewaySagaBenchmarkIT {
  private static final int WARM_UP = 30;
  private static final int MEASURED = 200;
  private static final int CLIENTS = 32;
  private static final int PER_CLIENT = 20;
  private static final long SEQUENTIAL_POLL_MS = 5;
  private static final long CONCURRENT_POLL_MS = 50;
  private static final Duration TERMINAL_WITHIN = Duration.ofSeconds(60);

  @Test
  void aThreeStepHttpSagaEndToEndSequentiallyAndWithThirtyTwoClients() throws Exception {
    try (GateProcess node = GateProcess.start(Files.createTempDirectory("asyncgate-gateway-benchmark"),
        "GatewaySagaBenchmarkIT-node", Map.of("asyncgate.simulator.latency", "0ms"))) {
      node.awaitReady(Duration.ofSeconds(120));
      List<String> wrong = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < WARM_UP; i++) {
        runOrder(node, "warm-up-" + i, SEQUENTIAL_POLL_MS, wrong);
      }

      long[] sequential = new long[MEASURED];
      long start = System.nanoTime();
      for (int i = 0; i < MEASURED; i++) {
        sequential[i] = runOrder(node, "sequential-" + i, SEQUENTIAL_POLL_MS, wrong);
      }
      double sequentialSeconds = seconds(System.nanoTime() - start);
      Arrays.sort(sequential);
      System.out.printf("GatewaySagaBenchmarkIT (a): %d orders one after another (3 HTTP steps, simulator latency 0): "
              + "submit->Succeeded p50=%.1f ms p90=%.1f ms p99=%.1f ms max=%.1f ms | %.1f operations/s (%.1f s in all)%n",
          MEASURED, ms(percentile(sequential, 50)), ms(percentile(sequential, 90)), ms(percentile(sequential, 99)),
          ms(sequential[MEASURED - 1]), MEASURED / sequentialSeconds, sequentialSeconds);

      long[] concurrent = new long[CLIENTS * PER_CLIENT];
      AtomicLong lastSubmit = new AtomicLong();
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      long concurrentStart = System.nanoTime();
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        running.add(clients.submit(() -> {
          for (int i = 0; i < PER_CLIENT; i++) {
            lastSubmit.accumulateAndGet(System.nanoTime(), Math::max);
            concurrent[client * PER_CLIENT + i] = runOrder(node, "client-" + client + "-" + i, CONCURRENT_POLL_MS, wrong);
          }
        }));
      }
      for (Future<?> f : running) {
        f.get(5, TimeUnit.MINUTES);
      }
      long concurrentEnd = System.nanoTime();
      clients.shutdown();
      Arrays.sort(concurrent);
      System.out.printf("GatewaySagaBenchmarkIT (b): %d clients x %d orders (submit, poll every %d ms until terminal): "
              + "%.0f submits/s, %.0f completed operations/s | submit->Succeeded p50=%.1f ms p99=%.1f ms max=%.1f ms "
              + "(%.1f s in all)%n",
          CLIENTS, PER_CLIENT, CONCURRENT_POLL_MS, concurrent.length / seconds(lastSubmit.get() - concurrentStart),
          concurrent.length / seconds(concurrentEnd - concurrentStart), ms(percentile(concurrent, 50)),
          ms(percentile(concurrent, 99)), ms(concurrent[concurrent.length - 1]), seconds(concurrentEnd - concurrentStart));

      assertTrue(wrong.isEmpty(), wrong.size() + " orders were not accepted or did not succeed, e.g.: "
          + wrong.subList(0, Math.min(5, wrong.size())));
    }
  }

  /** Submits one order and polls until it is terminal; returns the nanoseconds from submit to terminal. */
  private static long runOrder(GateProcess node, String customer, long pollMillis, List<String> wrong) {
    long sent = System.nanoTime();
    HttpResponse<String> submit = node.postJson("/orders", GateProcess.order(customer, 3));
    if (submit.statusCode() != 202) {
      wrong.add("submit answered " + submit.statusCode() + ": " + submit.body());
      return System.nanoTime() - sent;
    }
    String id = TestGate.json(submit).path("id").asText();
    Duration left = TERMINAL_WITHIN.minusNanos(System.nanoTime() - sent);
    JsonNode status = Await.lastUntil(() -> node.status(id), GateProcess::isTerminal, left, Duration.ofMillis(pollMillis));
    long elapsed = System.nanoTime() - sent;
    if (!status.path("status").asText().equals("Succeeded")) {
      wrong.add(status.toString());
    }
    return elapsed;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
