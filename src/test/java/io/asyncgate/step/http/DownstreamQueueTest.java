package io.asyncgate.step.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.Await;
import io.asyncgate.support.TestGate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calls to one downstream beyond its {@code max-concurrent-calls} wait in asyncgate's queue for it:
 * the wait never counts against a step's timeout, a queued call whose attempt is abandoned is never
 * sent, and a downstream that pushes back (503 + Retry-After) slows its operations down instead of
 * failing them. The downstream is a real HTTP server limited to one call at a time.
 */
class DownstreamQueueTest {
  private static final Duration FINISH_WITHIN = Duration.ofSeconds(90);
  /** More operations than fit into the step's timeout one after the other: 15 × 200 ms > 2 s. */
  private static final int OPERATIONS = 15;
  private static final Duration CALL_TAKES = Duration.ofMillis(200);

  private static Downstream downstream;
  private static TestGate gate;

  @BeforeAll
  static void start() throws IOException {
    downstream = new Downstream();
    String operations = """
        asyncgate.downstreams { "HOST_PORT" { max-concurrent-calls = 1 } }
        asyncgate.operations {
          q-slow { route = "POST /q/slow", steps = [
            { name = work, timeout = 2s, http { url = "BASE/slow" }, retry { max-attempts = 1 } } ] }
          q-held { route = "POST /q/held", steps = [
            { name = work, http { url = "BASE/held" }, retry { max-attempts = 1 } } ] }
          q-busy { route = "POST /q/busy", steps = [
            { name = work, http { url = "BASE/busy" }, retry { max-attempts = 2, initial-backoff = 50ms, max-backoff = 100ms } } ] }
          q-overloaded { route = "POST /q/overloaded", steps = [
            { name = work, http { url = "BASE/overloaded" },
              retry { max-attempts = 2, initial-backoff = 50ms, max-backoff = 100ms, max-throttled-wait = 3s } } ] }
        }
        """
        .replace("HOST_PORT", downstream.hostPort())
        .replace("BASE", downstream.base());
    gate = TestGate.start(Catalogue.of(), operations);
  }

  @AfterAll
  static void stop() {
    gate.close();
    downstream.close();
  }

