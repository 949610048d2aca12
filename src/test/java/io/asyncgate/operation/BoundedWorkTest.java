package io.asyncgate.operation;

import static io.asyncgate.support.ApiAssertions.assertNothingStored;
import static io.asyncgate.support.ApiAssertions.assertProblem;
import static io.asyncgate.support.ApiAssertions.assertRetryAfter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.json.Json;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.support.ApiAssertions;
import io.asyncgate.support.Await;
import io.asyncgate.support.TestDatabase;
import io.asyncgate.support.TestGate;
import io.asyncgate.support.TestHttpClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node runs at most {@code max-running-sagas} sagas at once; the other accepted operations wait,
 * {@code NotStarted} with their place in the queue, and start in the order they were accepted.
 * Past {@code max-backlog} unfinished operations a submit is refused before anything is stored.
 */
class BoundedWorkTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  /** Attempts cut off by a restart count: three leave room for one. */
  private static final RetryPolicy THRICE = new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 1.0, 0.0);

  /** Operations whose one step has started, in the order they started, on whichever node. */
  private static final List<String> STARTED = new CopyOnWriteArrayList<>();
  private static final Map<String, CompletableFuture<JsonNode>> RELEASES = new ConcurrentHashMap<>();

  /** {@code POST /queued}: one step that runs until the test releases the operation. */
  private static final OperationType QUEUED = OperationType.builder("queued")
      .route("POST /queued")
      .step("work", ctx -> {
        STARTED.add(ctx.requestId());
        return release(ctx.requestId());
      }, Duration.ofMinutes(5), THRICE)
      .build();

  @BeforeEach
  void forgetEarlierTests() {
    STARTED.clear();
  }

  @Test
  void atMostMaxRunningSagasRunAndTheOthersWaitTheirTurnInOrder() {
    try (TestGate gate = TestGate.start(Catalogue.of(QUEUED), "asyncgate.processing.max-running-sagas = 2")) {
      List<String> ids = new ArrayList<>();
      List<JsonNode> accepted = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        JsonNode doc = submit(gate);
        ids.add(doc.path("id").asText());
        accepted.add(doc);
      }
      awaitStarted(2);
      // The 202 already said where each waits: the third is next.
      assertEquals(List.of(1L, 2L, 3L), accepted.subList(2, 5).stream().map(d -> d.path("queuePosition").asLong()).toList());
      for (int i = 2; i < 5; i++) {
        JsonNode status = gate.status(ids.get(i));
        assertEquals("NotStarted", status.path("status").asText(), status::toString);
        assertEquals(i - 1, status.path("queuePosition").asInt(), status::toString);
      }
      assertEquals(ids.subList(0, 2), STARTED, "only two started");

      release(ids.get(0)).complete(Json.object());
      gate.awaitStatus(ids.get(0), "Succeeded", WITHIN);
      awaitStarted(3);
      assertEquals(ids.subList(0, 3), STARTED, "the first in the queue took the freed slot");
      JsonNode fourth = gate.status(ids.get(3));
      assertEquals(1, fourth.path("queuePosition").asInt(), fourth::toString);
      JsonNode running = gate.status(ids.get(2));
      assertFalse(running.has("queuePosition"), running::toString);

      ids.forEach(id -> release(id).complete(Json.object()));
      for (String id : ids) {
        gate.awaitStatus(id, "Succeeded", WITHIN);
      }
      // Slots freed together are granted in order, but the sagas then start concurrently.
      assertEquals(java.util.Set.copyOf(ids), java.util.Set.copyOf(STARTED), "every operation ran");
      assertEquals(ids.size(), STARTED.size(), "each once");
    }
  }

  @Test
  void aWaitingOperationCanceledLeavesTheQueueWithoutRunning() {
    try (TestGate gate = TestGate.start(Catalogue.of(QUEUED), "asyncgate.processing.max-running-sagas = 1")) {
      String first = submit(gate).path("id").asText();
      String canceled = submit(gate).path("id").asText();
      String third = submit(gate).path("id").asText();
      awaitStarted(1);

      HttpResponse<String> cancel = gate.post("/operations/" + canceled + "/cancel");
      assertEquals(202, cancel.statusCode(), () -> TestHttpClient.describe(cancel));
      gate.awaitStatus(canceled, "Canceled", WITHIN);
      JsonNode waiting = gate.status(third);
      assertEquals(1, waiting.path("queuePosition").asInt(), waiting::toString);

      release(first).complete(Json.object());
      release(third).complete(Json.object());
      gate.awaitStatus(third, "Succeeded", WITHIN);
      assertEquals(List.of(first, third), STARTED, "the canceled operation never ran");
    }
  }

  @Test
  void aQueuedOperationIsToldToPollAboutWhenItsTurnComes() {
    try (TestGate gate = TestGate.start(Catalogue.of(QUEUED), "asyncgate.processing.max-running-sagas = 1")) {
      List<HttpResponse<String>> accepted = new ArrayList<>();
      for (int i = 0; i < 11; i++) {
        HttpResponse<String> response = gate.postJson("/queued", "{}");
        assertEquals(202, response.statusCode(), () -> TestHttpClient.describe(response));
        accepted.add(response);
      }
      // One slot granted in the last 10 s: the next in line waits about 10 s, the tenth about 100 s (capped).
      assertEquals(List.of(1L, 10L, 30L), List.of(assertRetryAfter(accepted.get(0)), assertRetryAfter(accepted.get(1)),
          assertRetryAfter(accepted.get(10))));
      RELEASES.values().forEach(f -> f.complete(Json.object()));
      accepted.forEach(r -> release(TestGate.json(r).path("id").asText()).complete(Json.object()));
    }
  }

  @Test
  void pastItsBacklogTheNodeRefusesSubmitsBeforeStoringAnything() {
    try (TestGate gate = TestGate.start(Catalogue.of(QUEUED),
        "asyncgate.processing { max-running-sagas = 1, max-backlog = 2 }")) {
      String running = submit(gate).path("id").asText();
      submit(gate); // waits
      awaitStarted(1);

      assertNothingStored(gate, () -> {
        HttpResponse<String> refused = gate.postJson("/queued", "{}");
        assertProblem(refused, gate.base(), 503, "busy");
        assertTrue(assertRetryAfter(refused) >= 1);
      }, () -> {
        // Once one has finished there is room again.
        release(running).complete(Json.object());
        gate.awaitStatus(running, "Succeeded", WITHIN);
        return TestGate.json(Await.until("a submit taken again", () -> gate.postJson("/queued", "{}"),
            r -> r.statusCode() == 202, WITHIN)).path("id").asText();
      });
      RELEASES.values().forEach(f -> f.complete(Json.object()));
    }
  }

  /**
   * With the journal stalled (H2 paused for other sessions), the submits already taken wait for
   * their write; one more would queue behind them until it ended in a 503 that cannot say whether it
   * was stored, so it is refused at once instead, and nothing of it is stored. Here because as many
   * wait as max-pending-submits allows.
   */
  @Test
  void pastItsPendingWritesTheNodeRefusesSubmitsAtOnceWithoutStoringThem() throws Exception {
    refusedWhileTheJournalIsStalled("asyncgate.http { max-pending-submits = 2, write-timeout = 30s }", 2, Duration.ofSeconds(1));
  }

  /** The same when few wait, but the oldest has waited half of write-timeout: a new one would wait as long. */
  @Test
  void whileTheOldestPendingWriteHasWaitedHalfTheWriteTimeoutSubmitsAreRefused() throws Exception {
    refusedWhileTheJournalIsStalled("asyncgate.http.write-timeout = 16s", 1, Duration.ofMillis(8500));
  }

  private static void refusedWhileTheJournalIsStalled(String overrides, int waiting, Duration before3rd) throws Exception {
    assumeFalse(TestDatabase.isPostgres(), "stalls the journal the H2 way (SET EXCLUSIVE)");
    try (TestDatabase database = TestDatabase.create();
        TestGate gate = TestGate.startOn(database, Catalogue.of(QUEUED), overrides)) {
      ExecutorService clients = Executors.newFixedThreadPool(waiting);
      Instant before = Instant.now();
      List<Future<HttpResponse<String>>> pending = new ArrayList<>();
      try (Connection admin = DriverManager.getConnection(database.url(), database.user(), database.password());
          Statement stall = admin.createStatement()) {
        stall.execute("SET EXCLUSIVE 1"); // every other session's statements wait
        for (int i = 0; i < waiting; i++) {
          pending.add(clients.submit(() -> gate.postJson("/queued", "{}")));
        }
        Await.sleep(before3rd); // they are in, waiting for the journal
        long start = System.nanoTime();
        HttpResponse<String> refused = gate.postJson("/queued", "{}");
        assertProblem(refused, gate.base(), 503, "busy");
        assertTrue(assertRetryAfter(refused) >= 1);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0,
            "answered at once, not after waiting for the journal");
        assertTrue(pending.stream().noneMatch(Future::isDone), "the others still wait for their write");
        stall.execute("SET EXCLUSIVE 0");
      }
      List<String> accepted = new ArrayList<>();
      for (Future<HttpResponse<String>> submit : pending) {
        HttpResponse<String> response = submit.get(60, TimeUnit.SECONDS);
        assertEquals(202, response.statusCode(), () -> TestHttpClient.describe(response));
        accepted.add(TestGate.json(response).path("id").asText());
      }
      String since = "createdAfter=" + before.minusMillis(1);
      Await.until("the accepted ones in the listing", () -> ApiAssertions.ids(ApiAssertions.listAll(gate, since)),
          ids -> ids.containsAll(accepted), WITHIN);
      Await.sleep(Duration.ofMillis(500)); // a refused submit that had been stored would show by now
      assertEquals(Set.copyOf(accepted), Set.copyOf(ApiAssertions.ids(ApiAssertions.listAll(gate, since))),
          "only the accepted ones were stored");
      RELEASES.values().forEach(f -> f.complete(Json.object()));
      clients.shutdown();
    }
  }

  @Test
  void aBacklogWaitingAtARestartResumesAtTheBoundedRateAndFinishes() {
    try (TestDatabase database = TestDatabase.create()) {
      List<String> ids = new ArrayList<>();
      String bounded = "asyncgate.processing.max-running-sagas = 2";
      try (TestGate first = TestGate.startOn(database, Catalogue.of(QUEUED), bounded)) {
        for (int i = 0; i < 6; i++) {
          ids.add(submit(first).path("id").asText());
        }
        awaitStarted(2);
      }
      STARTED.clear();
      try (TestGate second = TestGate.startOn(database, Catalogue.of(QUEUED), bounded)) {
        awaitStarted(2);
        // The others are back too, waiting in line rather than all starting at once: those cut off
        // mid-step stay Running while they wait to resume.
        Await.until("the other four waiting again", () -> ids.stream().map(second::status).toList(),
            docs -> docs.stream().filter(s -> s.has("queuePosition")).count() == 4, WITHIN);
        assertEquals(2, STARTED.size(), "two sagas resumed, not six: " + STARTED);

        ids.forEach(id -> release(id).complete(Json.object()));
        for (String id : ids) {
          second.awaitStatus(id, "Succeeded", WITHIN);
        }
        assertEquals(6, STARTED.stream().distinct().count(), "each operation's step ran on the second node: " + STARTED);
      }
    }
  }

  private static JsonNode submit(TestGate gate) {
    HttpResponse<String> response = gate.postJson("/queued", "{}");
    assertEquals(202, response.statusCode(), () -> TestHttpClient.describe(response));
    return TestGate.json(response);
  }

  private static CompletableFuture<JsonNode> release(String id) {
    return RELEASES.computeIfAbsent(id, k -> new CompletableFuture<>());
  }

  private static void awaitStarted(int n) {
    Await.until(n + " steps started", () -> STARTED.size(), started -> started >= n, WITHIN);
  }
}
