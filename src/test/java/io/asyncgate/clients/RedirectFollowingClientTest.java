package io.asyncgate.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.LogEachTest;
import io.asyncgate.support.TestGate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpClient.Redirect;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic Asynchronous Request-Reply client, as a browser's {@code fetch(..., {redirect:
 * 'follow'})} loop or {@code curl -L} does it: submit, poll {@code Location} every {@code
 * Retry-After} seconds, and let the HTTP client follow the {@code 303} to the result. The client
 * ({@link RedirectFollowingClient}) knows nothing of asyncgate.
 */
@ExtendWith(LogEachTest.class)
class RedirectFollowingClientTest {
  private static final Logger log = LoggerFactory.getLogger(RedirectFollowingClientTest.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WITHIN = Duration.ofSeconds(45);

  private static TestGate gate;
  private static ExecutorService executor;
  private static RedirectFollowingClient client;

  @BeforeAll
  static void start() {
    // Slow enough downstream calls (3 × 500 ms per order) that a cancel sent right after the 202 finds the order running.
    gate = TestGate.start(Catalogue.of(), "asyncgate.simulator.latency = 500ms");
    executor = Executors.newFixedThreadPool(2);
    client = new RedirectFollowingClient(HttpClient.newBuilder()
        .followRedirects(Redirect.NORMAL)
        .executor(executor)
        .connectTimeout(Duration.ofSeconds(5))
        .build());
  }

  @AfterAll
  static void stop() {
    if (gate != null) {
      gate.close();
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  @Test
  void aSucceededOrderEndsAtItsResultAfterFollowingThe303() throws Exception {
    String customer = "ada-" + UUID.randomUUID();
    RedirectFollowingClient.Outcome outcome = client.run(order(customer, 2), accepted -> {}, WITHIN);

    String id = assertAccepted(outcome);
    HttpResponse<String> last = outcome.last();
    assertEquals(200, last.statusCode(), outcome::describe);
    assertEquals(URI.create(gate.base() + "/operations/" + id + "/result"), last.uri(), outcome::describe);
    assertTrue(last.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), outcome::describe);
    HttpResponse<String> redirect = last.previousResponse().orElseThrow(() -> new AssertionError("no 303 was followed\n" + outcome.describe()));
    assertEquals(303, redirect.statusCode(), outcome::describe);
    assertEquals(URI.create(gate.base() + "/operations/" + id), redirect.uri(), outcome::describe);
    JsonNode confirmation = MAPPER.readTree(last.body());
    assertEquals(id, confirmation.path("orderId").asText(), last.body());
    assertEquals("confirmed", confirmation.path("status").asText(), last.body());
    assertEquals(customer, confirmation.path("customer").asText(), last.body());
    assertRunningPollsCarriedRetryAfter(outcome);
  }

  @Test
  void aDeclinedOrderEndsAtItsFailedStatusDocument() throws Exception {
    RedirectFollowingClient.Outcome outcome = client.run(order("grace-" + UUID.randomUUID(), 1001), accepted -> {}, WITHIN);

    String id = assertAccepted(outcome);
    HttpResponse<String> last = outcome.last();
    assertEquals(200, last.statusCode(), outcome::describe);
    assertEquals(URI.create(gate.base() + "/operations/" + id), last.uri(), outcome::describe);
    assertTrue(last.previousResponse().isEmpty(), "a failed operation must not redirect\n" + outcome.describe());
    JsonNode doc = MAPPER.readTree(last.body());
    assertEquals("Failed", doc.path("status").asText(), last.body());
    assertEquals("PaymentDeclined", doc.path("error").path("innererror").path("code").asText(), last.body());
    assertFalse(doc.path("error").path("message").asText().isEmpty(), last.body());
    assertTrue(last.headers().firstValue("Retry-After").isEmpty(), "a terminal document asks for no more polling\n" + outcome.describe());
    assertRunningPollsCarriedRetryAfter(outcome);
  }

  @Test
  void anOrderCanceledRightAfterSubmitEndsAtItsCanceledStatusDocument() throws Exception {
    List<Integer> cancelStatus = new ArrayList<>();
    // The user presses "cancel" as soon as the 202 is in: POST <Location>/cancel.
    RedirectFollowingClient.Outcome outcome = client.run(order("linus-" + UUID.randomUUID(), 3), accepted -> {
      URI location = accepted.uri().resolve(accepted.headers().firstValue("Location").orElseThrow());
      cancelStatus.add(client.send(HttpRequest.newBuilder(URI.create(location + "/cancel"))
          .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
    }, WITHIN);

    String id = assertAccepted(outcome);
    assertEquals(List.of(202), cancelStatus, outcome::describe);
    HttpResponse<String> last = outcome.last();
    assertEquals(200, last.statusCode(), outcome::describe);
    assertEquals(URI.create(gate.base() + "/operations/" + id), last.uri(), outcome::describe);
    assertTrue(last.previousResponse().isEmpty(), "a canceled operation must not redirect\n" + outcome.describe());
    JsonNode doc = MAPPER.readTree(last.body());
    assertEquals("Canceled", doc.path("status").asText(), last.body());
    assertTrue(doc.path("cancelRequested").asBoolean(), last.body());
    assertTrue(doc.path("error").hasNonNull("code"), last.body());
    assertFalse(doc.path("error").path("message").asText().isEmpty(), last.body());
    assertRunningPollsCarriedRetryAfter(outcome);
  }

  private static HttpRequest order(String customer, int quantity) {
    return HttpRequest.newBuilder(gate.uri("/orders"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"customer\":\"" + customer + "\",\"items\":[{\"name\":\"widget\",\"quantity\":" + quantity + "}]}"))
        .build();
  }

  /** The submit was a 202 whose Location is the absolute status URL; returns the operation's id. */
  private static String assertAccepted(RedirectFollowingClient.Outcome outcome) throws IOException {
    log.info("wire trace:\n{}", outcome.describe());
    HttpResponse<String> accepted = outcome.accepted();
    assertEquals(202, accepted.statusCode(), outcome::describe);
    String id = MAPPER.readTree(accepted.body()).path("id").asText();
    assertEquals(gate.base() + "/operations/" + id, accepted.headers().firstValue("Location").orElse(null), outcome::describe);
    assertTrue(outcome.polls().size() >= 1, outcome::describe);
    return id;
  }

  private static void assertRunningPollsCarriedRetryAfter(RedirectFollowingClient.Outcome outcome) {
    for (HttpResponse<String> poll : outcome.polls().subList(0, outcome.polls().size() - 1)) {
      assertEquals(200, poll.statusCode(), outcome::describe);
      assertTrue(poll.headers().firstValue("Retry-After").isPresent(), "running poll without Retry-After\n" + outcome.describe());
    }
  }

  /**
   * A generic Asynchronous Request-Reply client: it knows HTTP, {@code Location}, {@code
   * Retry-After} and that a running status document says {@code NotStarted} or {@code Running}.
   * Redirects are the HTTP client's business.
   */
  static final class RedirectFollowingClient {
    private static final Set<String> RUNNING = Set.of("NotStarted", "Running");
    /** Only for test speed: a server asking for a long wait is polled at least this often. */
    private static final Duration MAX_SLEEP = Duration.ofSeconds(2);

    private final HttpClient http;

    RedirectFollowingClient(HttpClient http) {
      this.http = http;
    }

    record Outcome(HttpResponse<String> accepted, List<HttpResponse<String>> polls) {
      HttpResponse<String> last() {
        return polls.get(polls.size() - 1);
      }

      String describe() {
        StringBuilder s = new StringBuilder();
        line(s, accepted);
        polls.forEach(p -> line(s, p));
        return s.toString();
      }

      private static void line(StringBuilder s, HttpResponse<String> r) {
        r.previousResponse().ifPresent(p -> line(s, p));
        s.append("  ").append(r.request().method()).append(' ').append(r.uri()).append(" -> ").append(r.statusCode());
        r.headers().firstValue("Location").ifPresent(v -> s.append(" Location: ").append(v));
        r.headers().firstValue("Retry-After").ifPresent(v -> s.append(" Retry-After: ").append(v));
        String body = r.body() == null ? "" : r.body();
        s.append(" body: ").append(body.length() > 300 ? body.substring(0, 300) + "…" : body).append('\n');
      }
    }

    /** Submits, hands the 202 to {@code onAccepted}, then polls until the answer is no running status document. */
    Outcome run(HttpRequest submit, Consumer<HttpResponse<String>> onAccepted, Duration within) {
      Instant deadline = Instant.now().plus(within);
      HttpResponse<String> accepted = send(submit);
      List<HttpResponse<String>> polls = new ArrayList<>();
      Optional<String> location = accepted.headers().firstValue("Location");
      if (accepted.statusCode() != 202 || location.isEmpty()) {
        return new Outcome(accepted, polls);
      }
      onAccepted.accept(accepted);
      URI statusUrl = accepted.uri().resolve(location.get());
      HttpResponse<String> current = accepted;
      do {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("no final answer within " + within + ":\n" + new Outcome(accepted, polls).describe());
        }
        sleep(retryAfter(current));
        current = send(HttpRequest.newBuilder(statusUrl).GET().build());
        polls.add(current);
      } while (isRunningStatus(current));
      return new Outcome(accepted, polls);
    }

    HttpResponse<String> send(HttpRequest request) {
      try {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new AssertionError(request.method() + " " + request.uri() + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }

    private static boolean isRunningStatus(HttpResponse<String> response) {
      if (response.statusCode() != 200 && response.statusCode() != 202) {
        return false;
      }
      try {
        return RUNNING.contains(MAPPER.readTree(response.body()).path("status").asText());
      } catch (IOException e) {
        return false;
      }
    }

    private static Duration retryAfter(HttpResponse<String> response) {
      Duration asked = response.headers().firstValue("Retry-After").flatMap(RedirectFollowingClient::seconds)
          .orElse(Duration.ofSeconds(1));
      return asked.compareTo(MAX_SLEEP) > 0 ? MAX_SLEEP : asked;
    }

    private static Optional<Duration> seconds(String value) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
      } catch (NumberFormatException e) {
        return Optional.empty(); // an HTTP-date: fall back to the default
      }
    }

    private static void sleep(Duration d) {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
