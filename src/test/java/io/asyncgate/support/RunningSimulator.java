package io.asyncgate.support;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.simulator.DownstreamSimulator;
import io.asyncgate.simulator.SimulatorSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A simulator bound to a free port in an actor system of its own, and the client to call it. */
public final class RunningSimulator extends TestHttpClient {
  private final ActorSystem<Void> system;

  private RunningSimulator(ActorSystem<Void> system, ServerBinding binding) {
    super("http://127.0.0.1:" + binding.localAddress().getPort(), "simulator", 2, Optional.of(Duration.ofSeconds(30)));
    this.system = system;
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

  /** One counter of {@code GET /stats}, e.g. "inventory.reserved". */
  public long stat(String name) {
    JsonNode stats = json(get("/stats"));
    if (!stats.has(name)) {
      throw new AssertionError("no counter " + name + " in " + stats);
    }
    return stats.get(name).asLong();
  }

  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
    super.close();
  }
}
