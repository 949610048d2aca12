package io.asyncgate.step.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.json.Json;
import io.asyncgate.support.StubDownstream;
import io.asyncgate.support.StubDownstream.Answer;
import io.asyncgate.support.StubDownstream.Seen;
import io.asyncgate.support.TestGate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Operation types declared in configuration whose steps call a real downstream over HTTP. */
class HttpStepsTest {
  private static final Duration FINISH_WITHIN = Duration.ofSeconds(40);
  private static final String QUICK_RETRY = "{ max-attempts = 3, initial-backoff = 100ms, max-backoff = 200ms }";
  private static final int LARGE_RESULT_BYTES = 5 * 1024 * 1024;

  private static StubDownstream downstream;
  private static TestGate gate;

  @BeforeAll
  static void start() throws IOException {
    downstream = new StubDownstream();
    Path schema = Files.createTempFile("order-schema", ".json");
    Files.writeString(schema, """
        {"type": "object", "required": ["customer"],
         "properties": {"customer": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}}}""");
    String operations = """
        asyncgate.operations {
          t-retry-after { route = "POST /t/retry-after", steps = [
            { name = work, http { url = "BASE/retry-after" }, retry = QUICK_RETRY } ] }
          t-rejected { route = "POST /t/rejected", steps = [
            { name = reserve, http { url = "BASE/rejected/reserve" },
              compensation { method = DELETE, url = "BASE/rejected/reservations/{steps.reserve/reservationId}" } }
            { name = charge, http { url = "BASE/rejected/charge",
                body { amount = "{body/amount}", reservation = "{steps.reserve/reservationId}" } }, retry = QUICK_RETRY } ] }
          t-in-doubt { route = "POST /t/in-doubt", steps = [
            { name = reserve, timeout = 1s, http { url = "BASE/in-doubt/reserve" }, retry = QUICK_RETRY,
              compensation { method = DELETE, url = "BASE/in-doubt/reservations/{steps.reserve/reservationId}" } } ] }
          t-in-doubt-rejected { route = "POST /t/in-doubt-rejected", steps = [
            { name = reserve, timeout = 1s, http { url = "BASE/in-doubt-rejected/reserve" }, retry = QUICK_RETRY,
              compensation { method = DELETE, url = "BASE/in-doubt-rejected/reservations/{steps.reserve/reservationId}" } } ] }
          t-timeout { route = "POST /t/timeout", steps = [
            { name = slow, timeout = 1s, http { url = "BASE/timeout" }, retry = QUICK_RETRY } ] }
          t-compensation-fails { route = "POST /t/compensation-fails", steps = [
            { name = a, http { url = "BASE/compensation-fails/a" },
              compensation { method = DELETE, url = "BASE/compensation-fails/a" }, compensation-retry = QUICK_RETRY }
            { name = b, http { url = "BASE/compensation-fails/b" } } ] }
          t-users { route = "DELETE /t/users/{userId}", steps = [
            { name = disable-user, http { url = "BASE/users/{path.userId}/disable", body {} },
              compensation { url = "BASE/users/{path.userId}/enable", body {} } }
            { name = list-devices, http { method = GET, url = "BASE/users/{path.userId}/devices" } }
            { name = delete-devices, fan-out {
                items = "{steps.list-devices/devices}", parallelism = 2
                http { method = DELETE, url = "BASE/devices/{item/id}" }
                compensation { url = "BASE/devices/{item/id}/restore", body = "{item}" } } } ] }
          t-devices { route = "POST /t/devices", steps = [
            { name = delete-devices, retry = QUICK_RETRY, compensation-retry = QUICK_RETRY, fan-out {
                items = "{body/devices}"
                http { method = DELETE, url = "BASE/devices/{item}" }
                compensation { url = "BASE/devices/{item}/restore", body = "{item}" } } }
            { name = audit, http { url = "BASE/audit/{body/outcome}" } } ] }
          t-missing { route = "POST /t/missing", steps = [
            { name = lookup, http { method = GET, url = "BASE/customers/{body/customer/id}" } } ] }
          t-template { route = "POST /t/template", steps = [ { name = ship, http { url = "BASE/ship" } } ]
            result { kind = template, template {
              orderId = "{requestId}", shipment = "{steps.ship}", quantity = "{body/quantity}"
              note = "order {requestId} goes by {steps.ship/carrier}", literal = "{{kept}}" } } }
          t-stream { route = "POST /t/stream", steps = [ { name = render, http { url = "BASE/render" } } ]
            result { kind = stream, http { url = "BASE/reports/{body/report}" } } }
          t-file { route = "POST /t/file", steps = [ { name = render, http { url = "BASE/render-file" } } ]
            result { kind = file, step = render } }
          t-too-large { route = "POST /t/too-large/{size}", steps = [
            { name = big, http { url = "BASE/too-large/{path.size}", max-response-size = 1KiB } } ] }
          t-unreachable { route = "POST /t/unreachable", steps = [
            { name = call, http { url = "CLOSED/nobody" }, retry { max-attempts = 2, initial-backoff = 100ms, max-backoff = 100ms,
              max-throttled-wait = 2s } } ] }
          t-schema-file { route = "POST /t/schema-file", body-schema-file = "SCHEMA", steps = [
            { name = work, http { url = "BASE/schema-file" } } ] }
        }
        # Buffering a 5 MB streamed result would fail under this limit; streaming it does not.
        akka.http.client.parsing.max-content-length = 1m
        """
        .replace("BASE", downstream.base())
        .replace("QUICK_RETRY", QUICK_RETRY)
        .replace("SCHEMA", schema.toString())
        .replace("CLOSED", "http://127.0.0.1:" + closedPort());
    gate = TestGate.start(Catalogue.of(), operations);
  }

