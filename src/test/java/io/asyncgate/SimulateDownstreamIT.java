package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncgate.support.Await;
import io.asyncgate.support.GateProcess;
import io.asyncgate.support.TestHttpClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code java -jar asyncgate.jar simulate-downstream} as an operator runs it, in a JVM of its own. */
class SimulateDownstreamIT {
  /** The exit code of a JVM ended by SIGTERM (128 + 15) after its shutdown hooks ran. */
  private static final int SIGTERM_EXIT = 143;
  private static final Duration WITHIN = Duration.ofSeconds(60);

  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
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

  /** The first answer of {@code GET /health}; fails when the simulator exits first. */
  private static HttpResponse<String> awaitHealth(Process process, TestHttpClient client) {
    return Await.until("the simulator answering GET /health", () -> {
      assertTrue(process.isAlive(), "the simulator exited with " + (process.isAlive() ? "" : process.exitValue()));
      try {
        return Optional.of(client.get("/health"));
      } catch (UncheckedIOException notListeningYet) {
        return Optional.<HttpResponse<String>>empty();
      }
    }, Optional::isPresent, WITHIN, Duration.ofMillis(100)).orElseThrow();
  }

  @Test
  void servesHealthAndReservationsAndStopsOnSigterm() throws Exception {
    int port = GateProcess.freePort();
    Process simulator = simulateDownstream("simulate-downstream", "--port", String.valueOf(port), "--latency", "10ms");

    try (TestHttpClient client = TestHttpClient.to("http://127.0.0.1:" + port, "simulate-downstream-it")) {
      HttpResponse<String> health = awaitHealth(simulator, client);
      HttpResponse<String> reservation = client.send(client.postJsonRequest("/inventory/reservations",
              "{\"orderId\":\"o-1\",\"items\":[{\"name\":\"widget\",\"quantity\":2}]}")
          .header("Idempotency-Key", "it-1"));
      simulator.destroy();
      boolean exited = simulator.waitFor(WITHIN.toSeconds(), TimeUnit.SECONDS);

      assertEquals(200, health.statusCode(), health::body);
      assertEquals(201, reservation.statusCode(), reservation::body);
      assertTrue(TestHttpClient.json(reservation).get("reservationId").asText().startsWith("res-"), reservation::body);
      assertTrue(exited, "the simulator still runs after SIGTERM");
      assertEquals(SIGTERM_EXIT, simulator.exitValue());
    }
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
