package io.asyncgate.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.persistence.query.Offset;
import akka.projection.eventsourced.EventEnvelope;
import com.typesafe.config.ConfigValueFactory;
import io.asyncgate.db.Database;
import io.asyncgate.db.DatabaseKind;
import io.asyncgate.json.Json;
import io.asyncgate.operation.Failure;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationEvent.*;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.operation.OperationState;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.Phase;
import io.asyncgate.operation.RequestBuffer;
import io.asyncgate.operation.StepPlan;
import io.asyncgate.operation.StepProgress.StepStatus;
import io.asyncgate.step.FailureKind;
import io.asyncgate.support.Await;
import io.asyncgate.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The view's handler on a real database (H2 or PostgreSQL, see TestDatabase) with the shipped
 * schema: rows as the API reads them, and the statements a group costs, counted on the connection.
 */
class ResponseBufferHandlerTest {
  private static final String PRINCIPAL = "anonymous";
  private static final Failure TRANSIENT = new Failure(FailureKind.TRANSIENT, "DownstreamError", "downstream answered 503", null);
  private static TestDatabase testDatabase;
  private static Database database;
  private static DatabaseKind kind;
  private static CountingDataSource counted;
  private static OperationViewRepository repository;
  private static ResponseBufferHandler handler;
  /** Each test lists its own operation type, so that listings see only that test's rows. */
  private String type;

  @BeforeAll
  static void open() {
    testDatabase = TestDatabase.create();
    database = Database.open(testDatabase.poolSettings(3));
    database.applySchema();
    kind = DatabaseKind.of(testDatabase.url());
    counted = new CountingDataSource(database.dataSource());
    repository = new OperationViewRepository(database.dataSource());
    handler = new ResponseBufferHandler(repository);
  }

  @AfterAll
  static void close() {
    database.close();
    testDatabase.close();
  }

  @BeforeEach
  void ownType() {
    type = "view-test-" + UUID.randomUUID();
  }

  @Test
  void aGroupOfEventsBecomesOneRowWithTheFoldedProgressAndTheResult() throws Exception {
    String id = UUID.randomUUID().toString();
    Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
    OperationResult result = OperationResult.json(Json.object().put("orderId", id));
    Group group = new Group()
        .add(id, 1, new Accepted(request(id, t0)))
        .add(id, 2, new StepStarted("a", 1, t0.plusSeconds(1)))
        .add(id, 3, new StepSucceeded("a", Json.object().put("x", 1), t0.plusSeconds(2)))
        .add(id, 4, new StepStarted("b", 1, t0.plusSeconds(3)))
        .add(id, 5, new StepSucceeded("b", Json.object(), t0.plusSeconds(4)))
        .add(id, 6, new Succeeded(result, t0.plusSeconds(5)));
    List<String> statements = process(group);

    OperationViewRepository.Row row = repository.find(id).orElseThrow();
    assertEquals(6, row.seqNr());
    assertEquals(OperationStatus.Succeeded, row.view().progress().status());
    assertEquals(Phase.SUCCEEDED, row.view().progress().phase());
    assertEquals(t0.plusSeconds(5), row.view().progress().updatedAt());
    assertEquals("application/json", row.view().result().contentType());
    assertArrayEquals(result.body(), row.view().result().body());
    assertEquals("Succeeded", column(id, "status"));
    assertEquals(String.valueOf(t0.toEpochMilli()), column(id, "created_at"));
    // Accepted and later events of one operation in one group: one read, one insert, no update.
    assertEquals(List.of("query SELECT", "batch INSERT"), statements);
  }

