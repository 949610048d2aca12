package io.asyncgate.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The HTTP API of one asyncgate node as a client uses it: submit the demo's order, read an
 * operation's status document, wait until it shows a status. A node in this JVM ({@link TestGate})
 * and one in a JVM of its own ({@link GateProcess}) are both talked to this way.
 */
public abstract class GateClient extends TestHttpClient {

  protected GateClient(String base, String name, int threads, Optional<Duration> requestTimeout) {
    super(base, name, threads, requestTimeout);
  }

  /** The demo's {@code POST /orders} body: {@code quantity} widgets for {@code customer}. */
  public static String order(String customer, int quantity) {
    return "{\"customer\":\"" + customer + "\",\"items\":[{\"name\":\"widget\",\"quantity\":" + quantity + "}]}";
  }

  /** How often a submit answered 503 is sent, in all, by {@link #postJsonAsAClientWould}. */
  public static final int SUBMIT_ATTEMPTS = 10;

  /**
   * Posts, and sends a 503 with Retry-After again after the time it names, as docs/API.md tells
   * clients to (at most {@value #SUBMIT_ATTEMPTS} times in all): on a busy machine the first submits
   * to a cluster that has just formed, or to a node that has just joined, can outlast the 5 s write
   * timeout while the shards start (a clean-clone CI run saw the coordinator give no shard home for
   * over 20 s, its distributed-data updates timing out). Returns the last answer.
   */
  public HttpResponse<String> postJsonAsAClientWould(String path, String json) {
    HttpResponse<String> response = postJson(path, json);
    for (int attempt = 1; attempt < SUBMIT_ATTEMPTS && response.statusCode() == 503; attempt++) {
      HttpResponse<String> refused = response;
      String retryAfter = refused.headers().firstValue("Retry-After")
          .orElseThrow(() -> new AssertionError("a 503 without Retry-After: " + refused.body()));
      Await.sleep(Duration.ofSeconds(Long.parseLong(retryAfter)));
      response = postJson(path, json);
    }
    return response;
  }

  /** Submits the demo's order and returns the operation id (asserting the 202). */
  public String submitOrder(String customer, int quantity) {
    HttpResponse<String> response = postJson("/orders", order(customer, quantity));
    if (response.statusCode() != 202) {
      throw new AssertionError("expected 202, got " + response.statusCode() + ": " + response.body());
    }
    return json(response).get("id").asText();
  }

  /** The status document (never redirected); fails on anything but 200. */
  public JsonNode status(String id) {
    HttpResponse<String> response = get("/operations/" + id + "?redirect=false");
    if (response.statusCode() != 200) {
      throw new AssertionError("expected 200 for status of " + id + ", got " + response.statusCode() + ": " + response.body());
    }
    return json(response);
  }

  /** Polls the status until it is {@code status}; fails with the last document when the time is up. */
  public JsonNode awaitStatus(String id, String status, Duration within) {
    return Await.until("operation " + id + " reaching " + status, () -> status(id),
        doc -> doc.get("status").asText().equals(status), within);
  }

  /** Polls the status until the operation is terminal; fails with the last document when the time is up. */
  public JsonNode awaitTerminal(String id, Duration within) {
    return Await.until("operation " + id + " finishing", () -> status(id), GateClient::isTerminal, within);
  }

  /**
   * Reads the status of each operation not yet terminal, every 100 ms, until all are terminal or the
   * time is up, and returns the last document of each — without failing, for tests that report what
   * they saw before they assert. {@code read} is shown every document as it is read.
   */
  public Map<String, JsonNode> lastStatuses(List<String> ids, Duration within, Consumer<JsonNode> read) {
    Map<String, JsonNode> last = new LinkedHashMap<>();
    return Await.lastUntil(() -> {
      for (String id : ids) {
        if (!(last.containsKey(id) && isTerminal(last.get(id)))) {
          JsonNode doc = status(id);
          last.put(id, doc);
          read.accept(doc);
        }
      }
      return last;
    }, docs -> docs.size() == ids.size() && docs.values().stream().allMatch(GateClient::isTerminal), within, Duration.ofMillis(100));
  }

  public static boolean isTerminal(JsonNode status) {
    String s = status.get("status").asText();
    return s.equals("Succeeded") || s.equals("Failed") || s.equals("Canceled");
  }

  /** The most attempts any step of the status document took: 2 when a step ran again after a crash. */
  public static int maxAttempts(JsonNode status) {
    int max = 0;
    for (JsonNode step : status.path("steps")) {
      max = Math.max(max, step.path("attempts").asInt());
    }
    return max;
  }
}
