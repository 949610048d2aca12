package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.FINISH_WITHIN;
import static io.asyncgate.support.ApiAssertions.assertAccepted;
import static io.asyncgate.support.ApiAssertions.assertOperationProblem;
import static io.asyncgate.support.ApiAssertions.assertProblem;
import static io.asyncgate.support.TestHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.ApiAssertions;
import io.asyncgate.support.Await;
import io.asyncgate.support.TestGate;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With {@code asyncgate.http.public-base-url} set, every URL in a header or a body starts with it. */
class PublicBaseUrlTest {
  private static final String BASE = "https://api.example.com/async";
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start(Catalogue.of(), "asyncgate.http.public-base-url = \"" + BASE + "/\"");
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  /** What the gateway in front does: strip the public base, forward to the node. */
  private static HttpResponse<String> get(String publicUrl) {
    if (!publicUrl.startsWith(BASE + "/")) {
      throw new AssertionError("not under the public base: " + publicUrl);
    }
    return gate.get(publicUrl.substring(BASE.length()));
  }

  @Test
  void acceptedHeadersAndBodyUseThePublicBase() {
    HttpResponse<String> response = gate.postJson("/orders", "{\"customer\":\"Ada\",\"items\":[{\"name\":\"widget\",\"quantity\":1}]}");

    String id = assertAccepted(response, BASE, "orders").path("id").asText();
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    HttpResponse<String> redirect = get(response.headers().firstValue("Location").orElseThrow());
    assertEquals(303, redirect.statusCode(), () -> describe(redirect));
    assertEquals(BASE + "/operations/" + id + "/result", redirect.headers().firstValue("Location").orElse(null));

    HttpResponse<String> status = get(response.headers().firstValue("Operation-Location").orElseThrow());
    assertEquals(200, status.statusCode(), () -> describe(status));
    JsonNode doc = TestGate.json(status);
    assertEquals(BASE + "/operations/" + id + "/result", doc.path("resourceLocation").asText());

    HttpResponse<String> result = get(doc.path("resourceLocation").asText());
    assertEquals(200, result.statusCode(), () -> describe(result));
  }

  @Test
  void theConfiguredBaseWinsOverForwardedHeaders() {
    HttpResponse<String> response = gate.send(HttpRequest.newBuilder(gate.uri("/users/user-7"))
        .header("X-Forwarded-Proto", "http")
        .header("X-Forwarded-Host", "gw.example.com")
        .header("Forwarded", "proto=http;host=fw.example.com")
        .DELETE()
        .build());

    assertAccepted(response, BASE, "users");
  }

  @Test
  void problemsUseThePublicBaseAndItsTypeUrlAnswers() {
    String id = UUID.randomUUID().toString();

    JsonNode notFound = assertOperationProblem(gate.get("/operations/" + id), BASE, 404, "not-found", id);
    assertProblem(gate.postJson("/orders", "{}"), BASE, 400, "validation");
    assertProblem(gate.get("/orders"), BASE, 405, "method-not-allowed");
    assertProblem(gate.get("/nowhere"), BASE, 404, "not-found");

    HttpResponse<String> page = get(notFound.path("type").asText());
    assertEquals(200, page.statusCode(), () -> describe(page));
  }

  @Test
  void resultWhileRunningAndListingUseThePublicBase() {
    String id = gate.submitOrder("Ada", 1);
    HttpResponse<String> early = gate.get("/operations/" + id + "/result");
    if (early.statusCode() == 202) {
      assertEquals(BASE + "/operations/" + id, early.headers().firstValue("Location").orElse(null));
    }
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    JsonNode item = Await.until("the order in the listing", () -> ApiAssertions.listAll(gate, "status=Succeeded").stream()
            .filter(d -> d.path("id").asText().equals(id)).findFirst().orElse(null),
        found -> found != null, Duration.ofSeconds(15));
    assertEquals(BASE + "/operations/" + id + "/result", item.path("resourceLocation").asText());
  }
}
