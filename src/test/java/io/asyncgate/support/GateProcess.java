package io.asyncgate.support;

import static io.asyncgate.support.ApiAssertions.assertProblem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real asyncgate node in a JVM of its own, started from the shaded jar the way an operator does
 * ({@code java -Dconfig.file=application.conf -jar asyncgate.jar}), on a data directory of the
 * caller's choosing and free ports — also for the root application.conf's embedded downstream
 * simulator, at which the demo's downstream URL is pointed. For the {@code *IT} tests, which Failsafe runs after
 * {@code package} with {@code -Dasyncgate.jar} set. Output goes to a log file under {@code target/}.
 */
public final class GateProcess extends GateClient {
  private final Process process;
  private final Path log;
  private final int simulatorPort;

  private GateProcess(Process process, Path log, int httpPort, int simulatorPort) {
    super("http://127.0.0.1:" + httpPort, "gate-process-" + process.pid(), 2, Optional.of(Duration.ofSeconds(30)));
    this.process = process;
    this.log = log;
    this.simulatorPort = simulatorPort;
  }

  /** The shaded jar under test, as Failsafe passes it. */
  public static Path jar() {
    String jar = System.getProperty("asyncgate.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("-Dasyncgate.jar must name the packaged jar (run with mvn verify); was " + jar);
    }
    return Path.of(jar).toAbsolutePath();
  }

  /** The project directory: the jar is in its {@code target/}. */
  public static Path projectDir() {
    return jar().getParent().getParent();
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code java -jar asyncgate.jar} with the root application.conf, {@code dataDir}, free HTTP,
   * remoting and simulator ports and the given {@code -D} settings; returns at once (see {@link #awaitReady}).
   */
  public static GateProcess start(Path dataDir, String logName, Map<String, String> settings) {
    int httpPort = freePort();
    int simulatorPort = freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m",
        "-Dconfig.file=" + projectDir().resolve("application.conf"),
        "-Dasyncgate.data-dir=" + dataDir.toAbsolutePath(),
        "-Dasyncgate.http.port=" + httpPort,
        "-Dasyncgate.http.interface=127.0.0.1",
        "-Dasyncgate.cluster.port=" + freePort(),
        "-Dasyncgate.management.port=" + freePort(),
        "-Dasyncgate.management.interface=127.0.0.1",

        "-Dasyncgate.simulator.port=" + simulatorPort,
        "-Dasyncgate.demo.downstream=http://127.0.0.1:" + simulatorPort));
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.addAll(List.of("-jar", jar().toString()));
    return launch(command, Map.of(), logName, httpPort, simulatorPort);
  }

