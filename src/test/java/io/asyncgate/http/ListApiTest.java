package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.FINISH_WITHIN;
import static io.asyncgate.support.ApiAssertions.assertProblem;
import static io.asyncgate.support.ApiAssertions.ids;
import static io.asyncgate.support.ApiAssertions.listAll;
import static io.asyncgate.support.TestHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.ApiAssertions;
import io.asyncgate.support.Await;
import io.asyncgate.support.TestGate;
import io.asyncgate.support.TestHttpClient;
import io.asyncgate.support.TestTypes;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/API.md: {@code GET /operations?type=&status=&createdAfter=&limit=&cursor=}, newest first. */
class ListApiTest {
  private static final Duration VIEW_CATCHES_UP = Duration.ofSeconds(15);
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start(Catalogue.of(TestTypes.quick("paged"), TestTypes.quick("dated"), TestTypes.quick("purged")), "");
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  /** Submits and returns the 202's status document. */
  private static JsonNode submit(String path, String body) {
    HttpResponse<String> response = gate.postJson(path, body);
    assertEquals(202, response.statusCode(), () -> describe(response));
    return TestGate.json(response);
  }

  private static JsonNode page(String query) {
    HttpResponse<String> response = gate.get("/operations?" + query);
    assertEquals(200, response.statusCode(), () -> describe(response));
    assertEquals("application/json", TestHttpClient.mediaType(response));
    return TestGate.json(response);
  }

  @Test
  void pagesGoNewestFirstThroughEveryOperationWithoutDuplicatesOrGaps() {
    List<JsonNode> submitted = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      submitted.add(submit("/paged", "{}"));
    }
    // Newest first: by creation time, then by id (the order of the cursor).
    List<String> expected = submitted.stream()
        .sorted(Comparator.comparing((JsonNode d) -> Instant.parse(d.path("createdDateTime").asText()))
            .thenComparing(d -> d.path("id").asText()).reversed())
        .map(d -> d.path("id").asText())
        .toList();
    Await.until("7 paged operations in the listing", () -> ids(listAll(gate, "type=paged")),
        got -> got.size() == 7, VIEW_CATCHES_UP);

    List<String> paged = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = page("type=paged&limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
      sizes.add(page.path("items").size());
      page.path("items").forEach(doc -> paged.add(doc.path("id").asText()));
      assertTrue(page.has("nextCursor"), page::toString);
      cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
    } while (cursor != null);

