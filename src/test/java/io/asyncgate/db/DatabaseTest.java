package io.asyncgate.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DatabaseTest {
  /** Every table the node uses comes from the shipped schema file, and applying it again changes nothing. */
  @Test
  void theShippedSchemaCreatesEveryTableAndCanBeAppliedAgain() throws Exception {
    Path dir = Files.createTempDirectory("asyncgate-schema");
    String url = "jdbc:h2:file:" + dir.resolve("db");
    try (Database database = Database.open(ConfigFactory.parseMap(Map.of(
        "url", url, "user", "sa", "password", "", "pool-size", 1, "connection-timeout", "5s")))) {
      database.applySchema();
      database.applySchema();
      List<String> tables = new ArrayList<>();
      try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(
              "SELECT table_name FROM information_schema.tables WHERE table_schema = 'PUBLIC' ORDER BY table_name")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertEquals(List.of("OPERATION_VIEW", "akka_projection_management", "akka_projection_offset_store",
          "event_journal", "event_tag", "snapshot"), tables);
    }
  }

  /**
   * The read journal takes a gap in "ordering" for a write in flight and holds back every later
   * event for 10 s (the view, and so every status read, froze after each crash), so a crash must
   * not leave one. The writer is a JVM of its own, ended with SIGKILL.
   */
  @Test
  void journalOrderingHasNoGapAfterKillNine() throws Exception {
    Path dir = Files.createTempDirectory("asyncgate-db");
    String url = "jdbc:h2:file:" + dir.resolve("asyncgate") + ";WRITE_DELAY=0";
    for (int run = 0; run < 2; run++) {
      try (Database db = Database.open(ConfigFactory.parseMap(Map.of(
          "url", url, "user", "asyncgate", "password", "", "pool-size", 2, "connection-timeout", "5s")))) {
        db.applySchema(); // the second time on an existing database
      }
      Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), Writer.class.getName(), url, "run-" + run)
          .redirectErrorStream(true).start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null && !line.equals(Writer.WRITTEN)) {
          System.out.println("writer: " + line);
        }
      } finally {
        writer.destroyForcibly();
        writer.waitFor(30, TimeUnit.SECONDS);
      }
    }
    List<Long> ordering = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, "asyncgate", "");
        ResultSet rs = c.createStatement().executeQuery("SELECT \"ordering\" FROM \"event_journal\" ORDER BY 1")) {
      while (rs.next()) {
        ordering.add(rs.getLong(1));
      }
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), ordering);
  }

  /** Commits three journal rows, says so, and waits to be killed. */
  public static final class Writer {
    static final String WRITTEN = "written";

    public static void main(String[] args) throws SQLException, InterruptedException {
      Connection c = DriverManager.getConnection(args[0], "asyncgate", "");
      try (Statement s = c.createStatement()) {
        for (int i = 0; i < 3; i++) {
          s.executeUpdate("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\","
              + " \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
              + " VALUES ('" + args[1] + "', " + i + ", 'w', 0, '', X'00', 1, '')");
        }
      }
      System.out.println(WRITTEN);
      System.out.flush();
      Thread.sleep(TimeUnit.MINUTES.toMillis(2));
    }
  }
}