  /**
   * Starts {@code java -Dconfig.file=configFile -jar asyncgate.jar} configured as an operator
   * configures a cluster node: by the {@code ASYNCGATE_*} variables in {@code environment} (which must
   * include {@code ASYNCGATE_HTTP_PORT}) and any other variables the config file reads, plus the
   * given {@code -D} settings, its steps calling the standalone simulator on {@code simulatorPort};
   * returns at once (see {@link #awaitReady}).
   */
  public static GateProcess startWithEnvironment(Path configFile, String logName, Map<String, String> environment,
      Map<String, String> settings, int simulatorPort) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m",
        "-Dconfig.file=" + configFile.toAbsolutePath()));
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.addAll(List.of("-jar", jar().toString()));
    return launch(command, environment, logName, Integer.parseInt(environment.get("ASYNCGATE_HTTP_PORT")), simulatorPort);
  }

  private static GateProcess launch(List<String> command, Map<String, String> environment, String logName, int httpPort,
      int simulatorPort) {
    try {
      Path logDir = Files.createDirectories(projectDir().resolve("target").resolve("it-nodes"));
      Path log = logDir.resolve(logName + ".log");
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(logDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      return new GateProcess(builder.start(), log, httpPort, simulatorPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Polls {@code GET /health/ready} until it answers 200; returns how long that took. Fails when the
   * process exits first or the time is up, with the end of its log.
   */
  public Duration awaitReady(Duration within) {
    long start = System.nanoTime();
    try {
      Await.until("GET /health/ready answering 200", this::readiness, status -> status == 200, within);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ":\n" + logTail(), e);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** The status {@code GET /health/ready} answers, 0 while nothing listens yet; fails once the process has exited. */
  private int readiness() {
    if (!process.isAlive()) {
      throw new AssertionError("asyncgate exited with " + process.exitValue() + " before it was ready");
    }
    try {
      return send(HttpRequest.newBuilder(uri("/health/ready")).timeout(Duration.ofSeconds(2)).GET().build()).statusCode();
    } catch (UncheckedIOException notListeningYet) {
      return 0;
    }
  }

  /**
   * After SIGTERM: polls ready while the node still answers and returns the first answer that is not
   * 200; fails if the port closes first.
   */
  public HttpResponse<String> awaitNotReady() {
    return Await.until("the node answering not ready after SIGTERM", () -> {
      try {
        return get("/health/ready");
      } catch (UncheckedIOException e) {
        throw new AssertionError("the node closed its port before it answered not ready: " + e.getMessage(), e);
      }
    }, ready -> ready.statusCode() != 200, Duration.ofSeconds(10), Duration.ofMillis(20));
  }

  /** How long a graceful leave took, counted from the SIGTERM sent at {@code signalledNanos} ({@link System#nanoTime()}). */
  public record Leave(long signalledNanos, Duration notReadyAfter, Duration exitedAfter) {}

  /**
   * SIGTERM, and what a leaving node must show while it still serves: ready answers 503 (problem
   * {@code unhealthy}), a submit answers 503 (problem {@code leaving}) with Retry-After; then the
   * process exits with 143 — 128 + SIGTERM: the JVM ends by the signal once its shutdown hook
   * (coordinated shutdown) is done.
   */
  public Leave leaveOnSigterm() {
    long signalled = System.nanoTime();
    terminate();
    HttpResponse<String> notReady = awaitNotReady();
    Duration unready = Duration.ofNanos(System.nanoTime() - signalled);
    assertProblem(notReady, base(), 503, "unhealthy");
    HttpResponse<String> refused = postJson("/orders", order("too-late", 1));
    assertProblem(refused, base(), 503, "leaving");
    if (!refused.headers().firstValue("Retry-After").orElse("").matches("[1-9][0-9]*")) {
      throw new AssertionError("a refused submit without a Retry-After in whole seconds: " + refused.headers().map());
    }
    int exitCode = awaitExit(Duration.ofSeconds(60), "SIGTERM");
    Duration exited = Duration.ofNanos(System.nanoTime() - signalled);
    if (exitCode != 143) {
      throw new AssertionError("exit code " + exitCode + " after SIGTERM, expected 143:\n" + logTail());
    }
    return new Leave(signalled, unready, exited);
  }

  /** {@code kill -9}: SIGKILL on Linux, no shutdown hook runs. Returns the exit code. */
  public int kill() {
    process.destroyForcibly();
    return awaitExit(Duration.ofSeconds(30), "SIGKILL");
  }

  /** SIGTERM on Linux: the JVM's shutdown hook runs Akka's coordinated shutdown. Returns at once. */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to end after {@code signal}; returns its exit code. */
  public int awaitExit(Duration within, String signal) {
    try {
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("asyncgate (pid " + process.pid() + ") still runs " + within + " after " + signal + ":\n" + logTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    // The client's executor stays up until close(): load drivers still try this node after it has exited.
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** The address, {@code host:port}, of the simulator the node's steps call: its embedded one, or a standalone one. */
  public String simulatorHostPort() {
    return "127.0.0.1:" + simulatorPort;
  }

  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Never leaves a JVM behind. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
    super.close();
  }
}
