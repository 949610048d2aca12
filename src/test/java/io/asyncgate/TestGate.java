package io.asyncgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.catalogue.Catalogue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real asyncgate node for tests: the embedded H2 file database in a directory of its own, HTTP
 * on a free port, remoting on a free port, the root application.conf's operation types plus any
 * registered in Java. Talk to it over real HTTP with {@link #client()}.
 */
public final class TestGate implements AutoCloseable {
  private final Path dataDir;
  private final Config config;
  private final AsyncGate gate;
  private final ExecutorService executor;
  private final HttpClient client;

  private TestGate(Path dataDir, Config config, AsyncGate gate) {
    this.dataDir = dataDir;
    this.config = config;
    this.gate = gate;
    // An executor of our own: on 2 cores the JDK client would otherwise start a thread per call.
    this.executor = Executors.newFixedThreadPool(4);
    this.client = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Demo steps take 100 ms each unless {@code overrides} says otherwise. */
  public static TestGate start(Catalogue javaTypes, String overrides) {
    try {
      return startIn(Files.createTempDirectory("asyncgate-test"), javaTypes, overrides);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TestGate start() {
    return start(Catalogue.of(), "");
  }

  /** Starts a node on an existing data directory, e.g. to restart on the files of a stopped one. */
  public static TestGate startIn(Path dataDir, Catalogue javaTypes, String overrides) {
    Config testConfig = ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseMap(Map.of(
            "asyncgate.data-dir", dataDir.toString(),
            "asyncgate.http.port", 0,
            "asyncgate.http.interface", "127.0.0.1",
            "asyncgate.cluster.port", 0,
            "asyncgate.demo.step-duration", "100ms",
            "akka.cluster.jmx.multi-mbeans-in-same-jvm", "on",
            "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off")));
    Config config = Settings.load(testConfig, Map.of());
    return new TestGate(dataDir, config, AsyncGate.start(config, javaTypes));
  }

  public Path dataDir() {
    return dataDir;
  }

  public Config config() {
    return config;
  }

  public AsyncGate gate() {
    return gate;
  }

  public HttpClient client() {
    return client;
  }

  public String base() {
    return "http://127.0.0.1:" + gate.httpPort();
  }

  public URI uri(String pathOrUrl) {
    return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base() + pathOrUrl);
  }

  public HttpResponse<String> send(HttpRequest request) {
    return send(client, request);
  }

  /** Sends with {@code client}, the body as a string; I/O failures are unchecked. */
  static HttpResponse<String> send(HttpClient client, HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<String> get(String pathOrUrl) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl)).GET().build());
  }

  public HttpResponse<String> postJson(String pathOrUrl, String json) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build());
  }

  public HttpResponse<String> post(String pathOrUrl) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl)).POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  public HttpResponse<String> delete(String pathOrUrl) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl)).DELETE().build());
  }

  /** Submits and returns the operation id (asserting the 202). */
  public String submitOrder(String customer, int quantity) {
    HttpResponse<String> response = postJson("/orders",
        "{\"customer\":\"" + customer + "\",\"items\":[{\"name\":\"widget\",\"quantity\":" + quantity + "}]}");
    if (response.statusCode() != 202) {
      throw new AssertionError("expected 202, got " + response.statusCode() + ": " + response.body());
    }
    return json(response).get("id").asText();
  }

  /** The status document (never redirected). */
  public JsonNode status(String id) {
    HttpResponse<String> response = get("/operations/" + id + "?redirect=false");
    if (response.statusCode() != 200) {
      throw new AssertionError("expected 200 for status of " + id + ", got " + response.statusCode() + ": " + response.body());
    }
    return json(response);
  }

  /** Polls the status until it is {@code status} or the time is up (then fails with the last document). */
  public JsonNode awaitStatus(String id, String status, Duration within) {
    Instant deadline = Instant.now().plus(within);
    JsonNode last = null;
    while (Instant.now().isBefore(deadline)) {
      last = status(id);
      if (last.get("status").asText().equals(status)) {
        return last;
      }
      sleep(Duration.ofMillis(50));
    }
    throw new AssertionError("operation " + id + " did not reach " + status + " within " + within + "; last: " + last);
  }

  /** Polls until the operation is terminal. */
  public JsonNode awaitTerminal(String id, Duration within) {
    Instant deadline = Instant.now().plus(within);
    JsonNode last = null;
    while (Instant.now().isBefore(deadline)) {
      last = status(id);
      String s = last.get("status").asText();
      if (s.equals("Succeeded") || s.equals("Failed") || s.equals("Canceled")) {
        return last;
      }
      sleep(Duration.ofMillis(50));
    }
    throw new AssertionError("operation " + id + " did not finish within " + within + "; last: " + last);
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  public static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    gate.close();
    executor.shutdownNow();
  }
}
