package io.asyncgate.support;

import io.asyncgate.simulator.DownstreamSimulator;
import io.asyncgate.simulator.SimulatorSettings;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A simulator bound to a free port in an actor system of its own, and a JDK client to call it. */
public final class RunningSimulator implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final HttpClient client = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(5)).build();

  private RunningSimulator(ActorSystem<Void> system, ServerBinding binding) {
    this.system = system;
    this.binding = binding;
  }

  public static RunningSimulator start(Duration latency, double failureRate) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "simulator-test",
        ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load()));
    SimulatorSettings settings = new SimulatorSettings("127.0.0.1", 0, latency, Duration.ZERO, failureRate, Duration.ofSeconds(2));
    try {
      return new RunningSimulator(system, DownstreamSimulator.start(system, settings).toCompletableFuture().get(30, TimeUnit.SECONDS));
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("simulator did not start", e);
    }
  }

  public static RunningSimulator start() {
    return start(Duration.ZERO, 0.0);
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public HttpResponse<String> delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  public HttpResponse<String> postJson(String path, String json) {
    return send(post(path, json));
  }

  public HttpRequest.Builder post(String path, String json) {
    return HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  public HttpResponse<String> send(HttpRequest.Builder request) {
    return TestGate.send(client, request.timeout(Duration.ofSeconds(30)).build());
  }

  /** One counter of {@code GET /stats}, e.g. "inventory.reserved". */
  public long stat(String name) {
    JsonNode stats = TestGate.json(get("/stats"));
    if (!stats.has(name)) {
      throw new AssertionError("no counter " + name + " in " + stats);
    }
    return stats.get(name).asLong();
  }

  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
    executor.shutdownNow();
  }
}
