package io.asyncgate.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asyncgate.support.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shipped schema on the database the tests run on (H2, or PostgreSQL: see TestDatabase). */
class DatabaseTest {
  /** Every table the node uses comes from the shipped schema file, and applying it again changes nothing. */
  @Test
  void theShippedSchemaCreatesEveryTableAndCanBeAppliedAgain() throws Exception {
    try (TestDatabase testDatabase = TestDatabase.create(); Database database = Database.open(testDatabase.poolSettings(1))) {
      database.applySchema();
      database.applySchema();
      List<String> tables = new ArrayList<>();
      try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(
              "SELECT LOWER(table_name) FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA ORDER BY 1")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertEquals(List.of("akka_projection_management", "akka_projection_offset_store",
          "event_journal", "event_tag", "operation_view", "snapshot"), tables);
    }
  }

  /** Operators see which statement failed and why; nothing is swallowed. */
  @Test
  void aFailingStatementIsReportedWithTheDatabasesMessage() {
    try (TestDatabase testDatabase = TestDatabase.create(); Database database = Database.open(testDatabase.poolSettings(1))) {
      IllegalStateException failure = assertThrows(IllegalStateException.class,
          () -> database.applySchema("db/broken-schema.sql"));
      assertTrue(failure.getMessage().contains("CREATE TABLE broken_probe (id NO_SUCH_TYPE)"), failure.getMessage());
      assertTrue(failure.getMessage().contains(failure.getCause().getMessage()), failure.getMessage());
    }
  }

  /**
   * Three nodes started together on an empty database all get past the schema (the first creates
   * it). PostgreSQL only: an embedded H2 file is opened by one process at a time, so its nodes
   * never share it.
   */
  @Test
  void nodesStartingTogetherOnAnEmptyDatabaseAllApplyTheSchema() throws Exception {
    assumeTrue(TestDatabase.isPostgres(), "nodes share only a PostgreSQL database");
    int nodes = 3;
    ExecutorService starts = Executors.newFixedThreadPool(nodes);
    try {
      for (int round = 0; round < 3; round++) {
        try (TestDatabase testDatabase = TestDatabase.create()) {
          CyclicBarrier together = new CyclicBarrier(nodes);
          List<Future<?>> applied = new ArrayList<>();
          for (int node = 0; node < nodes; node++) {
            applied.add(starts.submit(() -> {
              try (Database database = Database.open(testDatabase.poolSettings(1))) {
                together.await(30, TimeUnit.SECONDS);
                database.applySchema();
              }
              return null;
            }));
          }
          for (Future<?> f : applied) {
            f.get(60, TimeUnit.SECONDS); // throws if that node's schema failed
          }
        }
      }
    } finally {
      starts.shutdownNow();
    }
  }

  /**
   * A node joining a running cluster applies the schema while the others write to every table.
   * On an existing schema it must take no lock that waits for their writes: CREATE INDEX IF NOT
   * EXISTS locked its table in SHARE mode before looking, and deadlocked with the view's
   * projection (CI saw it). The writers here hold their row locks until the schema is applied.
   */
  @Test
  void applyingTheSchemaToARunningClusterWaitsForNoWriter() throws Exception {
    assumeTrue(TestDatabase.isPostgres(), "nodes share only a PostgreSQL database");
    try (TestDatabase testDatabase = TestDatabase.create(); Database database = Database.open(testDatabase.poolSettings(1))) {
      database.applySchema();
      ExecutorService joining = Executors.newSingleThreadExecutor();
      try (Connection writer = DriverManager.getConnection(testDatabase.url(), testDatabase.user(), testDatabase.password());
          Statement s = writer.createStatement()) {
        writer.setAutoCommit(false);
        s.execute("LOCK TABLE event_journal, event_tag, snapshot, operation_view, akka_projection_offset_store,"
            + " akka_projection_management IN ROW EXCLUSIVE MODE");
        Future<?> applied = joining.submit(() -> {
          database.applySchema();
          return null;
        });
        applied.get(60, TimeUnit.SECONDS); // a TimeoutException: the schema waited for the writer
        writer.rollback();
      } finally {
        joining.shutdownNow();
      }
    }
  }

  /**
   * The read journal takes a gap in "ordering" for a write in flight and holds back every later
   * event for 10 s (the view, and so every status read, froze after each crash), so a crash must
   * not leave one: H2 hands the values out in blocks, and a node continues after the highest one
   * when it opens the database. The writer is a JVM of its own, ended with SIGKILL.
   */
  @Test
  void journalOrderingHasNoGapAfterKillNine() throws Exception {
    try (TestDatabase testDatabase = TestDatabase.create()) {
      for (int run = 0; run < 2; run++) {
        writeThreeRowsAndKillTheWriter(testDatabase, "run-" + run);
      }
      List<Long> ordering = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(testDatabase.url(), testDatabase.user(), testDatabase.password());
          ResultSet rs = c.createStatement().executeQuery("SELECT \"ordering\" FROM \"event_journal\" ORDER BY 1")) {
        while (rs.next()) {
          ordering.add(rs.getLong(1));
        }
      }
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), ordering);
    }
  }

  /**
   * Past the view's offset too, should the journal's newest rows ever be deleted: a reused value at
   * or below an offset would be skipped by the projection for good.
   */
  @Test
  void journalOrderingContinuesPastTheViewsOffset() throws Exception {
    assumeTrue(!TestDatabase.isPostgres(), "H2 only: PostgreSQL's sequence never goes back");
    try (TestDatabase testDatabase = TestDatabase.create(); Database db = Database.open(testDatabase.poolSettings(2))) {
      db.applySchema();
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute("INSERT INTO \"akka_projection_offset_store\" VALUES ('response-buffer', 'operation-1', '41', 'SEQ', false, 0)");
        db.continueJournalOrdering();
        s.execute("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\","
            + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES ('p', 1, 'w', 0, '', X'00', 1, '')");
        try (ResultSet rs = s.executeQuery("SELECT \"ordering\" FROM \"event_journal\"")) {
          rs.next();
          assertEquals(42L, rs.getLong(1));
        }
      }
    }
  }

  private static void writeThreeRowsAndKillTheWriter(TestDatabase testDatabase, String persistenceId) throws Exception {
    try (Database db = Database.open(testDatabase.poolSettings(2))) {
      db.applySchema(); // the second time on an existing database
      db.continueJournalOrdering(); // as a node does when it opens the database
    }
    Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Writer.class.getName(),
        testDatabase.url(), testDatabase.user(), testDatabase.password(), persistenceId)
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

  /** Commits three journal rows, says so, and waits to be killed. */
  public static final class Writer {
    static final String WRITTEN = "written";

    public static void main(String[] args) throws SQLException, InterruptedException {
      Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
      try (PreparedStatement s = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\","
          + " \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\","
          + " \"event_ser_id\", \"event_ser_manifest\") VALUES (?, ?, 'w', 0, '', ?, 1, '')")) {
        for (int i = 0; i < 3; i++) {
          s.setString(1, args[3]);
          s.setLong(2, i);
          s.setBytes(3, new byte[] {0});
          s.executeUpdate();
        }
      }
      System.out.println(WRITTEN);
      System.out.flush();
      Thread.sleep(TimeUnit.MINUTES.toMillis(2));
    }
  }
}