  @Test
  void callsBeyondTheDownstreamsLimitWaitForItAndTheirWaitDoesNotCountAgainstTheStepTimeout() {
    downstream.answer("/slow", n -> Reply.ok().after(CALL_TAKES));

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < OPERATIONS; i++) {
      ids.add(submit("/q/slow"));
    }
    for (String id : ids) {
      JsonNode status = gate.awaitTerminal(id, FINISH_WITHIN);
      assertEquals("Succeeded", status.path("status").asText(), status::toString);
      assertEquals(1, status.path("steps").get(0).path("attempts").asInt(), "one attempt, none timed out: " + status);
    }
    assertEquals(OPERATIONS, downstream.received("/slow").size());
    assertEquals(1, downstream.maxInFlight(), "the downstream never had more calls at once than its limit");
  }

  @Test
  void aQueuedCallOfAnOperationCanceledWhileItWaitsIsWithdrawnAndNeverSent() {
    CompletableFuture<Void> release = new CompletableFuture<>();
    downstream.answer("/held", n -> Reply.ok().until(release));
    try {
      String running = submit("/q/held");
      Await.until("the first call reaching the downstream", () -> downstream.received("/held").size(), n -> n == 1,
          FINISH_WITHIN);
      String queued = submit("/q/held");
      gate.awaitStatus(queued, "Running", FINISH_WITHIN);
      assertEquals(202, gate.post("/operations/" + queued + "/cancel").statusCode());

      // Canceled while the only call the downstream takes is still held: its own call left the queue unsent.
      JsonNode canceled = gate.awaitStatus(queued, "Canceled", FINISH_WITHIN);
      assertEquals(1, downstream.received("/held").size(), canceled::toString);
      release.complete(null);
      gate.awaitStatus(running, "Succeeded", FINISH_WITHIN);
      // A call queued after the canceled one's went out: so would the canceled one's have, before it.
      String later = submit("/q/held");
      gate.awaitStatus(later, "Succeeded", FINISH_WITHIN);

      List<String> keys = downstream.received("/held").stream().map(Received::idempotencyKey).toList();
      assertEquals(List.of(running + ":work", later + ":work"), keys);
    } finally {
      release.complete(null);
    }
  }

  @Test
  void aDownstreamAnswering503WithRetryAfterPausesEveryCallToItAndItsOperationsSucceedPastMaxAttempts() {
    downstream.answer("/busy", n -> n < 4 ? Reply.status(503).header("Retry-After", "1") : Reply.ok());

    List<String> ids = List.of(submit("/q/busy"), submit("/q/busy"), submit("/q/busy"));
    int mostAttempts = 0;
    for (String id : ids) {
      JsonNode status = gate.awaitTerminal(id, FINISH_WITHIN);
      assertEquals("Succeeded", status.path("status").asText(), status::toString);
      mostAttempts = Math.max(mostAttempts, status.path("steps").get(0).path("attempts").asInt());
    }
    assertTrue(mostAttempts > 2, "throttled attempts do not count against max-attempts = 2; most: " + mostAttempts);

    List<Answered> calls = downstream.answered("/busy");
    for (int i = 0; i + 1 < calls.size(); i++) {
      if (calls.get(i).status() == 503) {
        Duration gap = Duration.between(calls.get(i).answeredAt(), calls.get(i + 1).receivedAt());
        assertTrue(gap.compareTo(Duration.ofSeconds(1)) >= 0,
            "no call of any operation went out before the Retry-After was up; call " + (i + 1) + " came after " + gap);
      }
    }
  }

  @Test
  void aDownstreamThatStaysOverloadedFailsTheStepOnceMaxThrottledWaitIsUp() {
    downstream.answer("/overloaded", n -> Reply.status(503).header("Retry-After", "1"));

    String id = submit("/q/overloaded");
    JsonNode status = gate.awaitTerminal(id, FINISH_WITHIN);

    assertEquals("Failed", status.path("status").asText(), status::toString);
    assertEquals(DownstreamHttp.UNAVAILABLE, status.path("error").path("code").asText(), status::toString);
    assertTrue(status.path("error").path("message").asText().contains("max-throttled-wait"), status::toString);
    JsonNode step = status.path("steps").get(0);
    assertTrue(step.path("attempts").asInt() > 2, "throttled attempts went on past max-attempts: " + status);
    assertEquals(step.path("attempts").asInt(), downstream.received("/overloaded").size());
  }

  private static String submit(String path) {
    HttpResponse<String> response = gate.postJson(path, "{}");
    assertEquals(202, response.statusCode(), response::body);
    return TestGate.json(response).path("id").asText();
  }

  /** What the downstream answers, after {@code delay}, and not before {@code until} completes. */
  private record Reply(int status, Map<String, String> headers, Duration delay, CompletableFuture<Void> until) {
    static Reply ok() {
      return status(200);
    }

    static Reply status(int status) {
      return new Reply(status, Map.of(), Duration.ZERO, CompletableFuture.completedFuture(null));
    }

    Reply header(String name, String value) {
      return new Reply(status, Map.of(name, value), delay, until);
    }

    Reply after(Duration wait) {
      return new Reply(status, headers, wait, until);
    }

    Reply until(CompletableFuture<Void> released) {
      return new Reply(status, headers, delay, released);
    }
  }

  /** One request as the downstream saw it arrive. */
  private record Received(String path, String idempotencyKey) {}

  /** One request the downstream answered, and how. */
  private record Answered(String path, Instant receivedAt, Instant answeredAt, int status) {}

  /** A real HTTP server that answers per path (the nth request of a path gets {@code answer(n)}) and counts calls in flight. */
  private static final class Downstream implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(32);
    private final Map<String, IntFunction<Reply>> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Answered> answered = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    Downstream() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", this::handle);
      server.setExecutor(executor);
      server.start();
    }

    String hostPort() {
      return "127.0.0.1:" + server.getAddress().getPort();
    }

    String base() {
      return "http://" + hostPort();
    }

    void answer(String path, IntFunction<Reply> answer) {
      answers.put(path, answer);
    }

    List<Received> received(String path) {
      return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    List<Answered> answered(String path) {
      return answered.stream().filter(a -> a.path().equals(path)).toList();
    }

    int maxInFlight() {
      return maxInFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      boolean counted = true;
      try {
        Instant receivedAt = Instant.now();
        exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getRawPath();
        received.add(new Received(path, exchange.getRequestHeaders().getFirst("Idempotency-Key")));
        int nth = counts.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement();
        Reply reply = answers.getOrDefault(path, n -> Reply.ok()).apply(nth);
        Thread.sleep(reply.delay().toMillis());
        reply.until().get(2, TimeUnit.MINUTES);
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        reply.headers().forEach(exchange.getResponseHeaders()::set);
        // Before the answer leaves: a call that the answer lets through must not find this one still counted.
        answered.add(new Answered(path, receivedAt, Instant.now(), reply.status()));
        inFlight.decrementAndGet();
        counted = false;
        exchange.sendResponseHeaders(reply.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      } catch (Exception e) {
        if (counted) {
          inFlight.decrementAndGet();
        }
        exchange.close();
      }
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
