package io.asyncgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Cluster nodes as an operator runs them, each {@code java -jar asyncgate.jar} in a JVM of its own:
 * one fresh PostgreSQL database (the test is skipped when no server answers, see
 * {@link TestDatabase#postgres()}), one standalone downstream simulator process
 * ({@code simulate-downstream}) with the given latency per call, and nodes loading
 * {@code docs/cluster-orders.conf} — the {@code POST /orders} type whose three steps call that
 * simulator — configured only through the documented environment variables, the first node being
 * every node's seed. Closing kills whatever still runs and drops the database.
 */
public final class ProcessCluster implements AutoCloseable {
  private static final Duration READY_WITHIN = Duration.ofSeconds(120);
  private static final Path CONFIG = Path.of("docs", "cluster-orders.conf");

  private final String name;
  private final TestDatabase database;
  private final Process simulator;
  private final int simulatorPort;
  private final List<GateProcess> nodes = new ArrayList<>();
  private int seedPort;

  private ProcessCluster(String name, TestDatabase database, Process simulator, int simulatorPort) {
    this.name = name;
    this.database = database;
    this.simulator = simulator;
    this.simulatorPort = simulatorPort;
  }

  /** The database and the simulator, listening; no node yet. */
  public static ProcessCluster create(String name, Duration downstreamLatency) {
    TestDatabase database = TestDatabase.postgres();
    int port = GateProcess.freePort();
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", GateProcess.jar().toString(), "simulate-downstream",
        "--port", String.valueOf(port), "--latency", downstreamLatency.toMillis() + "ms");
    ProcessCluster cluster;
    try {
      Path logDir = Files.createDirectories(GateProcess.projectDir().resolve("target").resolve("it-nodes"));
      Process simulator = new ProcessBuilder(command).directory(logDir.toFile()).redirectErrorStream(true)
          .redirectOutput(logDir.resolve(name + "-simulator.log").toFile()).start();
      cluster = new ProcessCluster(name, database, simulator, port);
    } catch (IOException e) {
      database.close();
      throw new UncheckedIOException(e);
    }
    try {
      cluster.awaitSimulator();
      return cluster;
    } catch (AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  private void awaitSimulator() {
    Await.until("the simulator listening on " + simulatorPort, this::simulatorListens, listens -> listens, READY_WITHIN,
        Duration.ofMillis(100));
  }

  private boolean simulatorListens() {
    if (!simulator.isAlive()) {
      throw new AssertionError("the simulator exited with " + simulator.exitValue());
    }
    try (Socket ignored = new Socket("127.0.0.1", simulatorPort)) {
      return true;
    } catch (IOException notListeningYet) {
      return false;
    }
  }

  /** Starts {@code count} nodes on the database and waits until every one is ready. */
  public List<GateProcess> startNodes(int count) {
    return startNodes(count, database.url(), Map.of());
  }

  /**
   * Starts {@code count} more nodes that reach the database at {@code databaseUrl} (e.g. through a
   * proxy), with extra {@code -D} settings, and waits until every one is ready.
   */
  public List<GateProcess> startNodes(int count, String databaseUrl, Map<String, String> settings) {
    List<GateProcess> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int clusterPort = GateProcess.freePort();
      if (nodes.isEmpty()) {
        seedPort = clusterPort;
      }
      Map<String, String> environment = Map.of(
          "ASYNCGATE_DB_URL", databaseUrl,
          "ASYNCGATE_DB_USER", database.user(),
          "ASYNCGATE_DB_PASSWORD", database.password(),
          "ASYNCGATE_HTTP_PORT", String.valueOf(GateProcess.freePort()),
          "ASYNCGATE_CLUSTER_HOST", "127.0.0.1",
          "ASYNCGATE_CLUSTER_PORT", String.valueOf(clusterPort),
          "ASYNCGATE_SEED_NODES", "127.0.0.1:" + seedPort,
          "ASYNCGATE_MANAGEMENT_PORT", String.valueOf(GateProcess.freePort()),
          "DOWNSTREAM_URL", "http://127.0.0.1:" + simulatorPort);
      GateProcess node = GateProcess.startWithEnvironment(GateProcess.projectDir().resolve(CONFIG),
          name + "-node-" + (nodes.size() + 1), environment, settings, simulatorPort);
      nodes.add(node);
      started.add(node);
    }
    started.forEach(node -> node.awaitReady(READY_WITHIN));
    return started;
  }

  public String databaseUrl() {
    return database.url();
  }

  /** A URL of one node (e.g. a Location header) as the same path on {@code other}. */
  public static URI onNode(String url, GateProcess other) {
    URI uri = URI.create(url);
    return other.uri(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
  }

  @Override
  public void close() {
    try {
      nodes.forEach(GateProcess::close);
      simulator.destroyForcibly();
      simulator.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      database.close();
    }
  }
}
