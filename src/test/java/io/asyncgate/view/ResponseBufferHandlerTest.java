package io.asyncgate.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.persistence.query.Offset;
import akka.projection.eventsourced.EventEnvelope;
import io.asyncgate.db.Database;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationEvent.*;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.Phase;
import io.asyncgate.operation.RequestBuffer;
import io.asyncgate.operation.StepPlan;
import io.asyncgate.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The view's handler on a real database (H2 or PostgreSQL, see TestDatabase) with the shipped schema: rows as the API reads them. */
class ResponseBufferHandlerTest {
  private static TestDatabase testDatabase;
  private static Database database;
  private static OperationViewRepository repository;
  private static ResponseBufferHandler handler;

  @BeforeAll
  static void open() {
    testDatabase = TestDatabase.create();
    database = Database.open(testDatabase.poolSettings(2));
    database.applySchema();
    repository = new OperationViewRepository(database.dataSource());
    handler = new ResponseBufferHandler(repository);
  }

  @AfterAll
  static void close() {
    database.close();
    testDatabase.close();
  }

  @Test
  void aGroupOfEventsBecomesOneRowWithTheFoldedProgressAndTheResult() throws Exception {
    String id = UUID.randomUUID().toString();
    Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
    OperationResult result = OperationResult.json(Json.object().put("orderId", id));
    process(id,
        new Accepted(request(id, t0)),
        new StepStarted("a", 1, t0.plusSeconds(1)),
        new StepSucceeded("a", Json.object().put("x", 1), t0.plusSeconds(2)),
        new StepStarted("b", 1, t0.plusSeconds(3)),
        new StepSucceeded("b", Json.object(), t0.plusSeconds(4)),
        new Succeeded(result, t0.plusSeconds(5)));

    OperationViewRepository.Row row = repository.find(id).orElseThrow();
    assertEquals(6, row.seqNr());
    assertEquals(OperationStatus.Succeeded, row.view().progress().status());
    assertEquals(Phase.SUCCEEDED, row.view().progress().phase());
    assertEquals(t0.plusSeconds(5), row.view().progress().updatedAt());
    assertEquals("application/json", row.view().result().contentType());
    assertArrayEquals(result.body(), row.view().result().body());
    assertEquals("Succeeded", column(id, "status"));
    assertEquals(String.valueOf(t0.toEpochMilli()), column(id, "created_at"));
  }

  @Test
  void aPurgeDropsTheResultAndMarksTheRow() throws Exception {
    String id = UUID.randomUUID().toString();
    Instant t0 = Instant.parse("2026-11-21T11:00:00Z");
    process(id,
        new Accepted(request(id, t0)),
        new StepStarted("a", 1, t0),
        new StepSucceeded("a", Json.object(), t0),
        new StepStarted("b", 1, t0),
        new StepSucceeded("b", Json.object(), t0),
        new Succeeded(OperationResult.file("text/csv", "r.csv", "a,b\r\n"), t0),
        new Purged(t0.plusSeconds(60)));

    OperationViewRepository.Row row = repository.find(id).orElseThrow();
    assertTrue(row.view().progress().purged());
    assertNull(row.view().result());
    assertEquals("true", column(id, "CAST(purged AS VARCHAR(5))").toLowerCase()); // H2 says TRUE, PostgreSQL true
    List<String> listed = new ArrayList<>();
    repository.list(new OperationViewRepository.ListQuery("anonymous", "view-test", null, null, 100, null))
        .items().forEach(v -> listed.add(v.id()));
    assertTrue(!listed.contains(id), listed::toString);
  }

  @Test
  void anEventForAnOperationTheViewHasNotSeenFailsTheGroupRatherThanDroppingIt() {
    String id = UUID.randomUUID().toString();
    Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> process(id, new StepStarted("a", 1, Instant.now())));
    assertTrue(failure.getMessage().contains("view has no row for operation " + id), failure.getMessage());
  }

  private static OperationRequest request(String id, Instant at) {
    return new OperationRequest(id, "view-test", "POST", "/view-test", Map.of(), Json.object(), "anonymous", at,
        List.of(new StepPlan("a", true), new StepPlan("b", false)));
  }

  /** Runs the events through the handler as one group, in one transaction, as the projection does. */
  private static void process(String id, OperationEvent... events) throws Exception {
    List<EventEnvelope<OperationEvent>> group = new ArrayList<>();
    for (int i = 0; i < events.length; i++) {
      group.add(EventEnvelope.create(Offset.sequence(i + 1), RequestBuffer.persistenceId(id).id(), i + 1, events[i], 0L));
    }
    PlainJdbcSession session = new PlainJdbcSession(database.dataSource());
    try {
      handler.process(session, group);
      session.commit();
    } catch (Exception e) {
      session.rollback();
      throw e;
    } finally {
      session.close();
    }
  }

  private static String column(String id, String column) throws Exception {
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + column + " FROM operation_view WHERE id = '" + id + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