    assertEquals(List.of(3, 3, 1), sizes);
    assertEquals(expected, paged);
    assertEquals(7, new HashSet<>(paged).size());
    assertEquals(submitted.get(submitted.size() - 1).path("id").asText(), paged.get(0), "the newest comes first");
  }

  @Test
  void itemsAreStatusDocumentsWithAbsoluteUrls() {
    String id = gate.submitOrder("Ada", 1);
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    JsonNode item = Await.until("the order in the listing", () -> listAll(gate, "type=orders&status=Succeeded").stream()
            .filter(d -> d.path("id").asText().equals(id)).findFirst().orElse(null),
        found -> found != null, VIEW_CATCHES_UP);

    assertEquals("orders", item.path("type").asText());
    assertEquals("Succeeded", item.path("status").asText());
    assertEquals(gate.base() + "/operations/" + id + "/result", item.path("resourceLocation").asText());
    assertEquals(3, item.path("steps").size());
  }

  @Test
  void typeFilterListsOnlyThatType() {
    String file = submit("/files", "{\"name\":\"listed\",\"rows\":1}").path("id").asText();
    String order = gate.submitOrder("Ada", 1);

    List<JsonNode> files = Await.until("the file operation in the listing", () -> listAll(gate, "type=files"),
        docs -> ids(docs).contains(file), VIEW_CATCHES_UP);

    assertFalse(ids(files).contains(order));
    files.forEach(doc -> assertEquals("files", doc.path("type").asText(), doc::toString));
    assertEquals(0, page("type=no-such-type").path("items").size());
  }

  @Test
  void statusFilterListsOnlyThatStatus() {
    String declined = gate.submitOrder("Bulk", 1001);
    String shipped = gate.submitOrder("Ada", 1);
    gate.awaitStatus(declined, "Failed", FINISH_WITHIN);
    gate.awaitStatus(shipped, "Succeeded", FINISH_WITHIN);

    List<JsonNode> failed = Await.until("the declined order among the Failed", () -> listAll(gate, "status=Failed"),
        docs -> ids(docs).contains(declined), VIEW_CATCHES_UP);
    List<JsonNode> succeeded = Await.until("the shipped order among the Succeeded",
        () -> listAll(gate, "status=Succeeded"),
        docs -> ids(docs).contains(shipped), VIEW_CATCHES_UP);

    assertFalse(ids(failed).contains(shipped));
    assertFalse(ids(succeeded).contains(declined));
    failed.forEach(doc -> assertEquals("Failed", doc.path("status").asText(), doc::toString));
    succeeded.forEach(doc -> assertEquals("Succeeded", doc.path("status").asText(), doc::toString));
    listAll(gate, "").forEach(ApiAssertions::assertStatusVocabulary);
  }

  @Test
  void aPurgedOperationLeavesTheListing() {
    String id = submit("/purged", "{}").path("id").asText();
    gate.awaitTerminal(id, VIEW_CATCHES_UP);
    Await.until("the operation listed", () -> ids(listAll(gate, "type=purged")),
        got -> got.contains(id), VIEW_CATCHES_UP);

    assertEquals(204, gate.delete("/operations/" + id).statusCode());

    Await.until("the purged operation gone", () -> ids(listAll(gate, "type=purged")),
        got -> !got.contains(id), VIEW_CATCHES_UP);
  }

  @Test
  void createdAfterListsOnlyLaterOperations() {
    JsonNode earlier = submit("/dated", "{}");
    Instant earlierAt = Instant.parse(earlier.path("createdDateTime").asText());
    JsonNode later;
    do {
      later = submit("/dated", "{}");
    } while (!Instant.parse(later.path("createdDateTime").asText()).isAfter(earlierAt));
    String laterId = later.path("id").asText();
    Await.until("both dated operations in the listing", () -> ids(listAll(gate, "type=dated")),
        got -> got.contains(laterId) && got.contains(earlier.path("id").asText()), VIEW_CATCHES_UP);

    List<String> after = ids(listAll(gate, "type=dated&createdAfter=" + URLEncoder.encode(earlierAt.toString(), StandardCharsets.UTF_8)));

    assertTrue(after.contains(laterId), after::toString);
    assertFalse(after.contains(earlier.path("id").asText()), after::toString);
    assertEquals(List.of(), ids(listAll(gate, "type=dated&createdAfter=" + Instant.now().plusSeconds(3600))));
  }

  @Test
  void invalidQueryParametersAnswer400ListingEach() {
    for (String query : List.of("limit=0", "limit=101", "limit=ten", "status=Done", "status=running",
        "cursor=not-a-cursor", "createdAfter=yesterday", "createdAfter=2026-11-21")) {
      String parameter = query.substring(0, query.indexOf('='));

      HttpResponse<String> response = gate.get("/operations?" + query);

      JsonNode problem = assertProblem(response, gate.base(), 400, "validation");
      assertEquals(1, problem.path("errors").size(), problem::toString);
      assertEquals("query", problem.path("errors").get(0).path("in").asText(), problem::toString);
      assertEquals("/" + parameter, problem.path("errors").get(0).path("pointer").asText(), problem::toString);
    }

    HttpResponse<String> all = gate.get("/operations?limit=-1&status=Done&cursor=x&createdAfter=soon");
    JsonNode problem = assertProblem(all, gate.base(), 400, "validation");
    Set<String> pointers = new HashSet<>();
    problem.path("errors").forEach(e -> pointers.add(e.path("pointer").asText()));
    assertEquals(Set.of("/limit", "/status", "/cursor", "/createdAfter"), pointers);
  }

  @Test
  void limitOfOneAndOfAHundredAreAccepted() {
    gate.submitOrder("Ada", 1);
    gate.submitOrder("Ada", 2);
    int total = Await.until("two orders in the listing", () -> listAll(gate, "type=orders").size(),
        n -> n >= 2, VIEW_CATCHES_UP);

    JsonNode one = page("type=orders&limit=1");
    assertEquals(1, one.path("items").size(), one::toString);
    assertTrue(one.path("nextCursor").isTextual(), one::toString);
    JsonNode hundred = page("type=orders&limit=100");
    // Orders of the other tests on this node may reach the view meanwhile: at least those counted, at most the limit.
    int items = hundred.path("items").size();
    assertTrue(items >= Math.min(100, total) && items <= 100, hundred::toString);
  }
}
