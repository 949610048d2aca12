package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  private static final String START = "<!-- walkthrough:start -->";
  private static final String END = "<!-- walkthrough:end -->";

  @Test
  void theReadmeWalkthroughRunsAsWritten() throws Exception {
    String script = walkthrough(Files.readString(GateProcess.projectDir().resolve("README.md")));
    Path dir = Files.createTempDirectory("readme-walkthrough");
    try (GateProcess gate = GateProcess.start(dir.resolve("data"), "readme-walkthrough", Map.of())) {
      gate.awaitReady(Duration.ofSeconds(120));
      String base = gate.uri("").toString();
      String hostPort = base.substring(base.indexOf("://") + 3).replaceAll("/$", "").replace("127.0.0.1", "localhost");
      Process bash = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + script.replace("localhost:8080", hostPort))
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .start();
      String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(bash.waitFor(3, TimeUnit.MINUTES), "the walkthrough did not finish:\n" + out);
      System.out.println(out);
      assertEquals(0, bash.exitValue(), "the walkthrough failed:\n" + out);

      for (String expected : List.of(
          "HTTP/1.1 202 Accepted",                 // submit
          "Operation-Location: http://",           // absolute URLs
          "Retry-After: 1",
          "\"status\":\"Running\"",                // the first poll
          "\"status\":\"confirmed\"",              // curl -L followed the 303 to the order confirmation
          "\"resourceLocation\":\"http://",        // ?redirect=false
          "\"code\":\"PaymentDeclined\"",          // the declined order
          "HTTP/1.1 422 Unprocessable",            // ... and its result
          "\"status\":\"Canceled\"",               // the canceled order
          "Content-Disposition: attachment; filename=\"q3-report.csv\"",
          "row,name,value",                        // the file
          "/problems/validation",                  // bad input
          "\"pointer\":\"/customer\"",
          "\"pointer\":\"/items/0/quantity\"",
          "\"items\":[")) {                        // the listing
        assertTrue(out.contains(expected), "the walkthrough's output lacks " + expected + ":\n" + out);
      }
    }
  }

  static String walkthrough(String readme) {
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertTrue(start >= 0 && end > start, "README.md has no walkthrough markers");
    String block = readme.substring(start + START.length(), end).trim();
    assertTrue(block.startsWith("```bash") && block.endsWith("```"), "the walkthrough is one ```bash block");
    return block.substring("```bash".length(), block.length() - 3);
  }
}
