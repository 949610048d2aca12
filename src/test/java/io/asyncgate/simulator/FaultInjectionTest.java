package io.asyncgate.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncgate.support.RunningSimulator;
import io.asyncgate.support.TestGate;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Latency and injected failures, each on a simulator of its own. */
class FaultInjectionTest {
  private static final String RESERVATION = "{\"orderId\":\"o-1\",\"items\":[{\"name\":\"widget\",\"quantity\":1}]}";

  @Test
  void failureRateOneAnswersEveryWrite503WithRetryAfterAndDoesNothing() {
    try (RunningSimulator simulator = RunningSimulator.start(Duration.ZERO, 1.0)) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> response = simulator.postJson("/inventory/reservations", RESERVATION);
        assertEquals(503, response.statusCode(), response::body);
        assertEquals("2", response.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("ServiceUnavailable", TestGate.json(response).get("title").asText());
      }
      assertEquals(0, simulator.stat("inventory.reserved"));
      assertEquals(5, simulator.stat("failures.injected"));
      assertEquals(200, simulator.get("/users/ann/devices").statusCode(), "reads are not failed");
    }
  }

  @Test
  void failureRateZeroNeverFails() {
    try (RunningSimulator simulator = RunningSimulator.start(Duration.ZERO, 0.0)) {
      for (int i = 0; i < 50; i++) {
        HttpResponse<String> response = simulator.postJson("/inventory/reservations", RESERVATION);
        assertEquals(201, response.statusCode(), response::body);
      }
      assertEquals(0, simulator.stat("failures.injected"));
    }
  }

  @Test
  void latencyDelaysEveryAnswerOfTheServices() {
    Duration latency = Duration.ofMillis(300);
    try (RunningSimulator simulator = RunningSimulator.start(latency, 0.0)) {
      long start = System.nanoTime();
      HttpResponse<String> response = simulator.postJson("/inventory/reservations", RESERVATION);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertEquals(201, response.statusCode(), response::body);
      assertTrue(took.compareTo(latency) >= 0, "took " + took);
    }
  }

  @Test
  void concurrentRequestsWithOneIdempotencyKeyTakeEffectOnce() {
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try (RunningSimulator simulator = RunningSimulator.start(Duration.ofMillis(200), 0.0)) {
      List<CompletableFuture<HttpResponse<String>>> sent = IntStream.range(0, 4)
          .mapToObj(i -> CompletableFuture.supplyAsync(() -> simulator.send(
              simulator.postJsonRequest("/inventory/reservations", RESERVATION).header("Idempotency-Key", "same-key")), clients))
          .toList();
      List<HttpResponse<String>> responses = sent.stream().map(CompletableFuture::join).toList();

      responses.forEach(response -> assertEquals(201, response.statusCode(), response::body));
      assertEquals(1, responses.stream().map(HttpResponse::body).distinct().count(), "one reservation, given to all");
      assertEquals(1, simulator.stat("inventory.reserved"));
    } finally {
      clients.shutdownNow();
    }
  }
}