  @Test
  void aGroupOfInterleavedOperationsCostsOneQueryAndOneBatchPerStatementShape() throws Exception {
    Instant t0 = Instant.parse("2026-11-21T12:00:00Z");
    List<String> running = new ArrayList<>();
    List<String> finishing = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      running.add(UUID.randomUUID().toString());
      finishing.add(UUID.randomUUID().toString());
    }
    List<String> fresh = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fresh.add(UUID.randomUUID().toString());
    }
    Group first = new Group();
    for (String id : concat(running, finishing)) {
      first.add(id, 1, new Accepted(request(id, t0)));
    }
    process(first);

    // Round-robin over 15 operations, as a tag slice delivers them: 40 events, each operation's in order.
    Group second = new Group();
    for (int step = 0; step < 4; step++) {
      for (int i = 0; i < 5; i++) {
        Instant at = t0.plusSeconds(step + 1);
        String r = running.get(i);
        String f = finishing.get(i);
        String n = fresh.get(i);
        switch (step) {
          case 0 -> {
            second.add(r, 2, new StepStarted("a", 1, at));
            second.add(f, 2, new StepStarted("a", 1, at));
            second.add(n, 1, new Accepted(request(n, at)));
          }
          case 1 -> {
            second.add(r, 3, new StepAttemptFailed("a", 1, TRANSIENT, at));
            second.add(f, 3, new StepSucceeded("a", Json.object(), at));
            second.add(n, 2, new StepStarted("a", 1, at));
          }
          case 2 -> {
            second.add(r, 4, new StepStarted("a", 2, at));
            second.add(f, 4, new StepStarted("b", 1, at));
          }
          default -> {
            second.add(f, 5, new StepSucceeded("b", Json.object(), at));
            second.add(f, 6, new Succeeded(OperationResult.json(Json.object().put("id", f)), at));
          }
        }
      }
    }
    List<String> statements = process(second);

    // 15 rows written, whatever the number of events: one read, one insert batch, one update batch
    // for the rows without a new result, one for those with one.
    assertEquals(List.of("query SELECT", "batch INSERT", "batch UPDATE", "batch UPDATE"), statements);
    for (String id : running) {
      OperationViewRepository.Row row = repository.find(id).orElseThrow();
      assertEquals(4, row.seqNr());
      assertEquals(Phase.RUNNING, row.view().progress().phase());
      assertEquals(2, row.view().progress().step("a").attempts());
      assertEquals(1, row.view().progress().step("a").failedAttempts());
      assertNull(row.view().result());
    }
    for (String id : finishing) {
      OperationViewRepository.Row row = repository.find(id).orElseThrow();
      assertEquals(6, row.seqNr());
      assertEquals(OperationStatus.Succeeded, row.view().progress().status());
      assertEquals(t0.plusSeconds(4), row.view().progress().updatedAt());
      assertEquals("{\"id\":\"" + id + "\"}", new String(row.view().result().body()));
    }
    for (String id : fresh) {
      OperationViewRepository.Row row = repository.find(id).orElseThrow();
      assertEquals(2, row.seqNr());
      assertEquals(StepStatus.Running, row.view().progress().step("a").status());
      assertEquals(t0.plusSeconds(1), row.view().progress().createdAt());
    }
    assertEquals(15, listed().size());
  }

  @Test
  void eventsTheRowHasAlreadyAppliedChangeNothing() throws Exception {
    String id = UUID.randomUUID().toString();
    Instant t0 = Instant.parse("2026-11-21T13:00:00Z");
    process(new Group()
        .add(id, 1, new Accepted(request(id, t0)))
        .add(id, 2, new StepStarted("a", 1, t0.plusSeconds(1)))
        .add(id, 3, new StepSucceeded("a", Json.object(), t0.plusSeconds(2))));
    String progressBefore = column(id, "progress");

    // Delivered again (an offset reset, a renamed projection): skipped, not applied a second time.
    List<String> statements = process(new Group()
        .add(id, 1, new Accepted(request(id, t0)))
        .add(id, 2, new StepStarted("a", 1, t0.plusSeconds(1))));

    assertEquals(List.of("query SELECT"), statements);
    assertEquals(progressBefore, column(id, "progress"));
    OperationViewRepository.Row row = repository.find(id).orElseThrow();
    assertEquals(3, row.seqNr());
    assertEquals(StepStatus.Succeeded, row.view().progress().step("a").status());

    // Old and new events in one group: only the new ones apply.
    process(new Group()
        .add(id, 3, new StepSucceeded("a", Json.object(), t0.plusSeconds(2)))
        .add(id, 4, new StepStarted("b", 1, t0.plusSeconds(3))));
    row = repository.find(id).orElseThrow();
    assertEquals(4, row.seqNr());
    assertEquals(StepStatus.Succeeded, row.view().progress().step("a").status());
    assertEquals(StepStatus.Running, row.view().progress().step("b").status());
    assertEquals(t0.plusSeconds(3), row.view().progress().updatedAt());
  }

  @Test
  void aPurgeDropsTheResultAndMarksTheRow() throws Exception {
    String id = UUID.randomUUID().toString();
    Instant t0 = Instant.parse("2026-11-21T11:00:00Z");
    process(succeededWithFile(id, t0).add(id, 7, new Purged(t0.plusSeconds(60))));

    OperationViewRepository.Row row = repository.find(id).orElseThrow();
    assertTrue(row.view().progress().purged());
    assertEquals(t0.plusSeconds(60), row.view().progress().updatedAt());
    assertNull(row.view().result());
    assertEquals("true", column(id, "CAST(purged AS VARCHAR(5))").toLowerCase()); // H2 says TRUE, PostgreSQL true
    assertNull(column(id, "result_body"));
    assertFalse(listed().contains(id), listed()::toString);
  }

  @Test
  void aRowPurgedByTheRequestPathReadsAsPurgedWithoutResult() throws Exception {
    String id = UUID.randomUUID().toString();
    Instant t0 = Instant.parse("2026-11-21T14:00:00Z");
    process(succeededWithFile(id, t0));
    assertTrue(listed().contains(id));
    long before = System.currentTimeMillis();

    assertTrue(repository.markPurged(purged(id, t0)));

    OperationView view = repository.find(id).orElseThrow().view();
    assertTrue(view.progress().purged());
    assertEquals(OperationStatus.Succeeded, view.progress().status());
    assertTrue(view.progress().updatedAt().toEpochMilli() >= before, view.progress()::toString);
    assertNull(view.result());
    assertNull(column(id, "result_body"));
    assertNull(column(id, "result_content_type"));
    assertFalse(listed().contains(id), listed()::toString);
    assertFalse(repository.markPurged(purged(id, t0)), "a row is purged once");
  }

  @Test
  void aPurgeBeforeTheProjectionAppliedSucceededLeavesTheRowPurgedWithoutResult() throws Exception {
    String id = UUID.randomUUID().toString();
    Instant t0 = Instant.parse("2026-11-21T15:00:00Z");
    process(new Group()
        .add(id, 1, new Accepted(request(id, t0)))
        .add(id, 2, new StepStarted("a", 1, t0)));
    assertTrue(repository.markPurged(purged(id, t0)));

    List<String> statements = process(new Group()
        .add(id, 3, new StepSucceeded("a", Json.object(), t0.plusSeconds(1)))
        .add(id, 4, new StepStarted("b", 1, t0.plusSeconds(1)))
        .add(id, 5, new StepSucceeded("b", Json.object(), t0.plusSeconds(1)))
        .add(id, 6, new Succeeded(OperationResult.file("text/csv", "r.csv", "a,b\r\n"), t0.plusSeconds(2)))
        .add(id, 7, new Purged(t0.plusSeconds(3))));

    assertEquals(List.of("query SELECT"), statements);
    OperationViewRepository.Row row = repository.find(id).orElseThrow();
    assertTrue(row.view().progress().purged());
    assertNull(row.view().result());
    assertNull(column(id, "result_body"));
    assertEquals(2, row.seqNr());
    assertFalse(listed().contains(id), listed()::toString);
  }

  @Test
  void aPurgeWhileTheProjectionHoldsTheRowInMemoryIsNotUndoneByItsWrite() throws Exception {
    String id = UUID.randomUUID().toString();
    Instant t0 = Instant.parse("2026-11-21T16:00:00Z");
    process(new Group()
        .add(id, 1, new Accepted(request(id, t0)))
        .add(id, 2, new StepStarted("a", 1, t0))
        .add(id, 3, new StepSucceeded("a", Json.object(), t0))
        .add(id, 4, new StepStarted("b", 1, t0))
        .add(id, 5, new StepSucceeded("b", Json.object(), t0)));

    // The handler has read the row (not purged, no row lock) when the request path purges it.
    counted.afterNextQuery(() -> assertTrue(repository.markPurged(purged(id, t0))));
    process(new Group().add(id, 6, new Succeeded(OperationResult.file("text/csv", "r.csv", "a,b\r\n"), t0)));

    OperationView view = repository.find(id).orElseThrow().view();
    assertTrue(view.progress().purged());
    assertNull(view.result());
    assertNull(column(id, "result_body"));
    assertFalse(listed().contains(id), listed()::toString);
  }

  @Test
  void anEventForAnOperationTheViewHasNotSeenFailsTheGroupRatherThanDroppingIt() {
    String id = UUID.randomUUID().toString();
    Exception failure = assertThrows(Exception.class, () -> process(new Group().add(id, 1, new StepStarted("a", 1, Instant.now()))));
    assertTrue(failure.getMessage().contains("view has no row for operation " + id), failure.getMessage());
  }

  /**
   * A purge answered before the projection wrote the row: the purged operation becomes the row, and
   * the projection's later writes of the same events never show it finished but not purged (a read
   * on another node answered 303 and the result in between).
   */
  @Test
  void markingAnOperationTheViewHasNoRowForWritesItPurgedAndTheProjectionLeavesItSo() throws Exception {
    String id = UUID.randomUUID().toString();
    Instant t0 = Instant.parse("2026-11-21T17:00:00Z");
    List<OperationEvent> events = succeeded(id, t0);
    OperationView purged = purged(id, t0);
    assertTrue(repository.find(id).isEmpty());

    assertTrue(repository.markPurged(purged));
    assertTrue(repository.find(id).orElseThrow().view().progress().purged());

    Group group = new Group();
    for (int i = 0; i < events.size(); i++) {
      group.add(id, i + 1, events.get(i));
    }
    process(group);
    OperationView view = repository.find(id).orElseThrow().view();
    assertTrue(view.progress().purged(), view.progress()::toString);
    assertNull(view.result());
    assertNull(column(id, "result_body"));
    assertFalse(listed().contains(id), listed()::toString);
    assertFalse(repository.markPurged(purged), "a row is purged once");
  }

  /**
   * A progress document is 0.7-2.5 KB, an Accepted event 0.3-0.5 KB: H2's default in-row limit (256
   * bytes) sent nearly all of them to its LOB storage, several times slower to write and to read.
   */
  @Test
  void h2KeepsViewValuesInTheirRowAndStillReadsAndUpdatesRowsAnEarlierVersionStoredAsLobs() throws Exception {
    Assumptions.assumeTrue(kind == DatabaseKind.H2, "an H2 setting; PostgreSQL has no LOB storage of that kind");
    try (TestDatabase earlier = TestDatabase.create()) {
      String id = UUID.randomUUID().toString();
      Instant t0 = Instant.parse("2026-11-21T17:00:00Z");
      String url = earlier.url();
      String before = url.replaceFirst(";MAX_LENGTH_INPLACE_LOB=[0-9]+", "");
      assertNotEquals(url, before);
      try (Database old = Database.open(earlier.poolSettings(2).withValue("url", ConfigValueFactory.fromAnyRef(before)))) {
        old.applySchema();
        processOn(old, new Group()
            .add(id, 1, new Accepted(request(id, t0)))
            .add(id, 2, new StepStarted("a", 1, t0))
            .add(id, 3, new StepSucceeded("a", Json.object(), t0)));
      }
      assertEquals(1, lobBlocks(earlier), "the progress, in the LOB storage as an earlier version wrote it");
      try (Database now = Database.open(earlier.poolSettings(2))) {
        now.applySchema();
        OperationViewRepository reader = new OperationViewRepository(now.dataSource());
        assertEquals(StepStatus.Succeeded, reader.find(id).orElseThrow().view().progress().step("a").status());
        processOn(now, new Group()
            .add(id, 4, new StepStarted("b", 1, t0))
            .add(id, 5, new StepSucceeded("b", Json.object(), t0))
            .add(id, 6, new Succeeded(OperationResult.file("text/csv", "r.csv", "a,b\r\n".repeat(100)), t0)));
        OperationViewRepository.Row row = reader.find(id).orElseThrow();
        assertEquals(6, row.seqNr());
        assertEquals(OperationStatus.Succeeded, row.view().progress().status());
        assertEquals(500, row.view().result().body().length);
      }
      assertEquals(0, lobBlocks(earlier), "the progress rewritten and the result, both in their row");
    }
  }

  /** Blocks in the LOB storage of a closed H2 database file. */
  private static long lobBlocks(TestDatabase h2) {
    String file = h2.url().substring("jdbc:h2:file:".length()).split(";")[0] + ".mv.db";
    try (MVStore store = new MVStore.Builder().fileName(file).readOnly().open()) {
      return store.hasMap("lobData") ? store.openMap("lobData",
          new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE)).size() : 0;
    }
  }

  @Test
  void onPostgresTheViewsUpdatesStayOnTheirRowsPageAndWriteNoIndexEntries() throws Exception {
    Assumptions.assumeTrue(kind == DatabaseKind.POSTGRES, "a PostgreSQL storage parameter");
    // A database of its own: the statistics count every update to the table, the other tests' too.
    try (TestDatabase own = TestDatabase.create(); Database db = Database.open(own.poolSettings(2))) {
      db.applySchema();
      Instant t0 = Instant.parse("2026-11-21T18:00:00Z");
      List<String> ids = new ArrayList<>();
      Group accepted = new Group();
      for (int i = 0; i < 20; i++) {
        String id = UUID.randomUUID().toString();
        ids.add(id);
        accepted.add(id, 1, new Accepted(request(id, t0)));
      }
      processOn(db, accepted);
      // Each row rewritten by three later groups, as an operation's events arrive while it runs.
      OperationEvent[] later = {new StepStarted("a", 1, t0), new StepSucceeded("a", Json.object(), t0), new StepStarted("b", 1, t0)};
      for (int i = 0; i < later.length; i++) {
        Group group = new Group();
        for (String id : ids) {
          group.add(id, i + 2, later[i]);
        }
        processOn(db, group);
      }

      long[] counts = Await.until("the statistics to count the 60 updates", () -> updateCounts(db),
          c -> c[0] >= 60, Duration.ofSeconds(20));
      assertEquals(60, counts[0]);
      assertEquals(60, counts[1], "updates that had to write index entries: " + (60 - counts[1]));
    }
  }

  /** Rows updated in operation_view, and how many of those updates were HOT (PostgreSQL's statistics). */
  private static long[] updateCounts(Database db) {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'operation_view'")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private Group succeededWithFile(String id, Instant t0) {
    return new Group()
        .add(id, 1, new Accepted(request(id, t0)))
        .add(id, 2, new StepStarted("a", 1, t0))
        .add(id, 3, new StepSucceeded("a", Json.object(), t0))
        .add(id, 4, new StepStarted("b", 1, t0))
        .add(id, 5, new StepSucceeded("b", Json.object(), t0))
        .add(id, 6, new Succeeded(OperationResult.file("text/csv", "r.csv", "a,b\r\n"), t0));
  }

  private OperationRequest request(String id, Instant at) {
    return new OperationRequest(id, type, "POST", "/view-test", Map.of(), Json.object(), PRINCIPAL, at,
        List.of(new StepPlan("a", true), new StepPlan("b", false)));
  }

  private List<String> listed() {
    List<String> ids = new ArrayList<>();
    repository.list(new OperationViewRepository.ListQuery(PRINCIPAL, type, null, null, 100, null))
        .items().forEach(v -> ids.add(v.id()));
    return ids;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** A group of events as a tag slice delivers it: offsets in order, sequence numbers per operation. */
  private static final class Group {
    final List<EventEnvelope<OperationEvent>> envelopes = new ArrayList<>();

    Group add(String id, long seqNr, OperationEvent event) {
      envelopes.add(EventEnvelope.create(Offset.sequence(envelopes.size() + 1), RequestBuffer.persistenceId(id).id(), seqNr, event, 0L));
      return this;
    }
  }

  /**
   * Runs the group through the handler in one transaction, as the projection does, and returns the
   * statements the handler ran on the database (kind and first word each), in order.
   */
  private static List<String> process(Group group) throws Exception {
    PlainJdbcSession session = new PlainJdbcSession(counted, kind);
    counted.clear(); // the session's own set-up is not the handler's cost
    try {
      handler.process(session, group.envelopes);
      session.commit();
    } catch (Exception e) {
      session.rollback();
      throw e;
    } finally {
      session.close();
    }
    return counted.executed();
  }

  private static void processOn(Database db, Group group) throws Exception {
    PlainJdbcSession session = new PlainJdbcSession(db.dataSource(), kind);
    try {
      new ResponseBufferHandler(new OperationViewRepository(db.dataSource())).process(session, group.envelopes);
      session.commit();
    } finally {
      session.close();
    }
  }

  /** The events of an operation whose two steps succeeded, from {@code t0} on. */
  private List<OperationEvent> succeeded(String id, Instant t0) {
    return List.of(new Accepted(request(id, t0)),
        new StepStarted("a", 1, t0), new StepSucceeded("a", Json.object(), t0.plusSeconds(1)),
        new StepStarted("b", 1, t0.plusSeconds(1)), new StepSucceeded("b", Json.object(), t0.plusSeconds(1)),
        new Succeeded(OperationResult.file("text/csv", "r.csv", "a,b\r\n"), t0.plusSeconds(2)));
  }

  /** That operation purged, as its entity answers the request path's DELETE. */
  private OperationView purged(String id, Instant t0) {
    OperationState state = new OperationState.Empty();
    for (OperationEvent event : succeeded(id, t0)) {
      state = state.apply(event);
    }
    return OperationView.of(((Operation) state).apply(new Purged(t0.plusSeconds(3))));
  }

  private static String column(String id, String column) throws Exception {
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + column + " FROM operation_view WHERE id = '" + id + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
