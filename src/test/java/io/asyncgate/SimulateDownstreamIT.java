package io.asyncgate;

import io.asyncgate.support.TestGate;
import io.asyncgate.support.GateProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code java -jar asyncgate.jar simulate-downstream} as an operator runs it, in a JVM of its own. */
class SimulateDownstreamIT {
  /** The exit code of a JVM ended by SIGTERM (128 + 15) after its shutdown hooks ran. */
  private static final int SIGTERM_EXIT = 143;
  private static final Duration WITHIN = Duration.ofSeconds(60);

  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final HttpClient client = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    executor.shutdownNow();
  }

  private Process simulateDownstream(String logName, String... flags) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", GateProcess.jar().toString(), "simulate-downstream"));
    command.addAll(List.of(flags));
    Path logDir = Files.createDirectories(GateProcess.projectDir().resolve("target").resolve("it-nodes"));
    Process process = new ProcessBuilder(command).directory(logDir.toFile()).redirectErrorStream(true)
        .redirectOutput(logDir.resolve(logName + ".log").toFile()).start();
    processes.add(process);
    return process;
  }

  private HttpResponse<String> awaitHealth(Process process, int port) throws InterruptedException {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(process.isAlive(), "the simulator exited with " + (process.isAlive() ? "" : process.exitValue()));
      try {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (IOException notListeningYet) {
        TestGate.sleep(Duration.ofMillis(100));
      }
    }
    throw new AssertionError("the simulator did not listen on " + port + " within " + WITHIN);
  }

  @Test
  void servesHealthAndReservationsAndStopsOnSigterm() throws Exception {
    int port = GateProcess.freePort();
    Process simulator = simulateDownstream("simulate-downstream", "--port", String.valueOf(port), "--latency", "10ms");

    HttpResponse<String> health = awaitHealth(simulator, port);
    HttpResponse<String> reservation = TestGate.send(client,
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/inventory/reservations"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", "it-1")
            .POST(HttpRequest.BodyPublishers.ofString("{\"orderId\":\"o-1\",\"items\":[{\"name\":\"widget\",\"quantity\":2}]}"))
            .build());
    simulator.destroy();
    boolean exited = simulator.waitFor(WITHIN.toSeconds(), TimeUnit.SECONDS);

    assertEquals(200, health.statusCode(), health::body);
    assertEquals(201, reservation.statusCode(), reservation::body);
    assertTrue(TestGate.json(reservation).get("reservationId").asText().startsWith("res-"), reservation::body);
    assertTrue(exited, "the simulator still runs after SIGTERM");
    assertEquals(SIGTERM_EXIT, simulator.exitValue());
  }

  @Test
  void anUnknownFlagExitsWithCodeTwoAndTheUsage() throws Exception {
    Process simulator = simulateDownstream("simulate-downstream-bad-flag", "--prot", "9000");

    assertTrue(simulator.waitFor(WITHIN.toSeconds(), TimeUnit.SECONDS), "the simulator did not exit");
    assertEquals(2, simulator.exitValue());
    String output = Files.readString(GateProcess.projectDir().resolve("target/it-nodes/simulate-downstream-bad-flag.log"),
        StandardCharsets.UTF_8);
    assertTrue(output.contains("simulate-downstream: unknown argument --prot"), output);
    assertTrue(output.contains("usage: java -jar asyncgate.jar simulate-downstream"), output);
  }
}
