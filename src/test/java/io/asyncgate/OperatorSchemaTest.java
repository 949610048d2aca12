package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.TestDatabase;
import io.asyncgate.support.TestGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * docs/postgresql.md's way for operators who keep DDL rights to themselves: apply the shipped schema
 * with psql (its operator-schema command, as written), then run nodes with {@code create-schema = false}.
 * PostgreSQL only; skipped on H2 and where psql is not installed. Runs in the project directory, as
 * surefire does, where the command's relative path to the schema file holds.
 */
class OperatorSchemaTest {
  @Test
  void theSchemaAppliedWithPsqlAsTheReadmeSaysServesANodeThatCreatesNothing() throws Exception {
    assumeTrue(TestDatabase.isPostgres(), "PostgreSQL only (-Dasyncgate.test.database=postgres)");
    assumeTrue(new ProcessBuilder("psql", "--version").start().waitFor() == 0, "psql is not installed");
    String command = ReadmeWalkthroughIT.shellBlock(
        Files.readString(Path.of("docs/postgresql.md")), "operator-schema");
    try (TestDatabase database = TestDatabase.create()) {
      Map<String, String> psqlEnv = new HashMap<>(database.libpqEnvironment());
      psqlEnv.put("PGDATABASE", database.url().substring(database.url().lastIndexOf('/') + 1));
      // Twice: an operator re-running the file after an upgrade must not fail.
      for (int run = 1; run <= 2; run++) {
        ReadmeWalkthroughIT.runShell(command, Path.of("").toAbsolutePath(), psqlEnv, Duration.ofMinutes(1),
            "run " + run + " of docs/postgresql.md's psql command");
      }
      // The service's own login gets only what docs/postgresql.md says it needs.
      String role = "asyncgate_service_" + UUID.randomUUID().toString().replace("-", "");
      database.executeOnServer("CREATE ROLE " + role + " LOGIN PASSWORD 'service'");
      try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
          Statement s = c.createStatement()) {
        s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
        s.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + role);
      }
      try (TestGate node = TestGate.startOn(database, Catalogue.of(), "asyncgate.db.create-schema = false\n"
          + "asyncgate.db.user = " + role + "\nasyncgate.db.password = service")) {
        String id = node.submitOrder("operator", 1);
        assertEquals("Succeeded", node.awaitTerminal(id, Duration.ofSeconds(60)).get("status").asText());
      } finally {
        database.close(); // the database first: it holds the role's privileges
        database.executeOnServer("DROP ROLE " + role);
      }
    }
  }
}
