package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import akka.actor.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.pattern.Patterns;
import akka.persistence.Persistence;
import akka.persistence.SnapshotMetadata;
import akka.persistence.SnapshotProtocol;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationState;
import io.asyncgate.step.CompensableStep;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.StepContext;
import io.asyncgate.step.StepFailure;
import io.asyncgate.support.Await;
import io.asyncgate.support.TestDatabase;
import io.asyncgate.support.TestGate;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How {@code src/test/resources/journal/stored-journal.jsonl}, the fixture of {@link
 * StoredJournalReplayTest}, was made. <b>Run it only with the code of the version it records</b>: the
 * fixture's point is that it holds what an <em>earlier</em> version wrote, so regenerating it with
 * code that has since changed (moved or renamed events, a new state shape) would hide exactly the
 * incompatibility the replay test is there to catch. To record a new version, add a new fixture
 * beside the old one rather than overwriting it.
 *
 * <p>It never runs in a normal build (its name matches no surefire pattern, and it also needs the
 * property). To run it:
 *
 * <pre>
 * mvn -o -B test -Dtest=StoredJournalFixtureWriter -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dasyncgate.fixture.write=true [-Dasyncgate.fixture.out=path/to/file.jsonl]
 * </pre>
 *
 * <p>It writes {@code target/journal-fixture/stored-journal.jsonl} unless told otherwise. The
 * committed fixture was made so, at the commit its first line names, and copied into place; the
 * operation ids, times and downstream ids of {@link StoredJournalReplayTest}'s expectations are the
 * ones of that capture.
 *
 * <p>What it does: a real node on a fresh H2 file (the demo's {@code POST /orders} against the
 * embedded downstream simulator, two operation types registered in Java for the outcomes that need
 * control, and a configured type whose second step calls a server that never answers) makes six
 * operations over HTTP, one per line of the fixture's {@code operations}:
 *
 * <ul>
 *   <li>{@code succeeded}: an order of 3 widgets, Succeeded with its JSON result;
 *   <li>{@code failed}: an order of 2000 widgets, the payment rejected (422 PaymentDeclined), the
 *       reservation compensated, Failed;
 *   <li>{@code purged}: an order of 1 widget, Succeeded, then {@code DELETE}d: Purged;
 *   <li>{@code retried}: one step whose first attempt fails transiently (StepAttemptFailed) and whose
 *       second succeeds;
 *   <li>{@code canceled}: canceled while its second step ran (CancelRequested), both steps
 *       compensated, Canceled;
 *   <li>{@code running}: stopped with the node while its second step waits on the silent server:
 *       Accepted, the first step succeeded, the second started.
 * </ul>
 *
 * <p>No snapshot arises by itself (the entity snapshots every 100 events; operations have tens), so
 * two are saved through Akka's own snapshot store, the path a real snapshot takes — the entity's
 * state as the current code folds it ({@link OperationState#apply}) after the first events of an
 * operation: {@code canceled} after event 6 of 11, {@code running} after event 3 of 4. Then the node
 * stops and every row of {@code event_journal} (also the cluster-sharding rows that remember the
 * running operation's entity), {@code event_tag} and {@code snapshot} is written out, one JSON object
 * a line. A payload that is JSON (asyncgate's events and states, serializer {@code jackson-json}) is
 * written as that JSON — checked to print back to the very same bytes — any other (Akka's own
 * protobuf) as base64.
 */
@EnabledIfSystemProperty(named = "asyncgate.fixture.write", matches = "true")
class StoredJournalFixtureWriter {
  /** Not the committed fixture: a new capture is written beside the build, to be looked at first. */
  static final Path DEFAULT_OUT = Path.of("target/journal-fixture/stored-journal.jsonl");
  private static final Duration AWAIT = Duration.ofSeconds(60);

  /**
   * The configured type of the {@code running} operation: the same name and steps as in {@link
   * StoredJournalReplayTest}, but {@code ship-order} calls a server that accepts and never answers,
   * with a timeout longer than the capture, so that the step is still under way when the node stops.
   */
  private static final String RESUME_TYPE = """
      asyncgate.operations.fixture-resume {
        route = "POST /fixture/resume"
        steps = [
          { name = reserve-inventory
            http { url = ${asyncgate.demo.downstream}"/inventory/reservations", body { orderId = "{requestId}", items = "{body/items}" } }
            compensation { method = DELETE, url = ${asyncgate.demo.downstream}"/inventory/reservations/{steps.reserve-inventory/reservationId}" }
          }
          { name = ship-order, timeout = 10m
            http { url = "SILENT/shipments", body { orderId = "{requestId}" } }
          }
        ]
        result { kind = template, template {
          orderId = "{requestId}", reservationId = "{steps.reserve-inventory/reservationId}", shipmentId = "{steps.ship-order/shipmentId}" } }
      }
      """;

  /** The replay test's: what this prints as a payload, the test writes back byte for byte. */
  private static final ObjectMapper MAPPER = StoredJournalReplayTest.FIXTURE_MAPPER;

  @Test
  void writeTheFixture() throws Exception {
    assumeFalse(TestDatabase.isPostgres(), "the fixture is captured from H2");
    Path out = Path.of(System.getProperty("asyncgate.fixture.out", DEFAULT_OUT.toString()));
    Map<String, String> ids = new LinkedHashMap<>();
    TestDatabase database = TestDatabase.create();
    try (SilentServer silent = new SilentServer();
        TestGate gate = TestGate.startOn(database, Catalogue.of(retried(), cancelable()),
            RESUME_TYPE.replace("SILENT", silent.url()))) {
      ids.put("succeeded", gate.submitOrder("Ada", 3));
      gate.awaitStatus(ids.get("succeeded"), "Succeeded", AWAIT);

      ids.put("failed", gate.submitOrder("Bulk", 2000));
      gate.awaitStatus(ids.get("failed"), "Failed", AWAIT);

      ids.put("purged", gate.submitOrder("Grace", 1));
      gate.awaitStatus(ids.get("purged"), "Succeeded", AWAIT);
      assertEquals(204, gate.delete("/operations/" + ids.get("purged")).statusCode());

      ids.put("retried", submit(gate, "/fixture/retry", "{\"note\":\"first attempt fails\"}"));
      gate.awaitStatus(ids.get("retried"), "Succeeded", AWAIT);

      ids.put("canceled", submit(gate, "/fixture/cancel", "{\"note\":\"canceled mid-saga\"}"));
      awaitStep(gate, ids.get("canceled"), 1, "Running");
      HttpResponse<String> cancel = gate.post("/operations/" + ids.get("canceled") + "/cancel");
      assertEquals(202, cancel.statusCode(), cancel::body);
      Held.release(ids.get("canceled"));
      gate.awaitStatus(ids.get("canceled"), "Canceled", AWAIT);

      ids.put("running", submit(gate, "/fixture/resume", "{\"items\":[{\"name\":\"gear\",\"quantity\":2}]}"));
      awaitStep(gate, ids.get("running"), 1, "Running");
      silent.awaitConnection(AWAIT);

      saveSnapshot(gate.gate().system(), ids.get("canceled"), 6);
      saveSnapshot(gate.gate().system(), ids.get("running"), 3);
    }
    List<ObjectNode> rows = dump(database);
    // The running operation stopped with its second step under way: its last event is that start.
    List<String> running = rows.stream()
        .filter(r -> r.path("table").asText().equals("event_journal"))
        .filter(r -> r.path("persistence_id").asText().equals("RequestBuffer|" + ids.get("running")))
        .map(r -> r.path("event_ser_manifest").asText())
        .toList();
    assertEquals(OperationEvent.StepStarted.class.getName(), running.get(running.size() - 1), running::toString);
    List<String> lines = new ArrayList<>();
    lines.add(MAPPER.writeValueAsString(header(ids, rows)));
    for (ObjectNode row : rows) {
      lines.add(MAPPER.writeValueAsString(row));
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, lines, StandardCharsets.UTF_8);
    System.out.println("wrote " + rows.size() + " rows to " + out.toAbsolutePath() + ": " + ids);
  }

  private static String submit(TestGate gate, String path, String body) {
    HttpResponse<String> response = gate.postJson(path, body);
    assertEquals(202, response.statusCode(), response::body);
    return TestGate.json(response).get("id").asText();
  }

  private static void awaitStep(TestGate gate, String id, int step, String status) {
    Instant deadline = Instant.now().plus(AWAIT);
    JsonNode last = null;
    while (Instant.now().isBefore(deadline)) {
      last = gate.status(id);
      if (last.path("steps").path(step).path("status").asText().equals(status)) {
        return;
      }
      Await.sleep(Duration.ofMillis(50));
    }
    throw new AssertionError("step " + step + " of " + id + " did not get " + status + "; last: " + last);
  }

  // ---- the Java-registered types

  /** {@code POST /fixture/retry}: its one step fails transiently on attempt 1 and succeeds on attempt 2. */
  private static OperationType retried() {
    return OperationType.builder("fixture-retry")
        .route("POST /fixture/retry")
        .step("call-downstream", ctx -> ctx.attempt() == 1
                ? CompletableFuture.failedFuture(StepFailure.transientFailure("DownstreamUnavailable", "The downstream answered 503."))
                : CompletableFuture.completedFuture(Json.object().put("confirmation", "conf-" + ctx.attempt())),
            Duration.ofSeconds(5), new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(200), 2.0, 0.0))
        .build();
  }

  /** {@code POST /fixture/cancel}: reserve (instant), then hold (until released); both compensable. */
  private static OperationType cancelable() {
    return OperationType.builder("fixture-cancel")
        .route("POST /fixture/cancel")
        .step("reserve", new Reserve())
        .step("hold", new Held())
        .build();
  }

  private static final class Reserve implements CompensableStep {
    @Override
    public CompletionStage<JsonNode> execute(StepContext context) {
      return CompletableFuture.completedFuture(Json.object().put("reservationId", "res-fixture-1"));
    }

    @Override
    public CompletionStage<Void> compensate(StepContext context) {
      return CompletableFuture.completedFuture(null);
    }
  }

  private static final class Held implements CompensableStep {
    private static final Map<String, CompletableFuture<JsonNode>> RUNNING = new ConcurrentHashMap<>();

    static void release(String id) {
      RUNNING.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(Json.object().put("released", true));
    }

    @Override
    public CompletionStage<JsonNode> execute(StepContext context) {
      return RUNNING.computeIfAbsent(context.requestId(), k -> new CompletableFuture<>());
    }

    @Override
    public CompletionStage<Void> compensate(StepContext context) {
      return CompletableFuture.completedFuture(null);
    }
  }

  // ---- snapshots

  /**
   * Saves, through the configured snapshot store (akka-persistence-jdbc's, as the entity's own
   * snapshots would be), the state the entity has after event {@code seqNr} of operation {@code id}.
   */
  private static void saveSnapshot(ActorSystem<?> system, String id, long seqNr) throws Exception {
    String persistenceId = "RequestBuffer|" + id;
    JdbcReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    long[] last = {0};
    OperationState state = journal.currentEventsByPersistenceId(persistenceId, 1, seqNr)
        .runFold((OperationState) new OperationState.Empty(), (s, envelope) -> {
          last[0] = envelope.sequenceNr();
          return s.apply((OperationEvent) envelope.event());
        }, system)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(seqNr, last[0], "events 1.." + seqNr + " of " + persistenceId);
    ActorRef store = Persistence.get(Adapter.toClassic(system)).snapshotStoreFor("", ConfigFactory.empty());
    Object reply = Patterns.ask(store,
            new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata(persistenceId, seqNr, System.currentTimeMillis()), state),
            Duration.ofSeconds(30))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertInstanceOf(akka.persistence.SaveSnapshotSuccess.class, reply, () -> "saving the snapshot: " + reply);
  }

  // ---- the dump

  private static ObjectNode header(Map<String, String> ids, List<ObjectNode> rows) {
    ObjectNode header = MAPPER.createObjectNode();
    header.put("fixture", "Journal rows written by asyncgate " + version() + " (Akka 2.8.5, akka-persistence-jdbc 5.2.1, H2),"
        + " for StoredJournalReplayTest. Made by io.asyncgate.StoredJournalFixtureWriter; never regenerate it with later code.");
    header.put("sourceCommit", sourceCommit());
    header.put("capturedAt", Instant.now().toString());
    ObjectNode counts = header.putObject("rows");
    for (ObjectNode row : rows) {
      String table = row.get("table").asText();
      counts.put(table, counts.path(table).asInt() + 1);
    }
    ObjectNode operations = header.putObject("operations");
    ids.forEach(operations::put);
    return header;
  }

  private static String version() {
    return "0.1.0-SNAPSHOT";
  }

  /** The commit of the main sources the fixture was captured with (uncommitted changes aside). */
  private static String sourceCommit() {
    try {
      Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String commit = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return git.waitFor() == 0 ? commit : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static List<ObjectNode> dump(TestDatabase database) throws Exception {
    List<ObjectNode> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
        Statement s = c.createStatement()) {
      rows.addAll(table(s, "event_journal", "SELECT * FROM \"event_journal\" ORDER BY \"ordering\""));
      rows.addAll(table(s, "event_tag", "SELECT * FROM \"event_tag\" ORDER BY \"event_id\", \"tag\""));
      rows.addAll(table(s, "snapshot", "SELECT * FROM \"snapshot\" ORDER BY \"persistence_id\", \"sequence_number\""));
    }
    return rows;
  }

  private static List<ObjectNode> table(Statement s, String table, String query) throws Exception {
    List<ObjectNode> rows = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(query)) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        ObjectNode row = MAPPER.createObjectNode();
        row.put("table", table);
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          String column = meta.getColumnName(i);
          switch (meta.getColumnType(i)) {
            case Types.BLOB, Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> payload(row, column, rs.getBytes(i));
            case Types.BIGINT, Types.INTEGER -> {
              long value = rs.getLong(i);
              if (rs.wasNull()) {
                row.putNull(column);
              } else {
                row.put(column, value);
              }
            }
            case Types.BOOLEAN -> row.put(column, rs.getBoolean(i));
            default -> row.put(column, rs.getString(i));
          }
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** JSON as JSON when it prints back to exactly these bytes; anything else as {@code <column>_base64}. */
  private static void payload(ObjectNode row, String column, byte[] bytes) {
    if (bytes == null) {
      row.putNull(column);
      return;
    }
    try {
      JsonNode json = MAPPER.readTree(bytes);
      if (json != null && (json.isObject() || json.isArray())
          && java.util.Arrays.equals(MAPPER.writeValueAsBytes(json), bytes)) {
        row.set(column, json);
        return;
      }
    } catch (IOException e) {
      // not JSON
    }
    row.put(column + "_base64", Base64.getEncoder().encodeToString(bytes));
  }

  /** Accepts connections and never answers, so that a step calling it stays under way. */
  private static final class SilentServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    SilentServer() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            held.add(socket);
            InputStream in = socket.getInputStream();
            Thread reader = new Thread(() -> drain(in), "silent-reader");
            reader.setDaemon(true);
            reader.start();
          } catch (IOException e) {
            return;
          }
        }
      }, "silent-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private static void drain(InputStream in) {
      byte[] buffer = new byte[4096];
      try {
        while (in.read(buffer) >= 0) {
          // read the request, answer nothing
        }
      } catch (IOException e) {
        // closed
      }
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    void awaitConnection(Duration within) {
      Instant deadline = Instant.now().plus(within);
      while (held.isEmpty() && Instant.now().isBefore(deadline)) {
        Await.sleep(Duration.ofMillis(20));
      }
      if (held.isEmpty()) {
        throw new AssertionError("the running step never called the silent server");
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : held) {
        socket.close();
      }
    }
  }
}
