package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncgate.support.GateProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's walkthrough — the shell block between its {@code walkthrough:start} and
 * {@code walkthrough:end} markers, as written — against the packaged jar with the default
 * configuration (1 s demo steps), and checks that a reader sees what the README says they will.
 * Only the port differs: {@code localhost:8080} becomes the free port the node was given.
 */
class ReadmeWalkthroughIT {
  @Test
  void theReadmeWalkthroughRunsAsWritten() throws Exception {
    String script = shellBlock(Files.readString(GateProcess.projectDir().resolve("README.md")), "walkthrough");
    Path dir = Files.createTempDirectory("readme-walkthrough");
    try (GateProcess gate = GateProcess.start(dir.resolve("data"), "readme-walkthrough", Map.of())) {
      gate.awaitReady(Duration.ofSeconds(120));
      String base = gate.uri("").toString();
      String hostPort = base.substring(base.indexOf("://") + 3).replaceAll("/$", "").replace("127.0.0.1", "localhost");
      String out = runShell(script.replace("localhost:8080", hostPort).replace("localhost:8090", gate.simulatorHostPort()),
          dir, Map.of(), Duration.ofMinutes(3), "the walkthrough");
      System.out.println(out);

      for (String expected : List.of(
          "HTTP/1.1 202 Accepted",                 // submit
          "Operation-Location: http://",           // absolute URLs
          "Retry-After: 1",
          "\"status\":\"Running\"",                // the first poll
          "\"status\":\"confirmed\"",              // curl -L followed the 303 to the order confirmation
          "\"resourceLocation\":\"http://",        // ?redirect=false
          "\"code\":\"PaymentDeclined\"",          // the declined order
          "HTTP/1.1 422 Unprocessable",            // ... and its result
          "\"inventory.released\":1",              // ... its reservation released in the simulator
          "\"status\":\"Canceled\"",               // the canceled order
          "Content-Disposition: attachment; filename=\"q3-report.csv\"",
          "row,item,quantity",                     // the file
          "\"deletedDevices\":[",                  // the user deleted with their devices
          "\"code\":\"FanOutItemsFailed\"",        // the user with a locked device
          "\"id\":\"locked-bob-phone\"",            // ... whose deleted devices are restored
          "/problems/validation",                  // bad input
          "\"pointer\":\"/customer\"",
          "\"pointer\":\"/items/0/quantity\"",
          "\"items\":[")) {                        // the listing
        assertTrue(out.contains(expected), "the walkthrough's output lacks " + expected + ":\n" + out);
      }
    }
  }

  /**
   * Runs {@code script} with bash ({@code set -euo pipefail}) in {@code dir} with {@code env} added,
   * and answers what it printed; fails, showing that output, if it does not finish or exits non-zero.
   */
  static String runShell(String script, Path dir, Map<String, String> env, Duration within, String what) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + script)
        .directory(dir.toFile())
        .redirectErrorStream(true);
    builder.environment().putAll(env);
    Process bash = builder.start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(bash.waitFor(within.toMillis(), TimeUnit.MILLISECONDS), what + " did not finish:\n" + out);
    assertEquals(0, bash.exitValue(), what + " failed:\n" + out);
    return out;
  }

  /** The one {@code ```bash} block of a Markdown file between its {@code <!-- name:start -->} and {@code <!-- name:end -->}. */
  static String shellBlock(String markdown, String name) {
    String start = "<!-- " + name + ":start -->";
    int from = markdown.indexOf(start);
    int to = markdown.indexOf("<!-- " + name + ":end -->");
    assertTrue(from >= 0 && to > from, "no " + name + ":start / " + name + ":end markers");
    String block = markdown.substring(from + start.length(), to).trim();
    assertTrue(block.startsWith("```bash") && block.endsWith("```"), "the " + name + " is one ```bash block");
    return block.substring("```bash".length(), block.length() - 3);
  }
}
