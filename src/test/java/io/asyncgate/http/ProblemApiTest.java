package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.assertNothingStored;
import static io.asyncgate.support.ApiAssertions.assertOperationProblem;
import static io.asyncgate.support.ApiAssertions.assertProblem;
import static io.asyncgate.support.TestHttpClient.describe;
import static io.asyncgate.support.TestHttpClient.mediaType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.TestGate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/API.md: every error is application/problem+json with a type URL that answers, and a rejected submit stores nothing. */
class ProblemApiTest {
  private static final String ORDER = "{\"customer\":\"Ada\",\"items\":[{\"name\":\"widget\",\"quantity\":2}]}";
  private static final int ONE_MIB = 1024 * 1024;
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start();
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  private static String sentinel() {
    return gate.submitOrder("Sentinel", 1);
  }

  private static HttpResponse<String> send(String method, String path, String contentType, HttpRequest.BodyPublisher body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(gate.uri(path)).method(method, body);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return gate.send(request.build());
  }

  @Test
  void malformedJsonAnswers400AndStoresNothing() {
    assertNothingStored(gate, () -> {
      HttpResponse<String> response = gate.postJson("/orders", "{\"customer\": \"Ada\", \"items\": [");

      JsonNode problem = assertProblem(response, gate.base(), 400, "validation");
      JsonNode errors = problem.path("errors");
      assertEquals(1, errors.size(), problem::toString);
      assertEquals("body", errors.get(0).path("in").asText());
      assertEquals("", errors.get(0).path("pointer").asText());
      assertTrue(errors.get(0).path("detail").asText().contains("malformed JSON"), problem::toString);
    }, ProblemApiTest::sentinel);
  }

  @Test
  void jsonNestedDeeperThanTheLimitAnswers400AndStoresNothing() {
    // Where the schema says nothing, so only the nesting limit can stop it.
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertNothingStored(gate, () -> {
      HttpResponse<String> response = gate.postJson("/orders",
          "{\"customer\": \"Ada\", \"items\": [{\"name\": \"x\", \"quantity\": 1}], \"note\": " + deep + "}");

      JsonNode problem = assertProblem(response, gate.base(), 400, "validation");
      assertTrue(problem.path("detail").asText().contains("nesting deeper than 64 levels"), problem::toString);
    }, ProblemApiTest::sentinel);
  }

