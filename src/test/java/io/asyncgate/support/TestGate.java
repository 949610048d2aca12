package io.asyncgate.support;

import io.asyncgate.AsyncGate;
import io.asyncgate.Settings;

import io.asyncgate.json.Json;

import akka.actor.Address;
import akka.cluster.typed.Cluster;
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
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real asyncgate node for tests: a database of its own ({@link TestDatabase}: H2 files, or a
 * fresh PostgreSQL database with {@code -Dasyncgate.test.database=postgres}), HTTP on a free port,
 * remoting on a free port, the root application.conf's operation types plus any registered in
 * Java. The root application.conf's downstream simulator runs on a free port of its own, with the
 * demo's downstream URL pointed at it ({@link #simulator()}). Talk to it over real HTTP with
 * {@link #client()}.
 */
public final class TestGate implements AutoCloseable {
  private final Config config;
  private final AsyncGate gate;
  private final TestDatabase database;
  /** Whether this node created its database, and so drops it when it closes. */
  private final boolean ownsDatabase;
  private final ExecutorService executor;
  private final HttpClient client;

  private TestGate(Config config, AsyncGate gate, TestDatabase database, boolean ownsDatabase) {
    this.config = config;
    this.gate = gate;
    this.database = database;
    this.ownsDatabase = ownsDatabase;
    // An executor of our own: on 2 cores the JDK client would otherwise start a thread per call.
    this.executor = Executors.newFixedThreadPool(4);
    this.client = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Each call to the simulated downstream takes 100 ms unless {@code overrides} sets {@code asyncgate.simulator.latency}. */
  public static TestGate start(Catalogue javaTypes, String overrides) {
    TestDatabase database = TestDatabase.create();
    try {
      Config config = configFor(database, overrides);
      return new TestGate(config, AsyncGate.start(config, javaTypes), database, true);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  public static TestGate start() {
    return start(Catalogue.of(), "");
  }

  /** Starts a node on an existing database, e.g. to restart on the data of a stopped one. */
  public static TestGate startOn(TestDatabase database, Catalogue javaTypes, String overrides) {
    Config config = configFor(database, overrides);
    return new TestGate(config, AsyncGate.start(config, javaTypes), database, false);
  }

  private static Config configFor(TestDatabase database, String overrides) {
    int simulatorPort = GateProcess.freePort();
    Config testConfig = ConfigFactory.parseString(overrides)
        .withFallback(database.settings())
        .withFallback(ConfigFactory.parseMap(Map.of(
            "asyncgate.http.port", 0,
            "asyncgate.http.interface", "127.0.0.1",
            "asyncgate.cluster.port", 0,
            "asyncgate.management.port", 0,
            "asyncgate.management.interface", "127.0.0.1",
            "asyncgate.simulator.port", simulatorPort,
            "asyncgate.simulator.latency", "100ms",
            "asyncgate.demo.downstream", "http://127.0.0.1:" + simulatorPort,
            "akka.cluster.jmx.multi-mbeans-in-same-jvm", "on",
            "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off")));
    return Settings.load(testConfig, Map.of());
  }

  /**
   * Starts a node that joins the cluster of {@code seed} and shares its database (nodes of one JVM
   * open one H2 file together). Close it before the seed, which drops the database.
   */
  public static TestGate joining(TestGate seed, Catalogue javaTypes, String overrides) {
    return startOn(seed.database, javaTypes,
        overrides + "\nasyncgate.cluster.seed-nodes = \"" + seed.clusterHostPort() + "\"");
  }

  /** This node's cluster address as {@code host:port}, the form seed nodes are given in. */
  public String clusterHostPort() {
    Address self = Cluster.get(gate.system()).selfMember().address();
    return self.getHost().orElseThrow() + ":" + self.getPort().orElseThrow();
  }

  /** Akka Management's base URL: /alive and /ready. */
  public String managementBase() {
    return "http://127.0.0.1:" + gate.managementPort();
  }

  public Config config() {
    return config;
  }

  public AsyncGate gate() {
    return gate;
  }

  /** The base URL of the simulated downstream services this node calls. */
  public String simulator() {
    return config.getString("asyncgate.demo.downstream");
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
  public static HttpResponse<String> send(HttpClient client, HttpRequest request) {
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

  /** A {@link System#nanoTime()} difference in whole milliseconds, for the figures the tests print. */
  public static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }

  /**
   * Stops the node as a crash would, for the other nodes: without leaving the cluster and without
   * handing over its shards. The node must have been started with
   * {@code akka.coordinated-shutdown.run-by-actor-system-terminate = off}; its connection pool stays
   * open, as a crashed process's connections do until the database drops them.
   */
  public void crash() {
    gate.system().terminate();
    gate.system().getWhenTerminated().toCompletableFuture().join();
    // The client's executor stays up until close(): requests to the crashed node must fail, not hang.
  }

  @Override
  public void close() {
    gate.close();
    executor.shutdownNow();
    if (ownsDatabase) {
      database.close();
    }
  }
}
