package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.support.TestDatabase;
import io.asyncgate.support.TestGate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Journals stored by an earlier version keep replaying. {@code src/test/resources/journal/stored-journal.jsonl}
 * holds every row that asyncgate 0.1.0-SNAPSHOT (Akka 2.8.5, akka-persistence-jdbc 5.2.1, H2) wrote
 * for six operations — {@link StoredJournalFixtureWriter} says how it was made. Each event row names
 * its class (the Jackson manifest, e.g. {@code io.asyncgate.operation.OperationEvent$Accepted}), two
 * snapshot rows name {@code io.asyncgate.operation.OperationState$Operation}: moving or renaming
 * those classes without keeping the old names readable breaks exactly this test.
 *
 * <p>The rows go into a fresh database with the service's schema through plain JDBC, a real node
 * starts on it, and everything is checked as a client sees it, over HTTP: the status documents and
 * results read from the journal and from the view the projection rebuilds from the tagged events;
 * the running operation, whose entity recovers from its snapshot and its later event and resumes
 * its saga by itself; and commands answered from the state the entities recovered.
 *
 * <p>Only HTTP, JDBC and Jackson here, no asyncgate classes (the packages are to be reorganized), and
 * of the test helpers only starting and stopping a node on a database.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoredJournalReplayTest {
  static final String FIXTURE = "/journal/stored-journal.jsonl";
  private static final Duration AWAIT = Duration.ofSeconds(60);

  // The operations of the fixture (its first line names them too).
  private static final String SUCCEEDED = "f91f2f74-3ee9-4aed-95ca-58a46240120b";
  private static final String FAILED = "5e3a3e87-ccaa-41dd-9681-9687f535ec36";
  private static final String PURGED = "37c3285f-cfa1-409d-a8b1-21fd58cb04bc";
  private static final String RETRIED = "3950f2b2-5604-477c-8a82-992c9e459282";
  private static final String CANCELED = "80341e53-7a05-45bd-8170-e2d78e67a862";
  private static final String RUNNING = "4dbfa620-e298-4fd7-9386-424a9a917407";

  /**
   * The configured type of the operation that was running at capture: same name and steps as when
   * it was captured, {@code ship-order} now calling the node's simulated downstream (at capture it
   * called a server that never answered, see {@link StoredJournalFixtureWriter}).
   */
  private static final String RESUME_TYPE = """
      asyncgate.operations.fixture-resume {
        route = "POST /fixture/resume"
        steps = [
          { name = reserve-inventory
            http { url = ${asyncgate.demo.downstream}"/inventory/reservations", body { orderId = "{requestId}", items = "{body/items}" } }
            compensation { method = DELETE, url = ${asyncgate.demo.downstream}"/inventory/reservations/{steps.reserve-inventory/reservationId}" }
          }
          { name = ship-order
            http { url = ${asyncgate.demo.downstream}"/shipments", body { orderId = "{requestId}" } }
          }
        ]
        result { kind = template, template {
          orderId = "{requestId}", reservationId = "{steps.reserve-inventory/reservationId}", shipmentId = "{steps.ship-order/shipmentId}" } }
      }
      """;

  // ---- what the fixture's operations look like (BASE: this node's base URL)

  private static final String SUCCEEDED_RESULT = "{\"customer\":\"Ada\",\"items\":[{\"name\":\"widget\",\"quantity\":3}],"
      + "\"orderId\":\"f91f2f74-3ee9-4aed-95ca-58a46240120b\",\"payment\":{\"amount\":30.00,\"currency\":\"EUR\","
      + "\"paymentId\":\"pay-ab1bd298-3387-4055-bbf0-923b9bbd53ee\"},\"reservationId\":\"res-ff258342-57f9-4bec-aca7-4e227bab282d\","
      + "\"shipment\":{\"estimatedDelivery\":\"2026-12-05\",\"shipmentId\":\"shp-86dd1537-068b-4304-ad9d-91d558cf9fc8\","
      + "\"trackingNumber\":\"TRK1LSLQLQ\"},\"status\":\"confirmed\"}";

  private static final String SUCCEEDED_STATUS = """
      {"id": "f91f2f74-3ee9-4aed-95ca-58a46240120b", "type": "orders", "status": "Succeeded", "phase": "succeeded",
       "percentComplete": 100, "createdDateTime": "2026-12-02T02:55:22.766Z", "lastUpdatedDateTime": "2026-12-02T02:55:25.286Z",
       "cancelRequested": false,
       "steps": [
         {"name": "reserve-inventory", "status": "Succeeded", "attempts": 1},
         {"name": "charge-payment", "status": "Succeeded", "attempts": 1},
         {"name": "ship-order", "status": "Succeeded", "attempts": 1}],
       "resourceLocation": "BASE/operations/f91f2f74-3ee9-4aed-95ca-58a46240120b/result",
       "result": RESULT}
      """.replace("RESULT", SUCCEEDED_RESULT);

  private static final String PAYMENT_DECLINED = """
      {"code": "DownstreamRejected", "message": "POST http://127.0.0.1:34727/payments answered 422 Unprocessable Content",
       "innererror": {"code": "PaymentDeclined",
         "message": "Payment for order 5e3a3e87-ccaa-41dd-9681-9687f535ec36 declined: the order has 2000 units; payments are declined above 1000."}}
      """;

  private static final String FAILED_STATUS = """
      {"id": "5e3a3e87-ccaa-41dd-9681-9687f535ec36", "type": "orders", "status": "Failed", "phase": "failed",
       "percentComplete": 33, "createdDateTime": "2026-12-02T02:55:25.460Z", "lastUpdatedDateTime": "2026-12-02T02:55:26.267Z",
       "cancelRequested": false,
       "steps": [
         {"name": "reserve-inventory", "status": "Succeeded", "attempts": 1, "compensation": {"status": "Succeeded", "attempts": 1}},
         {"name": "charge-payment", "status": "Failed", "attempts": 1, "lastError": ERROR},
         {"name": "ship-order", "status": "NotStarted", "attempts": 0}],
       "error": ERROR}
      """.replace("ERROR", PAYMENT_DECLINED);

  private static final String RETRIED_STATUS = """
      {"id": "3950f2b2-5604-477c-8a82-992c9e459282", "type": "fixture-retry", "status": "Succeeded", "phase": "succeeded",
       "percentComplete": 100, "createdDateTime": "2026-12-02T02:55:27.115Z", "lastUpdatedDateTime": "2026-12-02T02:55:27.329Z",
       "cancelRequested": false,
       "steps": [
         {"name": "call-downstream", "status": "Succeeded", "attempts": 2,
          "lastError": {"code": "DownstreamUnavailable", "message": "The downstream answered 503."}}],
       "resourceLocation": "BASE/operations/3950f2b2-5604-477c-8a82-992c9e459282/result",
       "result": {"confirmation": "conf-2"}}
      """;

  private static final String CANCELED_ERROR = """
      {"code": "OperationCanceled", "message": "The operation was canceled at the client's request; 2 completed step(s) were compensated."}
      """;

  private static final String CANCELED_STATUS = """
      {"id": "80341e53-7a05-45bd-8170-e2d78e67a862", "type": "fixture-cancel", "status": "Canceled", "phase": "canceled",
       "percentComplete": 100, "createdDateTime": "2026-12-02T02:55:27.376Z", "lastUpdatedDateTime": "2026-12-02T02:55:27.540Z",
       "cancelRequested": true,
       "steps": [
         {"name": "reserve", "status": "Succeeded", "attempts": 1, "compensation": {"status": "Succeeded", "attempts": 1}},
         {"name": "hold", "status": "Succeeded", "attempts": 1, "compensation": {"status": "Succeeded", "attempts": 1}}],
       "error": ERROR}
      """.replace("ERROR", CANCELED_ERROR);

  /** Once resumed and done; its last update and its new shipment are of this run, so checked apart. */
  private static final String RESUMED_STATUS = """
      {"id": "4dbfa620-e298-4fd7-9386-424a9a917407", "type": "fixture-resume", "status": "Succeeded", "phase": "succeeded",
       "percentComplete": 100, "createdDateTime": "2026-12-02T02:55:27.612Z",
       "cancelRequested": false,
       "steps": [
         {"name": "reserve-inventory", "status": "Succeeded", "attempts": 1},
         {"name": "ship-order", "status": "Succeeded", "attempts": 2}],
       "resourceLocation": "BASE/operations/4dbfa620-e298-4fd7-9386-424a9a917407/result",
       "result": {"orderId": "4dbfa620-e298-4fd7-9386-424a9a917407", "reservationId": "res-8a814811-6d1e-41fb-ab79-8d429af11ff0"}}
      """;
  /** When the fixture was captured: whatever the resumed operation did after it is later. */
  private static final Instant CAPTURED = Instant.parse("2026-12-02T02:55:27.859Z");

  private static TestDatabase database;
  private static TestGate gate;

  @BeforeAll
  static void restoreTheFixtureAndStartANodeOnIt() throws IOException, SQLException {
    assumeFalse(TestDatabase.isPostgres(), "the fixture is restored into H2, the database it was captured from");
    database = TestDatabase.create();
    Restored restored = restore(database, FIXTURE);
    assertEquals(new Restored(59, 46, 2), restored, "rows of the fixture");
    gate = TestGate.startOn(database, RESUME_TYPE);
  }

  @AfterAll
  static void stopTheNode() {
    if (gate != null) {
      gate.close();
    }
    if (database != null) {
      database.close();
    }
  }

  @Test
  @Order(1)
  void succeededOperationAnswersItsRecordedStatusAndResult() {
    assertEquals(expected(SUCCEEDED_STATUS), status(SUCCEEDED));

    HttpResponse<String> result = get("/operations/" + SUCCEEDED + "/result");
    assertEquals(200, result.statusCode(), result::body);
    assertEquals("application/json", result.headers().firstValue("Content-Type").orElse(null));
    assertEquals(SUCCEEDED_RESULT, result.body(), "the stored result, byte for byte");

    HttpResponse<String> redirect = get("/operations/" + SUCCEEDED);
    assertEquals(303, redirect.statusCode(), redirect::body);
    assertEquals(gate.base() + "/operations/" + SUCCEEDED + "/result", redirect.headers().firstValue("Location").orElse(null));
  }

  @Test
  @Order(2)
  void failedOperationAnswersItsErrorTheRejectedStepAndTheCompensation() {
    assertEquals(expected(FAILED_STATUS), status(FAILED));

    HttpResponse<String> result = get("/operations/" + FAILED + "/result");
    assertEquals(422, result.statusCode(), result::body);
    JsonNode problem = json(result.body());
    assertEquals(gate.base() + "/problems/operation-failed", problem.path("type").asText(), problem::toString);
    assertEquals(expected(PAYMENT_DECLINED), problem.path("error"), problem::toString);
  }

  @Test
  @Order(3)
  void canceledOperationAnswersCanceledWithItsStepsCompensated() {
    assertEquals(expected(CANCELED_STATUS), status(CANCELED));

    HttpResponse<String> result = get("/operations/" + CANCELED + "/result");
    assertEquals(409, result.statusCode(), result::body);
    JsonNode problem = json(result.body());
    assertEquals(gate.base() + "/problems/operation-canceled", problem.path("type").asText(), problem::toString);
    assertEquals(expected(CANCELED_ERROR), problem.path("error"), problem::toString);
  }

  @Test
  @Order(4)
  void purgedOperationAnswers410() {
    for (String path : List.of("/operations/" + PURGED + "?redirect=false", "/operations/" + PURGED + "/result")) {
      HttpResponse<String> response = get(path);
      assertEquals(410, response.statusCode(), () -> path + ": " + response.body());
      JsonNode problem = json(response.body());
      assertEquals(gate.base() + "/problems/operation-purged", problem.path("type").asText(), problem::toString);
      assertEquals("Operation " + PURGED + " was purged.", problem.path("detail").asText(), problem::toString);
    }
  }

  @Test
  @Order(5)
  void retriedOperationShowsItsFailedAttemptAndItsResult() {
    assertEquals(expected(RETRIED_STATUS), status(RETRIED));

    HttpResponse<String> result = get("/operations/" + RETRIED + "/result");
    assertEquals(200, result.statusCode(), result::body);
    assertEquals("{\"confirmation\":\"conf-2\"}", result.body());
  }

  /**
   * Stopped with its second step under way, it is started again by cluster sharding (its entity is
   * remembered in the fixture's journal), recovers from its snapshot (after event 3: the first step's
   * output, which the result is made from) and event 4 (the second step started), runs that step
   * once more and succeeds — without any request of a client.
   */
  @Test
  @Order(6)
  void operationRunningAtCaptureResumesFromItsSnapshotAndSucceeds() {
    JsonNode done = awaitStatus(RUNNING, doc -> doc.path("status").asText().equals("Succeeded"));
    ObjectNode compared = done.deepCopy();
    Instant lastUpdated = Instant.parse(compared.remove("lastUpdatedDateTime").asText());
    String shipmentId = ((ObjectNode) compared.get("result")).remove("shipmentId").asText();
    assertEquals(expected(RESUMED_STATUS), compared);
    assertTrue(lastUpdated.isAfter(CAPTURED), () -> "finished after the capture: " + done);
    assertTrue(shipmentId.matches("shp-[0-9a-f-]{36}"), () -> "shipped by this run: " + done);

    HttpResponse<String> result = get("/operations/" + RUNNING + "/result");
    assertEquals(200, result.statusCode(), result::body);
    assertEquals("{\"orderId\":\"" + RUNNING + "\",\"reservationId\":\"res-8a814811-6d1e-41fb-ab79-8d429af11ff0\","
        + "\"shipmentId\":\"" + shipmentId + "\"}", result.body());
  }

  /** The listing comes from the view, which the projection rebuilt from the fixture's tagged events. */
  @Test
  @Order(7)
  void listingShowsTheStoredOperationsNewestFirstWithoutThePurgedOne() {
    List<String> order = List.of(RUNNING, CANCELED, RETRIED, FAILED, SUCCEEDED);
    JsonNode items = awaitListing(list -> ids(list).equals(order)
        && list.get(0).path("status").asText().equals("Succeeded"));
    assertEquals(withoutResult(expected(CANCELED_STATUS)), items.get(1));
    assertEquals(withoutResult(expected(RETRIED_STATUS)), items.get(2));
    assertEquals(withoutResult(expected(FAILED_STATUS)), items.get(3));
    assertEquals(withoutResult(expected(SUCCEEDED_STATUS)), items.get(4));
    assertEquals(withoutResult(status(RUNNING)), items.get(0));
  }

  /** Commands reach the entities, which answer from the state they recovered from the journal. */
  @Test
  @Order(8)
  void recoveredEntitiesAnswerCommandsFromTheirStoredState() {
    // Recovered from the snapshot after event 6 (cancel requested, hold succeeded) and events 7-11.
    HttpResponse<String> cancelCanceled = post("/operations/" + CANCELED + "/cancel");
    assertEquals(202, cancelCanceled.statusCode(), cancelCanceled::body);
    assertEquals(expected(CANCELED_STATUS), json(cancelCanceled.body()), "the entity's recovered state");

    HttpResponse<String> cancelSucceeded = post("/operations/" + SUCCEEDED + "/cancel");
    assertEquals(409, cancelSucceeded.statusCode(), cancelSucceeded::body);
    assertEquals("Operation " + SUCCEEDED + " has already Succeeded; it cannot be canceled.",
        json(cancelSucceeded.body()).path("detail").asText(), cancelSucceeded::body);

    HttpResponse<String> delete = send(HttpRequest.newBuilder(uri("/operations/" + FAILED)).DELETE().build());
    assertEquals(204, delete.statusCode(), delete::body);
    assertEquals(410, get("/operations/" + FAILED + "?redirect=false").statusCode());
    awaitListing(list -> ids(list).equals(List.of(RUNNING, CANCELED, RETRIED, SUCCEEDED)));
  }

  // ---- HTTP

  private static JsonNode status(String id) {
    HttpResponse<String> response = get("/operations/" + id + "?redirect=false");
    assertEquals(200, response.statusCode(), () -> "status of " + id + ": " + response.body());
    return json(response.body());
  }

  private static JsonNode awaitStatus(String id, Predicate<JsonNode> done) {
    Instant deadline = Instant.now().plus(AWAIT);
    JsonNode last = status(id);
    while (!done.test(last)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("operation " + id + " did not get there within " + AWAIT + "; last: " + last);
      }
      sleep(Duration.ofMillis(100));
      last = status(id);
    }
    return last;
  }

  private static JsonNode awaitListing(Predicate<JsonNode> done) {
    Instant deadline = Instant.now().plus(AWAIT);
    while (true) {
      HttpResponse<String> response = get("/operations");
      assertEquals(200, response.statusCode(), response::body);
      JsonNode items = json(response.body()).path("items");
      if (done.test(items)) {
        return items;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("the listing did not show it within " + AWAIT + "; last: " + response.body());
      }
      sleep(Duration.ofMillis(100));
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<String> ids(JsonNode items) {
    List<String> ids = new ArrayList<>();
    items.forEach(item -> ids.add(item.path("id").asText()));
    return ids;
  }

  /** A listing's item: the status document without the inlined result. */
  private static JsonNode withoutResult(JsonNode doc) {
    ObjectNode item = doc.deepCopy();
    item.remove("result");
    return item;
  }

  private static HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  private static HttpResponse<String> post(String path) {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  private static URI uri(String path) {
    return URI.create(gate.base() + path);
  }

  private static HttpResponse<String> send(HttpRequest request) {
    return gate.send(request);
  }

  private static JsonNode expected(String json) {
    return json(json.replace("BASE", gate.base()));
  }

  private static JsonNode json(String text) {
    try {
      return FIXTURE_MAPPER.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  // ---- the fixture into the database

  /** Exact decimals, so that a payload prints back to the very bytes the fixture was captured from. */
  static final ObjectMapper FIXTURE_MAPPER = new ObjectMapper()
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** How many rows of each table went in. */
  record Restored(int events, int tags, int snapshots) {}

  /**
   * The service's schema ({@code db/h2/schema.sql}) on {@code database}, then the fixture's rows of
   * {@code event_journal}, {@code event_tag} and {@code snapshot} as they were stored. Journal rows
   * get their {@code ordering} from the database, in their recorded order; their tags follow them.
   */
  static Restored restore(TestDatabase database, String resource) throws IOException, SQLException {
    List<JsonNode> rows = readFixture(resource);
    try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password())) {
      try (Statement s = c.createStatement()) {
        s.execute("RUNSCRIPT FROM 'classpath:/db/h2/schema.sql'");
      }
      c.setAutoCommit(false);
      Map<Long, Long> ordering = new HashMap<>();
      int events = 0;
      int tags = 0;
      int snapshots = 0;
      try (PreparedStatement event = c.prepareStatement("INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\","
              + " \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\","
              + " \"event_ser_manifest\", \"meta_payload\", \"meta_ser_id\", \"meta_ser_manifest\")"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS);
          PreparedStatement tag = c.prepareStatement("INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)");
          PreparedStatement snapshot = c.prepareStatement("INSERT INTO \"snapshot\" (\"persistence_id\", \"sequence_number\","
              + " \"created\", \"snapshot_ser_id\", \"snapshot_ser_manifest\", \"snapshot_payload\", \"meta_ser_id\","
              + " \"meta_ser_manifest\", \"meta_payload\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (JsonNode row : rows) {
          if (!row.path("table").asText().equals("event_journal")) {
            continue;
          }
          event.setBoolean(1, row.get("deleted").asBoolean());
          event.setString(2, row.get("persistence_id").asText());
          event.setLong(3, row.get("sequence_number").asLong());
          event.setString(4, row.get("writer").asText());
          event.setLong(5, row.get("write_timestamp").asLong());
          event.setString(6, row.get("adapter_manifest").asText());
          setBytes(event, 7, payload(row, "event_payload"));
          event.setInt(8, row.get("event_ser_id").asInt());
          event.setString(9, row.get("event_ser_manifest").asText());
          setBytes(event, 10, payload(row, "meta_payload"));
          setInt(event, 11, row.get("meta_ser_id"));
          setString(event, 12, row.get("meta_ser_manifest"));
          event.executeUpdate();
          try (ResultSet keys = event.getGeneratedKeys()) {
            keys.next();
            ordering.put(row.get("ordering").asLong(), keys.getLong(1));
          }
          events++;
        }
        for (JsonNode row : rows) {
          if (row.path("table").asText().equals("event_tag")) {
            Long id = ordering.get(row.get("event_id").asLong());
            if (id == null) {
              throw new IllegalStateException("a tag of no journal row: " + row);
            }
            tag.setLong(1, id);
            tag.setString(2, row.get("tag").asText());
            tag.executeUpdate();
            tags++;
          } else if (row.path("table").asText().equals("snapshot")) {
            snapshot.setString(1, row.get("persistence_id").asText());
            snapshot.setLong(2, row.get("sequence_number").asLong());
            snapshot.setLong(3, row.get("created").asLong());
            snapshot.setInt(4, row.get("snapshot_ser_id").asInt());
            snapshot.setString(5, row.get("snapshot_ser_manifest").asText());
            setBytes(snapshot, 6, payload(row, "snapshot_payload"));
            setInt(snapshot, 7, row.get("meta_ser_id"));
            setString(snapshot, 8, row.get("meta_ser_manifest"));
            setBytes(snapshot, 9, payload(row, "meta_payload"));
            snapshot.executeUpdate();
            snapshots++;
          }
        }
      }
      c.commit();
      return new Restored(events, tags, snapshots);
    }
  }

  /** The fixture's rows; its first line, without {@code table}, only says where it came from. */
  private static List<JsonNode> readFixture(String resource) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    try (InputStream in = StoredJournalReplayTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no fixture " + resource + " on the test class path");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          JsonNode row = FIXTURE_MAPPER.readTree(line);
          if (row.has("table")) {
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  /** A payload column: written as JSON when it is JSON, else as {@code <column>_base64}; null when neither. */
  private static byte[] payload(JsonNode row, String column) throws IOException {
    JsonNode json = row.get(column);
    if (json != null && !json.isNull()) {
      return FIXTURE_MAPPER.writeValueAsBytes(json);
    }
    JsonNode base64 = row.get(column + "_base64");
    return base64 == null || base64.isNull() ? null : Base64.getDecoder().decode(base64.asText());
  }

  private static void setBytes(PreparedStatement s, int index, byte[] value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.BLOB);
    } else {
      s.setBytes(index, value);
    }
  }

  private static void setInt(PreparedStatement s, int index, JsonNode value) throws SQLException {
    if (value == null || value.isNull()) {
      s.setNull(index, Types.INTEGER);
    } else {
      s.setInt(index, value.asInt());
    }
  }

  private static void setString(PreparedStatement s, int index, JsonNode value) throws SQLException {
    if (value == null || value.isNull()) {
      s.setNull(index, Types.VARCHAR);
    } else {
      s.setString(index, value.asText());
    }
  }
}