  @Test
  void aRequestTooMalformedToRouteStillAnswersProblemJson() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gate.gate().httpPort())) {
      socket.getOutputStream().write(
          "GET /operations?cursor=%%% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertTrue(response.startsWith("HTTP/1.1 400 "), response);
      assertTrue(response.contains("Content-Type: application/problem+json"), response);
      assertTrue(response.contains("\"type\":\"about:blank\""), response);
      assertTrue(response.contains("\"status\":400"), response);
    }
  }

  @Test
  void schemaViolationsAnswer400ListingEachWithItsPointerAndStoreNothing() {
    assertNothingStored(gate, () -> {
      HttpResponse<String> response = gate.postJson("/orders",
          "{\"customer\":\"\",\"items\":[{\"name\":\"widget\",\"quantity\":0,\"colour\":\"red\"}]}");

      JsonNode problem = assertProblem(response, gate.base(), 400, "validation");
      JsonNode errors = problem.path("errors");
      assertEquals(3, errors.size(), problem::toString);
      assertViolation(errors, "/customer", "minLength");
      assertViolation(errors, "/items/0/quantity", "minimum");
      assertViolation(errors, "/items/0/colour", "additionalProperties");
      errors.forEach(e -> assertEquals("body", e.path("in").asText(), problem::toString));
      errors.forEach(e -> assertTrue(!e.path("detail").asText().isBlank(), problem::toString));
    }, ProblemApiTest::sentinel);
  }

  @Test
  void missingRequiredMembersAnswer400NamingThem() {
    HttpResponse<String> response = gate.postJson("/orders", "{}");

    JsonNode problem = assertProblem(response, gate.base(), 400, "validation");
    assertEquals(2, problem.path("errors").size(), problem::toString);
    assertViolation(problem.path("errors"), "/customer", "required");
    assertViolation(problem.path("errors"), "/items", "required");
    assertTrue(problem.path("detail").asText().contains("/customer"), problem::toString);
    assertTrue(problem.path("detail").asText().contains("/items"), problem::toString);
  }

  @Test
  void wrongJsonTypeAnswers400() {
    HttpResponse<String> response = gate.postJson("/files", "{\"name\":\"report\",\"rows\":\"many\"}");

    JsonNode problem = assertProblem(response, gate.base(), 400, "validation");
    assertViolation(problem.path("errors"), "/rows", "type");
  }

  @Test
  void badPathParameterAnswers400AndStoresNothing() {
    assertNothingStored(gate, () -> {
      HttpResponse<String> response = gate.delete("/users/bad%20id");

      JsonNode problem = assertProblem(response, gate.base(), 400, "validation");
      JsonNode errors = problem.path("errors");
      assertEquals(1, errors.size(), problem::toString);
      assertEquals("path", errors.get(0).path("in").asText(), problem::toString);
      assertEquals("/userId", errors.get(0).path("pointer").asText(), problem::toString);
      assertEquals("pattern", errors.get(0).path("keyword").asText(), problem::toString);
    }, ProblemApiTest::sentinel);
  }

  @Test
  void missingBodyAnswers400AndStoresNothing() {
    assertNothingStored(gate, () -> {
      HttpResponse<String> withoutContentType = gate.post("/orders");
      JsonNode problem = assertProblem(withoutContentType, gate.base(), 400, "validation");
      assertEquals("body", problem.path("errors").get(0).path("in").asText(), problem::toString);
      assertEquals("required", problem.path("errors").get(0).path("keyword").asText(), problem::toString);

      assertProblem(send("POST", "/orders", "application/json", HttpRequest.BodyPublishers.noBody()), gate.base(), 400, "validation");
    }, ProblemApiTest::sentinel);
  }

  @Test
  void bodyOverOneMibAnswers413AndStoresNothing() {
    String tooLarge = "{\"customer\":\"" + "a".repeat(ONE_MIB) + "\",\"items\":[]}";
    assertNothingStored(gate, () -> {
      // The body is read to its end before the 413 goes out, so a client that uploads all of it
      // before reading the answer (as the JDK client does) reads the problem, not a broken pipe.
      for (int attempt = 0; attempt < 5; attempt++) {
        assertProblem(gate.postJson("/orders", tooLarge), gate.base(), 413, "payload-too-large");
      }

      // Declared far larger than asyncgate reads: answered from the headers alone, nothing read.
      String answer = rawExchange("POST /orders HTTP/1.1\r\nHost: " + gate.uri("/").getAuthority()
          + "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " + (1L << 40) + "\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
      assertTrue(answer.toLowerCase(Locale.ROOT).contains("\r\ncontent-type: application/problem+json\r\n"), answer);
      assertTrue(answer.contains("\"type\":\"" + gate.base() + "/problems/payload-too-large\""), answer);

      // Without Content-Length (chunked), the limit holds while reading.
      byte[] bytes = tooLarge.getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> chunked = send("POST", "/orders", "application/json",
          HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
      assertProblem(chunked, gate.base(), 413, "payload-too-large");
    }, ProblemApiTest::sentinel);
  }

  /** Writes {@code request} as it is and returns everything the server sends until it closes the connection. */
  private static String rawExchange(String request) {
    try (Socket socket = new Socket(gate.uri("/").getHost(), gate.uri("/").getPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void bodyJustUnderTheLimitIsNotRejectedForItsSize() {
    String prefix = "{\"customer\":\"";
    String suffix = "\",\"items\":[{\"name\":\"widget\",\"quantity\":1}]}";
    String body = prefix + "a".repeat(ONE_MIB - prefix.length() - suffix.length()) + suffix;
    assertEquals(ONE_MIB, body.getBytes(StandardCharsets.UTF_8).length);

    HttpResponse<String> response = gate.postJson("/orders", body);

    // customer has maxLength 200: a schema violation, not a size problem.
    assertProblem(response, gate.base(), 400, "validation");
  }

  @Test
  void nonJsonContentTypeAnswers415AndStoresNothing() {
    assertNothingStored(gate, () -> {
      HttpResponse<String> text = send("POST", "/orders", "text/plain", HttpRequest.BodyPublishers.ofString(ORDER));
      assertProblem(text, gate.base(), 415, "unsupported-media-type");

      HttpResponse<String> form = send("POST", "/orders", "application/x-www-form-urlencoded",
          HttpRequest.BodyPublishers.ofString("customer=Ada"));
      assertProblem(form, gate.base(), 415, "unsupported-media-type");
    }, ProblemApiTest::sentinel);
  }

  @Test
  void unknownRouteAnswers404() {
    assertProblem(gate.get("/nothing-here"), gate.base(), 404, "not-found");
    assertProblem(gate.postJson("/invoices", ORDER), gate.base(), 404, "not-found");
    assertProblem(gate.delete("/users/user-1/devices"), gate.base(), 404, "not-found");
    assertProblem(gate.get("/problems/no-such-problem"), gate.base(), 404, "not-found");
  }

  @Test
  void unknownOperationIdAnswers404OnEveryOperationUrl() {
    String id = UUID.randomUUID().toString();

    assertOperationProblem(gate.get("/operations/" + id), gate.base(), 404, "not-found", id);
    assertOperationProblem(gate.get("/operations/" + id + "?redirect=false"), gate.base(), 404, "not-found", id);
    assertOperationProblem(gate.get("/operations/" + id + "/result"), gate.base(), 404, "not-found", id);
    assertOperationProblem(gate.post("/operations/" + id + "/cancel"), gate.base(), 404, "not-found", id);
    assertOperationProblem(gate.delete("/operations/" + id), gate.base(), 404, "not-found", id);
  }

  @Test
  void nonUuidOperationIdAnswers404() {
    assertProblem(gate.get("/operations/not-an-id"), gate.base(), 404, "not-found");
    assertProblem(gate.get("/operations/not-an-id/result"), gate.base(), 404, "not-found");
    assertProblem(gate.post("/operations/12345/cancel"), gate.base(), 404, "not-found");
    assertProblem(gate.delete("/operations/12345"), gate.base(), 404, "not-found");
    // Upper case is another spelling, not the id the 202 handed out.
    assertProblem(gate.get("/operations/" + UUID.randomUUID().toString().toUpperCase()), gate.base(), 404, "not-found");
  }

  @Test
  void wrongMethodAnswers405WithAllow() {
    String id = UUID.randomUUID().toString();

    assertMethodNotAllowed(send("PUT", "/orders", "application/json", HttpRequest.BodyPublishers.ofString(ORDER)), "POST");
    assertMethodNotAllowed(gate.get("/orders"), "POST");
    assertMethodNotAllowed(gate.post("/users/user-1"), "DELETE");
    assertMethodNotAllowed(send("PUT", "/operations/" + id, null, HttpRequest.BodyPublishers.noBody()), "DELETE", "GET");
    assertMethodNotAllowed(gate.post("/operations/" + id + "/result"), "GET");
    assertMethodNotAllowed(gate.get("/operations/" + id + "/cancel"), "POST");
    assertMethodNotAllowed(gate.delete("/operations"), "GET");
  }

  @Test
  void unknownQueryParametersAreIgnored() {
    String id = gate.submitOrder("Grace", 1);

    HttpResponse<String> status = gate.get("/operations/" + id + "?redirect=false&api-version=2024-01-01");
    assertEquals(200, status.statusCode(), () -> describe(status));
    assertEquals(id, TestGate.json(status).path("id").asText());

    HttpResponse<String> list = gate.get("/operations?api-version=2024-01-01");
    assertEquals(200, list.statusCode(), () -> describe(list));

    HttpResponse<String> unknown = gate.get("/operations/" + UUID.randomUUID() + "?api-version=2024-01-01");
    assertProblem(unknown, gate.base(), 404, "not-found");
  }

  @Test
  void everyProblemTypeUrlAnswersAPageExplainingIt() {
    List<HttpResponse<String>> problems = new ArrayList<>(List.of(
        gate.postJson("/orders", "{"),
        gate.get("/operations/" + UUID.randomUUID()),
        gate.get("/orders"),
        gate.postJson("/orders", "{\"customer\":\"" + "a".repeat(ONE_MIB) + "\"}"),
        send("POST", "/orders", "text/plain", HttpRequest.BodyPublishers.ofString(ORDER))));
    Set<String> seen = new TreeSet<>();
    for (HttpResponse<String> response : problems) {
      JsonNode problem = TestGate.json(response);
      String type = problem.path("type").asText();
      seen.add(type.substring(type.lastIndexOf('/') + 1));

      HttpResponse<String> page = gate.get(type);

      assertEquals(200, page.statusCode(), () -> describe(page));
      assertEquals("text/html", mediaType(page));
      assertTrue(page.body().contains(problem.path("title").asText()), () -> "the page of " + type + " names its title: " + page.body());
    }
    assertEquals(Set.of("validation", "not-found", "method-not-allowed", "payload-too-large", "unsupported-media-type"), seen);
  }

  private static void assertViolation(JsonNode errors, String pointer, String keyword) {
    for (JsonNode e : errors) {
      if (e.path("pointer").asText().equals(pointer) && e.path("keyword").asText().equals(keyword)) {
        return;
      }
    }
    throw new AssertionError("no " + keyword + " violation at " + pointer + " in " + errors);
  }

  private static void assertMethodNotAllowed(HttpResponse<String> response, String... allowed) {
    assertProblem(response, gate.base(), 405, "method-not-allowed");
    String allow = response.headers().firstValue("Allow").orElseThrow(() -> new AssertionError("no Allow on " + describe(response)));
    Set<String> methods = new TreeSet<>(Arrays.stream(allow.split(",")).map(String::trim).toList());
    assertEquals(new TreeSet<>(Arrays.asList(allowed)), methods, () -> describe(response));
  }
}
