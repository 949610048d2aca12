package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.FINISH_WITHIN;
import static io.asyncgate.support.ApiAssertions.assertOperationProblem;
import static io.asyncgate.support.TestHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.TestGate;
import io.asyncgate.support.TestTypes;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/API.md, "Other endpoints": {@code POST /operations/{id}/cancel} and {@code DELETE /operations/{id}}. */
class CancelAndDeleteApiTest {
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start(Catalogue.of(TestTypes.held()), "");
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  /** A held operation whose only step is running. */
  private static String runningOperation() {
    String id = TestTypes.submitHeld(gate);
    gate.awaitStatus(id, "Running", FINISH_WITHIN);
    return id;
  }

  @Test
  void cancelOfARunningOperationAnswers202RunningWithCancelRequestedThenItEndsCanceled() {
    String id = runningOperation();

    HttpResponse<String> response = gate.post("/operations/" + id + "/cancel");

    assertEquals(202, response.statusCode(), () -> describe(response));
    JsonNode doc = TestGate.json(response);
    assertEquals(id, doc.path("id").asText());
    assertEquals("Running", doc.path("status").asText(), doc::toString);
    assertTrue(doc.path("cancelRequested").asBoolean(), doc::toString);
    assertEquals("Running", gate.status(id).path("status").asText(), "the step is still running");

    TestTypes.release(id);
    JsonNode canceled = gate.awaitStatus(id, "Canceled", FINISH_WITHIN);
    assertEquals("Succeeded", canceled.path("steps").get(0).path("compensation").path("status").asText(),
        "the completed step was compensated: " + canceled);
  }

  @Test
  void cancelIsIdempotentWhileCancellingAndOnceCanceled() {
    String id = runningOperation();
    assertEquals(202, gate.post("/operations/" + id + "/cancel").statusCode());

    HttpResponse<String> again = gate.post("/operations/" + id + "/cancel");
    assertEquals(202, again.statusCode(), () -> describe(again));
    assertTrue(TestGate.json(again).path("cancelRequested").asBoolean(), again::body);

    TestTypes.release(id);
    gate.awaitStatus(id, "Canceled", FINISH_WITHIN);
    HttpResponse<String> afterwards = gate.post("/operations/" + id + "/cancel");
    assertEquals(202, afterwards.statusCode(), () -> describe(afterwards));
    assertEquals("Canceled", TestGate.json(afterwards).path("status").asText(), afterwards::body);
  }

  @Test
  void cancelRightAfterSubmitAnswers202RunningOrCanceledAndTheOrderEndsCanceled() {
    for (int i = 0; i < 10; i++) {
      String id = gate.submitOrder("Ada", 1);

      HttpResponse<String> response = gate.post("/operations/" + id + "/cancel");

      assertEquals(202, response.statusCode(), () -> describe(response));
      JsonNode doc = TestGate.json(response);
      // A NotStarted operation goes straight to Canceled; one that started reports Running until compensated.
      assertTrue(Set.of("Running", "Canceled").contains(doc.path("status").asText()), doc::toString);
      assertTrue(doc.path("cancelRequested").asBoolean(), doc::toString);
      gate.awaitStatus(id, "Canceled", FINISH_WITHIN);
    }
  }

  @Test
  void cancelOfASucceededOperationAnswers409() {
    String id = gate.submitOrder("Ada", 1);
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    HttpResponse<String> response = gate.post("/operations/" + id + "/cancel");

    assertOperationProblem(response, gate.base(), 409, "operation-finished", id);
    assertEquals("Succeeded", gate.status(id).path("status").asText());
  }

  @Test
  void cancelOfAFailedOperationAnswers409() {
    String id = gate.submitOrder("Bulk", 2000);
    gate.awaitStatus(id, "Failed", FINISH_WITHIN);

    HttpResponse<String> response = gate.post("/operations/" + id + "/cancel");

    assertOperationProblem(response, gate.base(), 409, "operation-finished", id);
    assertEquals("Failed", gate.status(id).path("status").asText());
  }

  @Test
  void cancelOfAnUnknownOperationAnswers404() {
    String id = UUID.randomUUID().toString();

    assertOperationProblem(gate.post("/operations/" + id + "/cancel"), gate.base(), 404, "not-found", id);
  }

  @Test
  void deleteOfARunningOperationCancelsIt() {
    String id = runningOperation();

    HttpResponse<String> response = gate.delete("/operations/" + id);

    assertEquals(202, response.statusCode(), () -> describe(response));
    assertTrue(TestGate.json(response).path("cancelRequested").asBoolean(), response::body);
    TestTypes.release(id);
    gate.awaitStatus(id, "Canceled", FINISH_WITHIN);
  }

  @Test
  void deleteOfATerminalOperationAnswers204ThenItsStatusAndResultAre410() {
    String id = gate.submitOrder("Ada", 1);
    gate.awaitStatus(id, "Succeeded", FINISH_WITHIN);

    HttpResponse<String> response = gate.delete("/operations/" + id);

    assertEquals(204, response.statusCode(), () -> describe(response));
    assertEquals("", response.body());
    // No wait: a client may read right after the 204.
    assertOperationProblem(gate.get("/operations/" + id), gate.base(), 410, "operation-purged", id);
    assertOperationProblem(gate.get("/operations/" + id + "?redirect=false"), gate.base(), 410, "operation-purged", id);
    assertOperationProblem(gate.get("/operations/" + id + "/result"), gate.base(), 410, "operation-purged", id);
    assertOperationProblem(gate.delete("/operations/" + id), gate.base(), 410, "operation-purged", id);
  }

  @Test
  void deleteOfAFailedOrCanceledOperationPurgesItToo() {
    String failed = gate.submitOrder("Bulk", 3000);
    String canceled = runningOperation();
    gate.post("/operations/" + canceled + "/cancel");
    TestTypes.release(canceled);
    gate.awaitStatus(failed, "Failed", FINISH_WITHIN);
    gate.awaitStatus(canceled, "Canceled", FINISH_WITHIN);

    for (String id : new String[] {failed, canceled}) {
      HttpResponse<String> response = gate.delete("/operations/" + id);

      assertEquals(204, response.statusCode(), () -> describe(response));
      assertOperationProblem(gate.get("/operations/" + id), gate.base(), 410, "operation-purged", id);
    }
  }

  @Test
  void deleteOfAnUnknownOperationAnswers404() {
    String id = UUID.randomUUID().toString();

    assertOperationProblem(gate.delete("/operations/" + id), gate.base(), 404, "not-found", id);
  }
}
