package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.FINISH_WITHIN;
import static io.asyncgate.support.ApiAssertions.assertOperationProblem;
import static io.asyncgate.support.ApiAssertions.assertRetryAfter;
import static io.asyncgate.support.TestHttpClient.describe;
import static io.asyncgate.support.TestHttpClient.mediaType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.TestGate;
import io.asyncgate.support.TestTypes;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/API.md, "Result endpoint": the result as produced, 202 while running, a problem with the right status otherwise. */
class ResultApiTest {
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start(Catalogue.of(TestTypes.held(), TestTypes.flaky(), TestTypes.stuck()), "");
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  private static String submit(String path, String body) {
    HttpResponse<String> response = gate.postJson(path, body);
    assertEquals(202, response.statusCode(), () -> describe(response));
    return TestGate.json(response).path("id").asText();
  }

  @Test
  void resultWhileRunningAnswers202WithRetryAfter() {
    String id = submit("/held", "{}");
    gate.awaitStatus(id, "Running", FINISH_WITHIN);

    HttpResponse<String> response = gate.get("/operations/" + id + "/result");

    assertEquals(202, response.statusCode(), () -> describe(response));
    assertRetryAfter(response);
    assertEquals(gate.base() + "/operations/" + id, response.headers().firstValue("Location").orElse(null));
    assertEquals("Running", TestGate.json(response).path("status").asText());
    TestTypes.release(id);
  }

  @Test
  void resultOfAnOrderIsItsConfirmationAsJson() {
    String id = gate.submitOrder("Ada", 5);
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    HttpResponse<String> response = gate.get("/operations/" + id + "/result");

    assertEquals(200, response.statusCode(), () -> describe(response));
    assertEquals("application/json", mediaType(response));
    JsonNode confirmation = TestGate.json(response);
    assertEquals(id, confirmation.path("orderId").asText());
    assertEquals("confirmed", confirmation.path("status").asText());
    assertEquals("Ada", confirmation.path("customer").asText());
    assertEquals(50, confirmation.path("payment").path("amount").asInt(), confirmation::toString);
    assertEquals("EUR", confirmation.path("payment").path("currency").asText());
    // The same JSON the status document inlines.
    assertEquals(confirmation, gate.status(id).path("result"));
  }

  @Test
  void resultOfAFileOperationIsTheCsvAsAnAttachment() {
    String id = submit("/files", "{\"name\":\"stock-2026\",\"rows\":3}");
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    HttpResponse<String> response = gate.get("/operations/" + id + "/result");

    assertEquals(200, response.statusCode(), () -> describe(response));
    assertEquals("text/csv; charset=UTF-8", response.headers().firstValue("Content-Type").orElse(null));
    assertEquals("attachment; filename=\"stock-2026.csv\"", response.headers().firstValue("Content-Disposition").orElse(null));
    assertTrue(response.body().matches("row,item,quantity\n1,stock-2026-1,\\d+\n2,stock-2026-2,\\d+\n3,stock-2026-3,\\d+\n"),
        response::body);
  }

  @Test
  void resultOfAnOrderWhosePaymentWasDeclinedIs422WithTheError() {
    String id = gate.submitOrder("Bulk", 1500);
    gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    HttpResponse<String> response = gate.get("/operations/" + id + "/result");

    JsonNode problem = assertOperationProblem(response, gate.base(), 422, "operation-failed", id);
    assertEquals("DownstreamRejected", problem.path("error").path("code").asText(), problem::toString);
    assertEquals("PaymentDeclined", problem.path("error").path("innererror").path("code").asText(), problem::toString);
    assertTrue(problem.path("error").path("innererror").path("message").asText().contains("1500 units"), problem::toString);
    assertTrue(problem.path("detail").asText().contains("/payments answered 422"), problem::toString);
  }

  @Test
  void resultOfAnOperationWhoseDownstreamKeptFailingIs502() {
    String id = submit("/flaky", "{}");
    JsonNode failed = gate.awaitStatus(id, "Failed", FINISH_WITHIN);
    assertEquals(2, failed.path("steps").get(0).path("attempts").asInt(), "retried once: " + failed);

    HttpResponse<String> response = gate.get("/operations/" + id + "/result");

    JsonNode problem = assertOperationProblem(response, gate.base(), 502, "operation-failed", id);
    assertEquals("DownstreamUnavailable", problem.path("error").path("code").asText(), problem::toString);
  }

  @Test
  void resultOfAnOperationWhoseStepKeptTimingOutIs504() {
    String id = submit("/stuck", "{}");
    JsonNode failed = gate.awaitStatus(id, "Failed", FINISH_WITHIN);
    assertEquals(2, failed.path("steps").get(0).path("attempts").asInt(), "retried once: " + failed);

    HttpResponse<String> response = gate.get("/operations/" + id + "/result");

    JsonNode problem = assertOperationProblem(response, gate.base(), 504, "operation-failed", id);
    assertEquals("StepTimedOut", problem.path("error").path("code").asText(), problem::toString);
  }

  @Test
  void resultOfACanceledOperationIs409() {
    String id = submit("/held", "{}");
    gate.awaitStatus(id, "Running", FINISH_WITHIN);
    assertEquals(202, gate.post("/operations/" + id + "/cancel").statusCode());
    TestTypes.release(id);
    gate.awaitStatus(id, "Canceled", FINISH_WITHIN);

    HttpResponse<String> response = gate.get("/operations/" + id + "/result");

    JsonNode problem = assertOperationProblem(response, gate.base(), 409, "operation-canceled", id);
    assertEquals("OperationCanceled", problem.path("error").path("code").asText(), problem::toString);
  }

  @Test
  void resultOfAnUnknownOperationIs404() {
    String id = UUID.randomUUID().toString();

    assertOperationProblem(gate.get("/operations/" + id + "/result"), gate.base(), 404, "not-found", id);
  }
}