  @AfterAll
  static void stop() {
    gate.close();
    downstream.close();
  }

  /** A port nothing listens on (bound, then released). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String submit(String path, String body) {
    HttpResponse<String> response = gate.postJson(path, body);
    assertEquals(202, response.statusCode(), response::body);
    return TestGate.json(response).path("id").asText();
  }

  private static JsonNode step(JsonNode status, String name) {
    for (JsonNode step : status.path("steps")) {
      if (step.path("name").asText().equals(name)) {
        return step;
      }
    }
    throw new AssertionError("no step " + name + " in " + status);
  }

  @Test
  void a503WithRetryAfterIsRetriedNoSoonerThanTheDownstreamAsked() {
    downstream.script("POST /retry-after",
        Answer.json(503, "{}").withHeader("Retry-After", "2"),
        Answer.json(200, "{\"done\": true}"));

    String id = submit("/t/retry-after", "{\"n\": 1}");
    JsonNode status = gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    assertEquals(2, step(status, "work").path("attempts").asInt(), status::toString);
    List<Seen> calls = downstream.seen("POST", "/retry-after");
    assertEquals(2, calls.size());
    Duration gap = Duration.between(calls.get(0).at(), calls.get(1).at());
    assertTrue(gap.compareTo(Duration.ofSeconds(2)) >= 0, "retried after " + gap);
    calls.forEach(call -> assertEquals(id + ":work", call.header("Idempotency-Key")));
    assertEquals("{\"n\":1}", calls.get(0).body(), "the request body is sent by default");
    assertEquals("{\"done\":true}", gate.get("/operations/" + id + "/result").body());
  }

  @Test
  void a400IsNotRetriedCompensatesEarlierStepsAndCarriesTheDownstreamProblem() {
    downstream.script("POST /rejected/reserve", Answer.json(201, "{\"reservationId\": \"r/42\"}"));
    downstream.script("POST /rejected/charge", new Answer(400, "application/problem+json",
        "{\"type\": \"https://pay.example/declined\", \"title\": \"PaymentDeclined\", \"detail\": \"Card expired.\"}"
            .getBytes(StandardCharsets.UTF_8), Map.of()));

    String id = submit("/t/rejected", "{\"amount\": 12.5}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals(1, downstream.seen("POST", "/rejected/charge").size(), "a 400 is not retried");
    assertEquals("{\"amount\":12.5,\"reservation\":\"r/42\"}", downstream.seen("POST", "/rejected/charge").get(0).body());
    assertEquals(DownstreamHttp.REJECTED, status.path("error").path("code").asText(), status::toString);
    assertEquals("PaymentDeclined", status.path("error").path("innererror").path("code").asText(), status::toString);
    assertEquals("Card expired.", status.path("error").path("innererror").path("message").asText(), status::toString);
    List<Seen> undo = downstream.seen("DELETE", "/rejected/reservations/r%2F42");
    assertEquals(1, undo.size(), "the reservation is released, its id encoded as one path segment");
    assertEquals(id + ":reserve:compensation", undo.get(0).header("Idempotency-Key"));
    assertEquals("Succeeded", step(status, "reserve").path("compensation").path("status").asText(), status::toString);
  }

  @Test
  void aTimedOutCallIsRetriedAndThenSucceeds() {
    downstream.script("POST /timeout", Answer.json(200, "{\"late\": true}").after(Duration.ofSeconds(3)),
        Answer.json(200, "{\"late\": false}"));

    String id = submit("/t/timeout", "{}");
    JsonNode status = gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    assertEquals(2, step(status, "slow").path("attempts").asInt(), status::toString);
    assertEquals("{\"late\":false}", gate.get("/operations/" + id + "/result").body());
  }

  @Test
  void aStepTimedOutForGoodIsRepeatedWithItsKeySoThatItsCompensationKnowsWhatToUndo() {
    Answer late = Answer.json(201, "{\"reservationId\": \"r-7\"}").after(Duration.ofSeconds(3));
    downstream.script("POST /in-doubt/reserve", late, late, late, Answer.json(201, "{\"reservationId\": \"r-7\"}"));

    String id = submit("/t/in-doubt", "{}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals("failed", status.path("phase").asText(), status::toString);
    assertEquals("Succeeded", step(status, "reserve").path("compensation").path("status").asText(), status::toString);
    List<Seen> reserves = downstream.seen("POST", "/in-doubt/reserve");
    assertEquals(4, reserves.size(), "three timed-out attempts, then the repeat that learns the outcome");
    reserves.forEach(r -> assertEquals(id + ":reserve", r.header("Idempotency-Key")));
    List<Seen> undo = downstream.seen("DELETE", "/in-doubt/reservations/r-7");
    assertEquals(1, undo.size(), "what the repeat answered is undone");
    assertEquals(id + ":reserve:compensation", undo.get(0).header("Idempotency-Key"));
  }

  @Test
  void anInDoubtStepWhoseRepeatIsRejectedHasNothingToUndo() {
    downstream.script("POST /in-doubt-rejected/reserve", Answer.json(201, "{}").after(Duration.ofSeconds(3)),
        Answer.json(409, "{\"title\": \"OutOfStock\"}"));

    String id = submit("/t/in-doubt-rejected", "{}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals("OutOfStock", status.path("error").path("innererror").path("code").asText(), status::toString);
    assertEquals("Succeeded", step(status, "reserve").path("compensation").path("status").asText(), status::toString);
    assertEquals(3, downstream.seen("POST", "/in-doubt-rejected/reserve").size(), "timed out, rejected, rejected again on the repeat");
    assertEquals(List.of(), downstream.seenUnder("/in-doubt-rejected/reservations"));
  }

  @Test
  void aCompensationFailingPastItsRetriesLeavesTheOperationVisiblyCompensationFailed() {
    downstream.script("POST /compensation-fails/b", Answer.json(422, "{}"));
    downstream.script("DELETE /compensation-fails/a", Answer.json(500, "{}"));

    String id = submit("/t/compensation-fails", "{}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals("compensation-failed", status.path("phase").asText(), status::toString);
    assertEquals(3, downstream.seen("DELETE", "/compensation-fails/a").size(), "three compensation attempts");
    JsonNode compensation = step(status, "a").path("compensation");
    assertEquals("Failed", compensation.path("status").asText(), status::toString);
    assertEquals(DownstreamHttp.UNAVAILABLE, compensation.path("lastError").path("code").asText(), status::toString);
  }

  @Test
  void aFanOutWithAnItemRejectedCompensatesTheOtherItemsAndTheEarlierSteps() {
    String user = "u-" + UUID.randomUUID();
    List<String> devices = List.of(user + "-d0", user + "-d1", user + "-d2");
    downstream.script("GET /users/" + user + "/devices", Answer.json(200,
        "{\"devices\": [" + devices.stream().map(d -> "{\"id\": \"" + d + "\"}").collect(Collectors.joining(",")) + "]}"));
    downstream.script("DELETE /devices/" + devices.get(1), Answer.json(404, "{\"title\": \"NoSuchDevice\"}"));

    HttpResponse<String> accepted = gate.send(HttpRequest.newBuilder(gate.uri("/t/users/" + user)).DELETE().build());
    assertEquals(202, accepted.statusCode(), accepted::body);
    String id = TestGate.json(accepted).path("id").asText();
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals(FanOutStep.ITEMS_FAILED, status.path("error").path("code").asText(), status::toString);
    assertTrue(status.path("error").path("message").asText().contains("item 1"), status::toString);
    for (int i = 0; i < devices.size(); i++) {
      List<Seen> deletes = downstream.seen("DELETE", "/devices/" + devices.get(i));
      assertEquals(1, deletes.size(), "device " + i + " deleted once");
      assertEquals(id + ":delete-devices:" + i, deletes.get(0).header("Idempotency-Key"));
    }
    assertEquals(1, downstream.seen("POST", "/devices/" + devices.get(0) + "/restore").size());
    assertEquals("{\"id\":\"" + devices.get(2) + "\"}",
        downstream.seen("POST", "/devices/" + devices.get(2) + "/restore").get(0).body());
    assertEquals(0, downstream.seen("POST", "/devices/" + devices.get(1) + "/restore").size(), "the rejected item is not undone");
    assertEquals(1, downstream.seen("POST", "/users/" + user + "/enable").size(), "the earlier step is compensated");
  }

  @Test
  void aLaterStepRejectedCompensatesEveryItemOfTheFanOut() {
    List<String> devices = devices(3);
    downstream.script("POST /audit/reject", Answer.json(409, "{\"title\": \"AuditRefused\"}"));

    String id = submit("/t/devices", "{\"devices\": " + Json.string(devices) + ", \"outcome\": \"reject\"}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals("AuditRefused", status.path("error").path("innererror").path("code").asText(), status::toString);
    for (int i = 0; i < devices.size(); i++) {
      List<Seen> restores = downstream.seen("POST", "/devices/" + devices.get(i) + "/restore");
      assertEquals(1, restores.size(), "device " + i + " restored");
      assertEquals(id + ":delete-devices:" + i + ":compensation", restores.get(0).header("Idempotency-Key"));
    }
  }

  @Test
  void aFanOutItemFailingTransientlyRetriesTheStepWithTheSameItemKeys() {
    List<String> devices = devices(2);
    downstream.script("DELETE /devices/" + devices.get(1), Answer.json(502, "{}"), Answer.json(204, ""));

    String id = submit("/t/devices", "{\"devices\": " + Json.string(devices) + ", \"outcome\": \"ok\"}");
    JsonNode status = gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    assertEquals(2, step(status, "delete-devices").path("attempts").asInt(), status::toString);
    for (int i = 0; i < devices.size(); i++) {
      List<Seen> deletes = downstream.seen("DELETE", "/devices/" + devices.get(i));
      assertEquals(2, deletes.size(), "device " + i + " called in both attempts");
      int item = i;
      deletes.forEach(d -> assertEquals(id + ":delete-devices:" + item, d.header("Idempotency-Key")));
    }
    assertTrue(downstream.seenUnder("/devices/" + devices.get(0) + "/restore").isEmpty(), "nothing undone on success");
  }

  @Test
  void aFanOutGivenUpAfterTransientItemFailuresUndoesTheItemsThatSucceeded() {
    List<String> devices = devices(2);
    downstream.script("DELETE /devices/" + devices.get(1), Answer.json(502, "{}"));

    String id = submit("/t/devices", "{\"devices\": " + Json.string(devices) + ", \"outcome\": \"ok\"}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals(FanOutStep.ITEMS_FAILED, status.path("error").path("code").asText(), status::toString);
    assertEquals(3, downstream.seen("DELETE", "/devices/" + devices.get(1)).size(), "the failing item, once per attempt");
    List<Seen> restores = downstream.seen("POST", "/devices/" + devices.get(0) + "/restore");
    assertEquals(1, restores.size(), "the deleted device is restored once the step is given up");
    assertEquals(id + ":delete-devices:0:compensation", restores.get(0).header("Idempotency-Key"));
    assertEquals("Succeeded", step(status, "delete-devices").path("compensation").path("status").asText(), status::toString);
    assertTrue(downstream.seenUnder("/audit").stream().noneMatch(s -> s.header("Idempotency-Key").startsWith(id)),
        "the next step never ran");
  }

  @Test
  void aFanOutWhoseCleanUpKeepsFailingEndsVisiblyCompensationFailed() {
    List<String> devices = devices(2);
    downstream.script("DELETE /devices/" + devices.get(1), Answer.json(404, "{\"title\": \"NoSuchDevice\"}"));
    downstream.script("POST /devices/" + devices.get(0) + "/restore", Answer.json(500, "{}"));

    String id = submit("/t/devices", "{\"devices\": " + Json.string(devices) + ", \"outcome\": \"ok\"}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals("compensation-failed", status.path("phase").asText(), status::toString);
    assertEquals("CompensationFailed", status.path("error").path("code").asText(), status::toString);
    assertEquals(FanOutStep.COMPENSATION_INCOMPLETE, status.path("error").path("innererror").path("code").asText(), status::toString);
    assertTrue(status.path("error").path("innererror").path("message").asText().contains("item 1"), status::toString);
    assertEquals("Failed", step(status, "delete-devices").path("compensation").path("status").asText(), status::toString);
    // Three attempts of the step, each undoing the deleted device at once, then three compensations.
    assertEquals(6, downstream.seen("POST", "/devices/" + devices.get(0) + "/restore").size());
  }

  private static List<String> devices(int count) {
    String owner = UUID.randomUUID().toString();
    return IntStream.range(0, count).mapToObj(i -> owner + "-" + i).toList();
  }

  @Test
  void aPointerThatFindsNothingRejectsTheStepNamingThePlaceholder() {
    String id = submit("/t/missing", "{\"customer\": {\"name\": \"Ada\"}}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals("TemplateValueMissing", status.path("error").path("code").asText(), status::toString);
    assertTrue(status.path("error").path("message").asText().contains("{body/customer/id}"), status::toString);
    assertEquals(1, step(status, "lookup").path("attempts").asInt(), "not retried");
    assertTrue(downstream.seenUnder("/customers").isEmpty());
  }

  @Test
  void aTemplateResultIsComposedFromTheRequestAndTheOutputs() {
    downstream.script("POST /ship", Answer.json(200, "{\"carrier\": \"DHL\", \"tracking\": 7}"));

    String id = submit("/t/template", "{\"quantity\": 3}");
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);
    JsonNode result = TestGate.json(gate.get("/operations/" + id + "/result"));

    assertEquals(id, result.path("orderId").asText());
    assertEquals(7, result.path("shipment").path("tracking").asInt(), result::toString);
    assertTrue(result.path("quantity").isInt(), "a whole placeholder keeps the JSON type: " + result);
    assertEquals("order " + id + " goes by DHL", result.path("note").asText());
    assertEquals("{kept}", result.path("literal").asText());
  }

  @Test
  void numbersPassThroughFromRequestAndDownstreamToTheResultUnchanged() {
    downstream.script("POST /ship", Answer.json(200, "{\"carrier\": \"DHL\", \"cost\": 30.00,"
        + " \"precise\": 0.1000000000000000055511151231257827, \"big\": 123456789012345678901234567890}"));

    String id = submit("/t/template", "{\"quantity\": 2.50}");
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    Seen call = downstream.seen("POST", "/ship").stream()
        .filter(s -> s.header("Idempotency-Key").startsWith(id)).findFirst().orElseThrow();
    assertEquals("{\"quantity\":2.50}", call.body(), "the request body as the downstream received it");
    for (String body : List.of(gate.get("/operations/" + id + "/result").body(),
        gate.get("/operations/" + id + "?redirect=false").body())) {
      assertTrue(body.contains("\"quantity\":2.50"), body);
      assertTrue(body.contains("\"cost\":30.00"), body);
      assertTrue(body.contains("\"precise\":0.1000000000000000055511151231257827"), body);
      assertTrue(body.contains("\"big\":123456789012345678901234567890"), body);
    }
  }

  @Test
  void aFileResultServesTheStepsOutputWithItsTypeAsAnAttachment() {
    downstream.script("POST /render-file",
        Answer.json(200, "{\"contentType\": \"text/csv; charset=UTF-8\", \"fileName\": \"q3.csv\", \"content\": \"row\\n1\\n\"}"));

    String id = submit("/t/file", "{}");
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);
    HttpResponse<String> result = gate.get("/operations/" + id + "/result");

    assertEquals(200, result.statusCode(), result::body);
    assertEquals("text/csv; charset=UTF-8", result.headers().firstValue("Content-Type").orElse(""));
    assertEquals("attachment; filename=\"q3.csv\"", result.headers().firstValue("Content-Disposition").orElse(""));
    assertEquals("row\n1\n", result.body());
  }

  @Test
  void aStreamedResultPassesTheDownstreamBodyAndContentTypeThroughWithoutBufferingIt() {
    byte[] csv = new byte[LARGE_RESULT_BYTES];
    Arrays.fill(csv, (byte) 'x');
    downstream.script("GET /reports/r-big", new Answer(200, "text/csv", csv,
        Map.of("Content-Disposition", "attachment; filename=\"report.csv\"")));

    String id = submit("/t/stream", "{\"report\": \"r-big\"}");
    JsonNode status = gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);
    HttpResponse<String> result = gate.get("/operations/" + id + "/result");

    assertNull(status.get("result"), "a downstream reference is not inlined as the result");
    assertEquals(200, result.statusCode(), result::body);
    assertEquals("text/csv", result.headers().firstValue("Content-Type").orElse("").split(";")[0]);
    assertTrue(result.headers().firstValue("Content-Disposition").orElse("").contains("report.csv"), result.headers()::toString);
    assertEquals(LARGE_RESULT_BYTES, result.body().length());
  }

  @Test
  void aStreamedResultTheDownstreamFailsToDeliverIsA502Problem() {
    downstream.script("GET /reports/r-gone", Answer.json(500, "{}"));

    String id = submit("/t/stream", "{\"report\": \"r-gone\"}");
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);
    HttpResponse<String> result = gate.get("/operations/" + id + "/result");

    assertEquals(502, result.statusCode(), result::body);
    assertEquals("application/problem+json", result.headers().firstValue("Content-Type").orElse("").split(";")[0]);
    assertEquals(gate.base() + "/problems/result-unavailable", TestGate.json(result).path("type").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"declared", "chunked"})
  void aResponseLargerThanMaxResponseSizeRejectsTheStep(String size) {
    Answer large = Answer.json(200, "{\"pad\": \"" + "y".repeat(4096) + "\"}");
    downstream.script("POST /too-large/" + size, size.equals("chunked") ? large.inChunks() : large);

    String id = submit("/t/too-large/" + size, "{}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals(DownstreamHttp.RESPONSE_TOO_LARGE, status.path("error").path("code").asText(), status::toString);
    assertEquals(1, step(status, "big").path("attempts").asInt(), "not retried");
  }

  @Test
  void aRefusedConnectionIsRetriedPastMaxAttemptsThenFailsAsUnreachableAfterMaxThrottledWait() {
    String id = submit("/t/unreachable", "{}");
    JsonNode status = gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    assertEquals(DownstreamHttp.UNREACHABLE, status.path("error").path("code").asText(), status::toString);
    assertTrue(step(status, "call").path("attempts").asInt() > 2, "refusals are throttling, not counted: " + status);
    assertTrue(status.path("error").path("message").asText().contains("max-throttled-wait"), status::toString);
  }

  @Test
  void aBodySchemaFromAFileListsEachViolationWithItsPointerAndStoresNothing() {
    HttpResponse<String> response = gate.postJson("/t/schema-file", "{\"quantity\": 0}");

    assertEquals(400, response.statusCode(), response::body);
    JsonNode errors = TestGate.json(response).path("errors");
    Set<String> pointers = new TreeSet<>();
    errors.forEach(e -> pointers.add(e.path("pointer").asText() + " " + e.path("keyword").asText()));
    assertEquals(Set.of("/customer required", "/quantity minimum"), pointers, errors::toString);
    assertTrue(downstream.seenUnder("/schema-file").isEmpty());
  }
}
