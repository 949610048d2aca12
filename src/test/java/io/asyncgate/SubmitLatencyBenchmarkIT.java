package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncgate.support.GateProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A <b>benchmark</b>, not a timed test: the latency of a durable submit ({@code POST /orders} →
 * {@code Accepted} committed to the H2 journal → {@code 202}) against the real jar in a JVM of its
 * own, 1,000 requests one after another over one keep-alive connection after 200 to warm up. It
 * prints p50, p90, p99 and max in ms and the throughput (in
 * {@code target/failsafe-reports/io.asyncgate.SubmitLatencyBenchmarkIT-output.txt}); it asserts only
 * that every answer was a {@code 202} with {@code Location}, {@code Operation-Location} and
 * {@code Retry-After}. The sagas of the accepted orders (three downstream calls of 1 s each, to the
 * embedded simulator) run meanwhile, as they would.
 * Then {@value #CLIENTS} clients submit {@value #PER_CLIENT} orders each at once, and it prints the
 * throughput and latencies of that too.
 *
 * <p>Run it alone with:
 * <pre>mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SubmitLatencyBenchmarkIT</pre>
 */
class SubmitLatencyBenchmarkIT {
  private static final int WARM_UP = 200;
  private static final int MEASURED = 1_000;
  private static final int CLIENTS = 32;
  private static final int PER_CLIENT = 50;

  @Test
  void sequentialAndConcurrentSubmitsAreAllAcceptedWithTheirHeaders() throws Exception {
    try (GateProcess node = GateProcess.start(Files.createTempDirectory("asyncgate-benchmark"),
        "SubmitLatencyBenchmarkIT-node", Map.of("asyncgate.simulator.latency", "1s"))) {
      node.awaitReady(Duration.ofSeconds(120));
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < WARM_UP; i++) {
        check(node.postJson("/orders", GateProcess.order("warm-up-" + i, 1)), wrong);
      }

      long[] latencies = new long[MEASURED];
      long start = System.nanoTime();
      for (int i = 0; i < MEASURED; i++) {
        long sent = System.nanoTime();
        HttpResponse<String> response = node.postJson("/orders", GateProcess.order("bench-" + i, 1 + i % 10));
        latencies[i] = System.nanoTime() - sent;
        check(response, wrong);
      }
      double seconds = (System.nanoTime() - start) / 1e9;

      Arrays.sort(latencies);
      System.out.printf("SubmitLatencyBenchmarkIT: %d sequential submits after %d warm-up: p50=%.1f ms p90=%.1f ms "
              + "p99=%.1f ms max=%.1f ms | throughput=%.0f submits/s (%.2f s in all)%n",
          MEASURED, WARM_UP, ms(percentile(latencies, 50)), ms(percentile(latencies, 90)),
          ms(percentile(latencies, 99)), ms(latencies[MEASURED - 1]), MEASURED / seconds, seconds);

      long[] concurrent = new long[CLIENTS * PER_CLIENT];
      List<String> wrongConcurrent = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      long concurrentStart = System.nanoTime();
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        running.add(clients.submit(() -> {
          for (int i = 0; i < PER_CLIENT; i++) {
            long sent = System.nanoTime();
            HttpResponse<String> response = node.postJson("/orders", GateProcess.order("client-" + client + "-" + i, 1));
            concurrent[client * PER_CLIENT + i] = System.nanoTime() - sent;
            check(response, wrongConcurrent);
          }
        }));
      }
      for (Future<?> f : running) {
        f.get(5, TimeUnit.MINUTES);
      }
      double concurrentSeconds = (System.nanoTime() - concurrentStart) / 1e9;
      clients.shutdown();
      Arrays.sort(concurrent);
      System.out.printf("SubmitLatencyBenchmarkIT: %d clients x %d submits at once: throughput=%.0f submits/s "
              + "p50=%.1f ms p99=%.1f ms max=%.1f ms (%.2f s in all)%n",
          CLIENTS, PER_CLIENT, concurrent.length / concurrentSeconds, ms(percentile(concurrent, 50)),
          ms(percentile(concurrent, 99)), ms(concurrent[concurrent.length - 1]), concurrentSeconds);
      wrong.addAll(wrongConcurrent);
      assertTrue(wrong.isEmpty(), wrong.size() + " submits were not a 202 with its headers, e.g.: "
          + wrong.subList(0, Math.min(5, wrong.size())));
    }
  }

  private static void check(HttpResponse<String> response, List<String> wrong) {
    boolean headers = response.headers().firstValue("Location").isPresent()
        && response.headers().firstValue("Operation-Location").isPresent()
        && response.headers().firstValue("Retry-After").isPresent();
    if (response.statusCode() != 202 || !headers) {
      wrong.add(response.statusCode() + " " + response.headers().map() + " " + response.body());
    }
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }
}
