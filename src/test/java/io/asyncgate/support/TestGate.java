package io.asyncgate.support;

import akka.actor.Address;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.AsyncGate;
import io.asyncgate.Settings;
import io.asyncgate.catalogue.Catalogue;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A real asyncgate node for tests: a database of its own ({@link TestDatabase}: H2 files, or a
 * fresh PostgreSQL database with {@code -Dasyncgate.test.database=postgres}), HTTP on a free port,
 * remoting on a free port, the root application.conf's operation types plus any registered in
 * Java. The root application.conf's downstream simulator runs on a free port of its own, with the
 * demo's downstream URL pointed at it ({@link #simulator()}). Talk to it over real HTTP with the
 * methods of {@link GateClient}; requests wait as long as the node takes.
 */
public final class TestGate extends GateClient {
  private final Config config;
  private final AsyncGate gate;
  private final TestDatabase database;
  /** Whether this node created its database, and so drops it when it closes. */
  private final boolean ownsDatabase;

  private TestGate(Config config, AsyncGate gate, TestDatabase database, boolean ownsDatabase) {
    super("http://127.0.0.1:" + gate.httpPort(), "test-gate", 4, Optional.empty());
    this.config = config;
    this.gate = gate;
    this.database = database;
    this.ownsDatabase = ownsDatabase;
  }

  /** Each call to the simulated downstream takes 100 ms unless {@code overrides} sets {@code asyncgate.simulator.latency}. */
  public static TestGate start(Catalogue javaTypes, String overrides) {
    TestDatabase database = TestDatabase.create();
    try {
      Started started = startNode(database, javaTypes, overrides);
      return new TestGate(started.config(), started.gate(), database, true);
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
    Started started = startNode(database, javaTypes, overrides);
    return new TestGate(started.config(), started.gate(), database, false);
  }

  private record Started(Config config, AsyncGate gate) {}

  /**
   * Starts the node, again with another simulator port when the one found free was taken by
   * someone else before the simulator bound it: that port must be known before the start (the
   * demo's steps call it), so it cannot be 0 like the others. A failed start leaves nothing behind.
   */
  private static Started startNode(TestDatabase database, Catalogue javaTypes, String overrides) {
    for (int attempt = 1; ; attempt++) {
      Config config = configFor(database, overrides);
      try {
        return new Started(config, AsyncGate.start(config, javaTypes));
      } catch (IllegalStateException e) {
        if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
          throw e;
        }
      }
    }
  }

  /** The same with configured operation types only (none registered in Java). */
  public static TestGate startOn(TestDatabase database, String overrides) {
    return startOn(database, Catalogue.of(), overrides);
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
    super.close();
    if (ownsDatabase) {
      database.close();
    }
  }
}
