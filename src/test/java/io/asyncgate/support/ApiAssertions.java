package io.asyncgate.support;

import static io.asyncgate.support.TestHttpClient.describe;
import static io.asyncgate.support.TestHttpClient.mediaType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/** What every client of docs/API.md may rely on, written once: problem bodies, polling headers, the status vocabulary. */
public final class ApiAssertions {
  public static final Set<String> STATUSES = Set.of("NotStarted", "Running", "Succeeded", "Failed", "Canceled");
  public static final Duration FINISH_WITHIN = Duration.ofSeconds(30);

  private ApiAssertions() {}

  /** An asyncgate problem of this kind and status, its type URL under {@code base}; returns its body for further checks. */
  public static JsonNode assertProblem(HttpResponse<String> response, String base, int status, String kind) {
    JsonNode problem = assertProblem(response, status);
    assertEquals(base + "/problems/" + kind, problem.path("type").asText(), () -> "type of " + response.body());
    return problem;
  }

  /**
   * An RFC 9457 problem with this status: {@code application/problem+json}, a {@code status} member
   * that says the same, a title and a detail; returns its body, whose {@code type} the caller checks.
   */
  public static JsonNode assertProblem(HttpResponse<String> response, int status) {
    assertEquals(status, response.statusCode(), () -> "status of " + describe(response));
    assertEquals("application/problem+json", mediaType(response), () -> "content type of " + describe(response));
    JsonNode problem = TestHttpClient.json(response);
    assertFalse(problem.path("title").asText().isBlank(), () -> "title of " + response.body());
    assertEquals(status, problem.path("status").asInt(), () -> "status member of " + response.body());
    assertFalse(problem.path("detail").asText().isBlank(), () -> "detail of " + response.body());
    return problem;
  }

  /** The same, and its {@code instance} is the operation's status URL. */
  public static JsonNode assertOperationProblem(HttpResponse<String> response, String base, int status, String kind, String id) {
    JsonNode problem = assertProblem(response, base, status, kind);
    assertEquals(base + "/operations/" + id, problem.path("instance").asText(), () -> "instance of " + response.body());
    return problem;
  }

  /** {@code Retry-After} present, whole seconds, at least 1. */
  public static long assertRetryAfter(HttpResponse<String> response) {
    String value = response.headers().firstValue("Retry-After")
        .orElseGet(() -> fail("no Retry-After on " + describe(response)));
    assertTrue(value.matches("[0-9]+"), () -> "Retry-After must be whole seconds, was " + value);
    long seconds = Long.parseLong(value);
    assertTrue(seconds >= 1, () -> "Retry-After must be at least 1, was " + value);
    return seconds;
  }

  /** The 202 of docs/API.md: Location, Operation-Location and Retry-After, and a status document not yet finished. */
  public static JsonNode assertAccepted(HttpResponse<String> response, String base, String type) {
    assertEquals(202, response.statusCode(), () -> describe(response));
    assertEquals("application/json", mediaType(response));
    JsonNode doc = TestHttpClient.json(response);
    String id = doc.path("id").asText();
    assertEquals(id, UUID.fromString(id).toString(), "id is a UUID");
    assertEquals(base + "/operations/" + id, response.headers().firstValue("Location").orElse(null), "Location");
    assertEquals(base + "/operations/" + id + "?redirect=false", response.headers().firstValue("Operation-Location").orElse(null),
        "Operation-Location");
    assertRetryAfter(response);
    assertEquals(type, doc.path("type").asText());
    assertTrue(Set.of("NotStarted", "Running").contains(doc.path("status").asText()), () -> "status of a fresh 202: " + doc);
    assertFalse(doc.path("cancelRequested").asBoolean(true), () -> "cancelRequested of " + doc);
    assertNotNull(Instant.parse(doc.path("createdDateTime").asText()));
    assertNotNull(Instant.parse(doc.path("lastUpdatedDateTime").asText()));
    assertTrue(doc.path("steps").isArray() && !doc.path("steps").isEmpty(), () -> "steps of " + doc);
    return doc;
  }

  public static void assertStatusVocabulary(JsonNode doc) {
    assertTrue(STATUSES.contains(doc.path("status").asText()), () -> "status outside the five values: " + doc);
  }

  public static List<String> stepNames(JsonNode doc) {
    List<String> names = new ArrayList<>();
    doc.path("steps").forEach(s -> names.add(s.path("name").asText()));
    return names;
  }

  /** Every operation of the listing, all pages (newest first). */
  public static List<JsonNode> listAll(TestGate gate, String query) {
    List<JsonNode> all = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<String> page = gate.get("/operations?limit=100" + (query.isEmpty() ? "" : "&" + query)
          + (cursor == null ? "" : "&cursor=" + cursor));
      assertEquals(200, page.statusCode(), () -> describe(page));
      JsonNode body = TestHttpClient.json(page);
      body.path("items").forEach(all::add);
      cursor = body.path("nextCursor").isNull() ? null : body.path("nextCursor").asText();
    } while (cursor != null);
    return all;
  }

  /**
   * Asserts that a rejected submit stored nothing: of the operations created from now on, the
   * listing shows only {@code sentinel} (a valid submit made afterwards, returning its id) once it
   * shows the sentinel at all, and still after a further refresh of the view.
   */
  public static void assertNothingStored(TestGate gate, Runnable rejected, Supplier<String> sentinel) {
    // Every operation created before this millisecond ended is out of the query; all later ones in.
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    while (!Instant.now().truncatedTo(ChronoUnit.MILLIS).isAfter(before)) {
      Thread.onSpinWait();
    }
    String createdSince = "createdAfter=" + before;
    rejected.run();
    String id = sentinel.get();
    Await.until("the sentinel " + id + " in the listing", () -> ids(listAll(gate, createdSince)), ids -> ids.contains(id),
        Duration.ofSeconds(10));
    // The view's slices poll the journal every 200 ms: give a stored rejected request that long again.
    Await.sleep(Duration.ofMillis(500));
    assertEquals(List.of(id), ids(listAll(gate, createdSince)), "only the sentinel was stored");
  }

  public static List<String> ids(List<JsonNode> docs) {
    return docs.stream().map(d -> d.path("id").asText()).toList();
  }
}
