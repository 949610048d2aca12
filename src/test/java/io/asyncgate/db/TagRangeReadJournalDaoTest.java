package io.asyncgate.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import akka.persistence.jdbc.journal.dao.JournalTables.JournalAkkaSerializationRow;
import io.asyncgate.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The view's projection reads the journal by tag through {@link TagRangeReadJournalDao}: the right
 * events, in order, one page at a time, and on H2 without reading the rest of the journal (the
 * library's own query scanned all of {@code event_tag} for every page).
 */
class TagRangeReadJournalDaoTest {
  private static final int EVENTS = 4_000;
  private static final String[] TAGS = {"operation-0", "operation-1", "operation-2", "operation-3"};

  @Test
  void aPageHoldsTheTagsEventsAfterTheOffsetInOrderAndNoDeletedOnes() throws Exception {
    try (TestDatabase testDatabase = TestDatabase.create(); Database database = Database.open(testDatabase.poolSettings(1));
        Connection c = journalOf(database)) {
      List<JournalAkkaSerializationRow> page = TagRangeReadJournalDao.rows(c, "operation-1", 100, 3_000, 50);

      assertEquals(50, page.size(), "the limit");
      long previous = 100;
      for (JournalAkkaSerializationRow row : page) {
        assertTrue(row.ordering() > previous, "in order and after the offset: " + row.ordering());
        assertEquals(1, row.ordering() % TAGS.length, "only the tag's events: " + row.ordering());
        assertFalse(row.ordering() % 10 == 9, "a deleted event is left out: " + row.ordering());
        assertEquals("pid-" + row.ordering(), row.persistenceId());
        assertEquals("payload " + row.ordering(), new String(row.eventPayload(), StandardCharsets.UTF_8));
        assertTrue(row.metaPayload().isEmpty() && row.metaSerId().isEmpty(), "no metadata was written");
        previous = row.ordering();
      }
      List<JournalAkkaSerializationRow> upToMax = TagRangeReadJournalDao.rows(c, "operation-1", 2_900, 3_000, 500);
      assertTrue(upToMax.stream().allMatch(r -> r.ordering() <= 3_000), "nothing beyond maxOffset");
      assertEquals(20, upToMax.size(), "the tag's 25 events in (2900, 3000] less the 5 deleted");
    }
  }

  @Test
  void onH2APageReadsThePageNotTheJournal() throws Exception {
    try (TestDatabase testDatabase = TestDatabase.create(); Database database = Database.open(testDatabase.poolSettings(1));
        Connection c = journalOf(database)) {
      assumeFalse(TestDatabase.isPostgres(), "this reads H2's EXPLAIN ANALYZE; the page itself is checked on both");
      String explain = "EXPLAIN ANALYZE " + TagRangeReadJournalDao.EVENTS_BY_TAG;
      int mostScanned = 0;
      try (PreparedStatement plan = c.prepareStatement(explain)) {
        plan.setLong(1, 3_000);
        plan.setLong(2, EVENTS);
        plan.setString(3, "operation-2");
        plan.setLong(4, 50);
        try (ResultSet rs = plan.executeQuery()) {
          rs.next();
          Matcher scanned = Pattern.compile("scanCount: (\\d+)").matcher(rs.getString(1));
          while (scanned.find()) {
            mostScanned = Math.max(mostScanned, Integer.parseInt(scanned.group(1)));
          }
        }
      }
      // 50 events of one tag among four lie within about 220 rows (a tenth deleted); there are 1,000
      // after the offset and 4,000 in all, which the library's query scanned.
      assertTrue(mostScanned > 0 && mostScanned <= 400, "rows scanned for a page of 50: " + mostScanned);
    }
  }

  /**
   * On PostgreSQL every page is planned for its own offsets and the tables' current size. A plan
   * cached once the statement had run a few times on a young, nearly empty journal (a fresh
   * database in its first minute, before autovacuum analysed it) compared every journal row with
   * every event of the tag: pages took seconds to read and held the view back.
   */
  @Test
  void onPostgresNoPageIsReadWithAPlanMadeWithoutItsOffsets() throws Exception {
    assumeTrue(TestDatabase.isPostgres(), "PostgreSQL's plan cache");
    try (TestDatabase testDatabase = TestDatabase.create(); Database database = Database.open(testDatabase.poolSettings(2))) {
      database.applySchema();
      try (Connection c = database.dataSource().getConnection()) {
        for (int i = 0; i < 10; i++) {
          assertEquals(0, TagRangeReadJournalDao.rows(c, "operation-1", 0, 1_000, 50).size(), "the journal is empty");
        }
        journalOf(database, false).close(); // not analysed yet, as autovacuum leaves a young table
        List<JournalAkkaSerializationRow> page = TagRangeReadJournalDao.rows(c, "operation-1", 100, 3_000, 50);
        assertEquals(50, page.size(), "the page, once the journal has grown");
        try (Statement plans = c.createStatement();
            ResultSet rs = plans.executeQuery("SELECT COALESCE(SUM(generic_plans), 0) FROM pg_prepared_statements"
                + " WHERE statement LIKE '%FROM \"event_tag\" t%'")) {
          rs.next();
          assertEquals(0, rs.getLong(1), "pages read with a plan made without their parameters");
        }
      }
    }
  }

  private static Connection journalOf(Database database) throws Exception {
    return journalOf(database, true);
  }

  /** A journal of {@link #EVENTS} events, tagged in turn, every tenth one (ordering ending in 9) deleted. */
  private static Connection journalOf(Database database, boolean analyze) throws Exception {
    database.applySchema();
    Connection c = database.dataSource().getConnection();
    c.setAutoCommit(false);
    try (PreparedStatement event = c.prepareStatement("INSERT INTO \"event_journal\" (\"ordering\", \"deleted\","
        + " \"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\","
        + " \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
        + " VALUES (?, ?, ?, 1, 'w', 0, '', ?, 1, 'm')");
        PreparedStatement tag = c.prepareStatement("INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)")) {
      for (int ordering = 1; ordering <= EVENTS; ordering++) {
        event.setLong(1, ordering);
        event.setBoolean(2, ordering % 10 == 9);
        event.setString(3, "pid-" + ordering);
        event.setBytes(4, ("payload " + ordering).getBytes(StandardCharsets.UTF_8));
        event.addBatch();
        tag.setLong(1, ordering);
        tag.setString(2, TAGS[ordering % TAGS.length]);
        tag.addBatch();
      }
      event.executeBatch();
      tag.executeBatch();
    }
    c.commit();
    if (analyze) {
      try (Statement statistics = c.createStatement()) {
        // Plans as after a while in production: H2 and PostgreSQL keep statistics of the tables.
        statistics.execute("ANALYZE");
      }
      c.commit();
    }
    return c;
  }
}
