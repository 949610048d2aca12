package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.FINISH_WITHIN;
import static io.asyncgate.support.ApiAssertions.assertRetryAfter;
import static io.asyncgate.support.ApiAssertions.assertStatusVocabulary;
import static io.asyncgate.support.TestHttpClient.describe;
import static io.asyncgate.support.TestHttpClient.mediaType;
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
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/API.md, "Status endpoint": what both families of pollers see at each state. */
class StatusApiTest {
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start(Catalogue.of(TestTypes.held()), "");
  }

  @AfterAll
  static void stop() {
    gate.close();
  }


  @Test
  void runningOperationAnswers200WithStatusDocumentAndRetryAfterOnBothUrls() {
    String id = TestTypes.submitHeld(gate);
    gate.awaitStatus(id, "Running", FINISH_WITHIN);

    for (String url : new String[] {"/operations/" + id, "/operations/" + id + "?redirect=false"}) {
      HttpResponse<String> response = gate.get(url);

      assertEquals(200, response.statusCode(), () -> describe(response));
      assertEquals("application/json", mediaType(response));
      assertRetryAfter(response);
      JsonNode doc = TestGate.json(response);
      assertEquals(id, doc.path("id").asText());
      assertEquals("held", doc.path("type").asText());
      assertEquals("Running", doc.path("status").asText());
      assertEquals("wait-for-release", doc.path("steps").get(0).path("name").asText());
      assertEquals("Running", doc.path("steps").get(0).path("status").asText());
      assertEquals(1, doc.path("steps").get(0).path("attempts").asInt());
      assertFalse(doc.has("resourceLocation"), doc::toString);
      assertFalse(doc.has("result"), doc::toString);
      assertFalse(doc.has("error"), doc::toString);
    }
    TestTypes.release(id);
  }

  @Test
  void succeededOperationRedirects303ToItsResult() {
    String id = gate.submitOrder("Ada", 2);
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    HttpResponse<String> response = gate.get("/operations/" + id);

    assertEquals(303, response.statusCode(), () -> describe(response));
    assertEquals(gate.base() + "/operations/" + id + "/result", response.headers().firstValue("Location").orElse(null));
  }

  @Test
  void succeededOperationWithoutRedirectAnswers200WithResourceLocationAndResult() {
    String id = gate.submitOrder("Ada", 3);
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    HttpResponse<String> response = gate.get("/operations/" + id + "?redirect=false");

    assertEquals(200, response.statusCode(), () -> describe(response));
    JsonNode doc = TestGate.json(response);
    assertEquals("Succeeded", doc.path("status").asText());
    assertEquals(100, doc.path("percentComplete").asInt());
    assertEquals(gate.base() + "/operations/" + id + "/result", doc.path("resourceLocation").asText());
    JsonNode confirmation = doc.path("result");
    assertEquals(id, confirmation.path("orderId").asText(), doc::toString);
    assertEquals("confirmed", confirmation.path("status").asText());
    assertEquals("Ada", confirmation.path("customer").asText());
    assertEquals(3, confirmation.path("items").get(0).path("quantity").asInt());
    assertTrue(confirmation.path("shipment").path("trackingNumber").asText().startsWith("TRK"), doc::toString);
    assertFalse(doc.has("error"), doc::toString);
    doc.path("steps").forEach(step -> assertEquals("Succeeded", step.path("status").asText(), doc::toString));
  }

  @Test
  void succeededFileOperationHasResourceLocationButNoInlineResult() {
    HttpResponse<String> accepted = gate.postJson("/files", "{\"name\":\"inventory\",\"rows\":2}");
    String id = TestGate.json(accepted).path("id").asText();

    JsonNode doc = gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    assertEquals(gate.base() + "/operations/" + id + "/result", doc.path("resourceLocation").asText());
    assertFalse(doc.has("result"), "a CSV file is not small JSON: " + doc);
  }

  @Test
  void failedOperationAnswers200WithErrorOnBothUrls() {
    String id = gate.submitOrder("Bulk", 1001);
    gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    for (String url : new String[] {"/operations/" + id, "/operations/" + id + "?redirect=false"}) {
      HttpResponse<String> response = gate.get(url);

      assertEquals(200, response.statusCode(), () -> describe(response));
      JsonNode doc = TestGate.json(response);
      assertEquals("Failed", doc.path("status").asText());
      assertEquals("PaymentDeclined", doc.path("error").path("innererror").path("code").asText(), doc::toString);
      assertTrue(doc.path("error").path("innererror").path("message").asText().contains("1001 units"), doc::toString);
      assertFalse(doc.has("resourceLocation"), doc::toString);
      assertFalse(doc.has("result"), doc::toString);
      // The reservation was compensated; nothing was shipped.
      assertEquals("Succeeded", doc.path("steps").get(0).path("compensation").path("status").asText(), doc::toString);
      assertEquals("Failed", doc.path("steps").get(1).path("status").asText(), doc::toString);
      assertEquals("NotStarted", doc.path("steps").get(2).path("status").asText(), doc::toString);
    }
  }

  @Test
  void canceledOperationAnswers200WithError() {
    String id = TestTypes.submitHeld(gate);
    gate.awaitStatus(id, "Running", FINISH_WITHIN);
    assertEquals(202, gate.post("/operations/" + id + "/cancel").statusCode());
    TestTypes.release(id);
    gate.awaitStatus(id, "Canceled", FINISH_WITHIN);

    HttpResponse<String> response = gate.get("/operations/" + id);

    assertEquals(200, response.statusCode(), () -> describe(response));
    JsonNode doc = TestGate.json(response);
    assertEquals("Canceled", doc.path("status").asText());
    assertTrue(doc.path("cancelRequested").asBoolean(), doc::toString);
    assertEquals("OperationCanceled", doc.path("error").path("code").asText(), doc::toString);
    assertFalse(doc.path("error").path("message").asText().isBlank(), doc::toString);
  }

  @Test
  void onceSucceededStatusAndResultStaySoWhileTheViewCatchesUp() {
    String id = gate.submitOrder("Ada", 1);
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    // The listing reads only the view: until it shows Succeeded, the view lags the journal.
    Await.until("the view showing " + id + " Succeeded", () -> {
      boolean viewCaughtUp = ApiAssertions.listAll(gate, "type=orders&status=Succeeded").stream()
          .anyMatch(doc -> doc.path("id").asText().equals(id));
      HttpResponse<String> status = gate.get("/operations/" + id + "?redirect=false");
      assertEquals("Succeeded", TestGate.json(status).path("status").asText(), () -> describe(status));
      HttpResponse<String> redirect = gate.get("/operations/" + id);
      assertEquals(303, redirect.statusCode(), () -> describe(redirect));
      HttpResponse<String> result = gate.get("/operations/" + id + "/result");
      assertEquals(200, result.statusCode(), () -> describe(result));
      return viewCaughtUp;
    }, viewCaughtUp -> viewCaughtUp, FINISH_WITHIN);
  }

  @Test
  void statusIsOnlyEverOneOfTheFiveValues() {
    String id = gate.submitOrder("Ada", 1);
    Await.until("the order succeeding", () -> {
      HttpResponse<String> response = gate.get("/operations/" + id + "?redirect=false");
      assertEquals(200, response.statusCode(), () -> describe(response));
      JsonNode doc = TestGate.json(response);
      assertStatusVocabulary(doc);
      doc.path("steps").forEach(step -> assertTrue(ApiAssertions.STATUSES.contains(step.path("status").asText()), doc::toString));
      return doc.path("status").asText();
    }, status -> status.equals("Succeeded"), FINISH_WITHIN, Duration.ZERO); // every state, so no pause

    ApiAssertions.listAll(gate, "").forEach(ApiAssertions::assertStatusVocabulary);
  }

  @Test
  void redirectFollowingClientReachesTheResultByPollingLocation() {
    HttpResponse<String> accepted = gate.postJson("/orders", "{\"customer\":\"Lin\",\"items\":[{\"name\":\"gear\",\"quantity\":4}]}");
    URI location = URI.create(accepted.headers().firstValue("Location").orElseThrow());

    try (TestHttpClient following = TestHttpClient.followingRedirects(gate.base(), "redirect-following")) {
      HttpResponse<String> response = Await.until("a redirect from " + location, () -> {
        HttpResponse<String> polled = following.get(location.toString());
        if (polled.uri().equals(location)) { // not redirected yet
          assertEquals(200, polled.statusCode(), describe(polled));
          assertRetryAfter(polled);
        }
        return polled;
      }, polled -> !polled.uri().equals(location), FINISH_WITHIN, Duration.ofMillis(100));

      assertEquals(URI.create(location + "/result"), response.uri());
      assertEquals(200, response.statusCode(), describe(response));
      assertEquals("application/json", mediaType(response));
      assertEquals("Lin", TestGate.json(response).path("customer").asText());
    }
  }
}
