package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.FINISH_WITHIN;
import static io.asyncgate.support.ApiAssertions.assertAccepted;
import static io.asyncgate.support.ApiAssertions.assertOperationProblem;
import static io.asyncgate.support.TestHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.TestGate;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With {@code trust-forwarded-headers = true} and no public base, URLs follow {@code Forwarded} / {@code X-Forwarded-*}. */
class ForwardedHeadersTest {
  private static final String ORDER = "{\"customer\":\"Ada\",\"items\":[{\"name\":\"widget\",\"quantity\":1}]}";
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start(Catalogue.of(), "asyncgate.http.trust-forwarded-headers = true");
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  private static HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(gate.uri(path));
    return headers.length == 0 ? builder : builder.headers(headers);
  }

  private static HttpResponse<String> submitOrder(String... headers) {
    return gate.send(request("/orders", headers)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(ORDER))
        .build());
  }

  @Test
  void xForwardedProtoAndHostAreHonoured() {
    String base = "https://gw.example.com";
    HttpResponse<String> accepted = submitOrder("X-Forwarded-Proto", "https", "X-Forwarded-Host", "gw.example.com");

    String id = assertAccepted(accepted, base, "orders").path("id").asText();
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    HttpResponse<String> redirect = gate.send(request("/operations/" + id,
        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "gw.example.com").GET().build());
    assertEquals(303, redirect.statusCode(), () -> describe(redirect));
    assertEquals(base + "/operations/" + id + "/result", redirect.headers().firstValue("Location").orElse(null));

    HttpResponse<String> status = gate.send(request("/operations/" + id + "?redirect=false",
        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "gw.example.com").GET().build());
    assertEquals(base + "/operations/" + id + "/result", TestGate.json(status).path("resourceLocation").asText());
  }

  @Test
  void forwardedIsHonoured() {
    HttpResponse<String> accepted = submitOrder("Forwarded", "proto=https;host=fw.example.com");

    assertAccepted(accepted, "https://fw.example.com", "orders");
  }

  @Test
  void forwardedTakesTheFirstProxysQuotedValues() {
    HttpResponse<String> accepted = submitOrder("Forwarded",
        "for=192.0.2.60;proto=https;host=\"fw.example.com:8443\", for=198.51.100.17;proto=http;host=inner.local");

    assertAccepted(accepted, "https://fw.example.com:8443", "orders");
  }

  @Test
  void problemsFollowTheForwardedHeadersToo() {
    String id = UUID.randomUUID().toString();

    HttpResponse<String> notFound = gate.send(request("/operations/" + id,
        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "gw.example.com").GET().build());

    JsonNode problem = assertOperationProblem(notFound, "https://gw.example.com", 404, "not-found", id);
    assertEquals("https://gw.example.com/problems/not-found", problem.path("type").asText());
  }

  @Test
  void withoutForwardedHeadersTheHostIsUsed() {
    assertAccepted(submitOrder(), gate.base(), "orders");
  }
}
