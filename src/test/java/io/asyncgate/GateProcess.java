package io.asyncgate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real asyncgate node in a JVM of its own, started from the shaded jar the way an operator does
 * ({@code java -Dconfig.file=application.conf -jar asyncgate.jar}), on a data directory of the
 * caller's choosing and free ports. For the {@code *IT} tests, which Failsafe runs after
 * {@code package} with {@code -Dasyncgate.jar} set. Output goes to a log file under {@code target/}.
 */
final class GateProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int httpPort;
  private final ExecutorService executor;
  private final HttpClient client;

  private GateProcess(Process process, Path log, int httpPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
    // An executor of our own: on 2 cores the JDK client would otherwise start a thread per call.
    this.executor = Executors.newFixedThreadPool(2);
    this.client = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The shaded jar under test, as Failsafe passes it. */
  static Path jar() {
    String jar = System.getProperty("asyncgate.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("-Dasyncgate.jar must name the packaged jar (run with mvn verify); was " + jar);
    }
    return Path.of(jar).toAbsolutePath();
  }

  /** The project directory: the jar is in its {@code target/}. */
  static Path projectDir() {
    return jar().getParent().getParent();
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code java -jar asyncgate.jar} with the root application.conf, {@code dataDir}, free HTTP
   * and remoting ports and the given {@code -D} settings; returns at once (see {@link #awaitReady}).
   */
  static GateProcess start(Path dataDir, String logName, Map<String, String> settings) {
    int httpPort = freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m",
        "-Dconfig.file=" + projectDir().resolve("application.conf"),
        "-Dasyncgate.data-dir=" + dataDir.toAbsolutePath(),
        "-Dasyncgate.http.port=" + httpPort,
        "-Dasyncgate.http.interface=127.0.0.1",
        "-Dasyncgate.cluster.port=" + freePort()));
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.addAll(List.of("-jar", jar().toString()));
    try {
      Path logDir = Files.createDirectories(projectDir().resolve("target").resolve("it-nodes"));
      Path log = logDir.resolve(logName + ".log");
      Process process = new ProcessBuilder(command)
          .directory(logDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      return new GateProcess(process, log, httpPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Polls {@code GET /health/ready} until it answers 200; returns how long that took. Fails when the
   * process exits first or the time is up, with the end of its log.
   */
  Duration awaitReady(Duration within) {
    long start = System.nanoTime();
    long deadline = start + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("asyncgate exited with " + process.exitValue() + " before it was ready:\n" + logTail());
      }
      try {
        HttpResponse<String> response = client.send(
            HttpRequest.newBuilder(uri("/health/ready")).timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      TestGate.sleep(Duration.ofMillis(50));
    }
    throw new AssertionError("asyncgate was not ready within " + within + ":\n" + logTail());
  }

  /** {@code kill -9}: SIGKILL on Linux, no shutdown hook runs. Returns the exit code. */
  int kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("asyncgate (pid " + process.pid() + ") still runs 30 s after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    executor.shutdownNow();
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  HttpResponse<String> send(HttpRequest request) {
    return TestGate.send(client, request);
  }

  HttpResponse<String> postJson(String path, String json) {
    return send(HttpRequest.newBuilder(uri(path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build());
  }

  static String order(String customer, int quantity) {
    return "{\"customer\":\"" + customer + "\",\"items\":[{\"name\":\"widget\",\"quantity\":" + quantity + "}]}";
  }

  /** The status document (never redirected); fails on anything but 200. */
  JsonNode status(String id) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/operations/" + id + "?redirect=false"))
        .timeout(Duration.ofSeconds(30)).GET().build());
    if (response.statusCode() != 200) {
      throw new AssertionError("expected 200 for status of " + id + ", got " + response.statusCode() + ": " + response.body());
    }
    return TestGate.json(response);
  }

  static boolean isTerminal(JsonNode status) {
    String s = status.get("status").asText();
    return s.equals("Succeeded") || s.equals("Failed") || s.equals("Canceled");
  }

  String logTail() {
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
    executor.shutdownNow();
  }
}
