package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.FINISH_WITHIN;
import static io.asyncgate.support.ApiAssertions.assertAccepted;
import static io.asyncgate.support.ApiAssertions.stepNames;
import static io.asyncgate.support.TestHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.ApiAssertions;
import io.asyncgate.support.TestGate;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/API.md, "Submit": the 202 and its three headers, for each demo route. */
class SubmitApiTest {
  private static final String ORDER = "{\"customer\":\"Ada\",\"items\":[{\"name\":\"widget\",\"quantity\":2}]}";
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start();
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  @Test
  void submitOrderAnswers202WithLocationOperationLocationRetryAfterAndStatusDocument() {
    HttpResponse<String> response = gate.postJson("/orders", ORDER);

    JsonNode doc = assertAccepted(response, gate.base(), "orders");
    assertEquals(List.of("reserve-inventory", "charge-payment", "ship-order"), stepNames(doc));
    doc.path("steps").forEach(step -> {
      assertTrue(step.path("attempts").isInt(), doc::toString);
      assertTrue(ApiAssertions.STATUSES.contains(step.path("status").asText()), doc::toString);
    });
    assertEquals(0, doc.path("percentComplete").asInt(-1), doc::toString);
    assertEquals("Succeeded", gate.awaitTerminal(doc.path("id").asText(), FINISH_WITHIN).path("status").asText());
  }

  @Test
  void deleteUserAnswers202AndDeletesDevicesThenUser() {
    HttpResponse<String> response = gate.delete("/users/user-42");

    JsonNode doc = assertAccepted(response, gate.base(), "users");
    assertEquals(List.of("list-devices", "delete-devices", "delete-user"), stepNames(doc));
    JsonNode done = gate.awaitTerminal(doc.path("id").asText(), FINISH_WITHIN);
    assertEquals("Succeeded", done.path("status").asText());
    done.path("steps").forEach(step -> assertEquals("Succeeded", step.path("status").asText(), done::toString));
  }

  @Test
  void postFilesAnswers202() {
    HttpResponse<String> response = gate.postJson("/files", "{\"name\":\"report\",\"rows\":3}");

    JsonNode doc = assertAccepted(response, gate.base(), "files");
    assertEquals(List.of("create-report"), stepNames(doc));
    assertEquals("Succeeded", gate.awaitTerminal(doc.path("id").asText(), FINISH_WITHIN).path("status").asText());
  }

  @Test
  void everySubmitGetsItsOwnOperation() {
    String first = TestGate.json(gate.postJson("/orders", ORDER)).path("id").asText();
    String second = TestGate.json(gate.postJson("/orders", ORDER)).path("id").asText();

    assertNotEquals(first, second);
  }

  @Test
  void unknownQueryParametersAreIgnoredOnSubmit() {
    HttpResponse<String> response = gate.postJson("/orders?api-version=2024-01-01", ORDER);

    assertAccepted(response, gate.base(), "orders");
  }

  @Test
  void jsonWithCharsetAndVendorSuffixIsAccepted() {
    HttpResponse<String> response = gate.send(HttpRequest.newBuilder(gate.uri("/orders"))
        .header("Content-Type", "application/vnd.example+json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(ORDER))
        .build());

    assertAccepted(response, gate.base(), "orders");
  }

  @Test
  void statusReadRightAfterThe202NeverAnswers404() {
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> accepted = gate.postJson("/orders", ORDER);
      String location = accepted.headers().firstValue("Location").orElseThrow();

      HttpResponse<String> status = gate.get(location);

      assertEquals(200, status.statusCode(), () -> "read " + location + " right after the 202: " + describe(status));
      assertEquals(TestGate.json(accepted).path("id").asText(), TestGate.json(status).path("id").asText());
    }
  }
}
