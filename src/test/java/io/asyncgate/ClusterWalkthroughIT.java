package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncgate.support.GateProcess;
import io.asyncgate.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs docs/cluster.md's "A three-node cluster on PostgreSQL, step by step" — the shell block between
 * its {@code cluster-walkthrough} markers, as written — against the packaged jar and the PostgreSQL
 * server of the PostgreSQL tests (skipped, saying how to run it, when none answers). Only the
 * variables the block's first lines invite a reader to set differ: a database name of its own and
 * free ports. The block runs in a directory of its own that sees the project's {@code target/} and
 * {@code docs/}, as a reader's shell in the repository root does, in a process group of its own so
 * that nothing it started outlives the test.
 */
class ClusterWalkthroughIT {
  private static final int ORDERS = 12;

  @Test
  void theThreeNodeWalkthroughRunsAsWritten() throws Exception {
    String script = ReadmeWalkthroughIT.shellBlock(
        Files.readString(GateProcess.projectDir().resolve("docs/cluster.md")), "cluster-walkthrough");
    try (TestDatabase server = TestDatabase.postgres()) {
      String database = "asyncgate_walkthrough_" + UUID.randomUUID().toString().replace("-", "");
      Path dir = repositoryLookalike();
      Map<String, String> variables = new HashMap<>(server.libpqEnvironment());
      variables.put("DB", database);
      for (String port : List.of("SIMULATOR", "HTTP1", "HTTP2", "HTTP3", "CLUSTER1", "CLUSTER2", "CLUSTER3", "MGMT1", "MGMT2", "MGMT3")) {
        variables.put(port, String.valueOf(GateProcess.freePort()));
      }
      // setsid: the block and everything it starts in the background form one process group.
      Path output = dir.resolve("walkthrough.out");
      ProcessBuilder builder = new ProcessBuilder("setsid", "bash", "-c", "set -euo pipefail\n" + script)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(output.toFile());
      builder.environment().putAll(variables);
      Process bash = builder.start();
      boolean finished;
      try {
        finished = bash.waitFor(4, TimeUnit.MINUTES);
      } finally {
        killProcessGroup(bash.pid());
        server.drop(database);
      }
      String out = Files.readString(output, StandardCharsets.UTF_8);
      assertTrue(finished, "the walkthrough did not finish:\n" + out);
      System.out.println(out);
      assertEquals(0, bash.exitValue(), "the walkthrough failed:\n" + out);

      assertTrue(count(out, "\"status\":\"Up\"") >= 3, "three members Up:\n" + out);
      assertTrue(out.contains("HTTP/1.1 202 Accepted"), out);
      Matcher accepted = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"").matcher(out);
      assertTrue(accepted.find(), out);
      assertTrue(out.contains("{\"id\":\"" + accepted.group(1) + "\""), "node 3 answered the status of node 1's operation:\n" + out);
      assertEquals(ORDERS, Pattern.compile("(?m)^(\"attempts\":2 )?\"status\":\"Succeeded\"$").matcher(out).results().count(),
          "every order Succeeded after the kill:\n" + out);
    }
  }

  /** A fresh directory with the project's {@code target} and {@code docs}, where the block's logs and files go. */
  private static Path repositoryLookalike() throws IOException {
    Path dir = Files.createTempDirectory("cluster-walkthrough");
    for (String name : List.of("target", "docs")) {
      Files.createSymbolicLink(dir.resolve(name), GateProcess.projectDir().resolve(name));
    }
    return dir;
  }

  private static void killProcessGroup(long leader) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-KILL", "--", "-" + leader).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
  }

  private static long count(String text, String part) {
    return Pattern.compile(Pattern.quote(part)).matcher(text).results().count();
  }
}
