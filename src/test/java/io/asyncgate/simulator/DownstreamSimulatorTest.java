package io.asyncgate.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.ApiAssertions;
import io.asyncgate.support.RunningSimulator;
import io.asyncgate.support.TestGate;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulated services over real HTTP, without latency or injected failures. */
class DownstreamSimulatorTest {
  private static RunningSimulator simulator;

  @BeforeAll
  static void start() {
    simulator = RunningSimulator.start();
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  private static String reservation(String orderId, int quantity) {
    return "{\"orderId\":\"" + orderId + "\",\"items\":[{\"name\":\"widget\",\"quantity\":" + quantity + "}]}";
  }

  private static String payment(String orderId, int quantity) {
    return "{\"orderId\":\"" + orderId + "\",\"customer\":\"alice\",\"items\":[{\"name\":\"widget\",\"quantity\":" + quantity + "}]}";
  }

  /** The simulator's problems are told apart by their title; their type is a URN of its own. */
  private static void assertSimulatorProblem(HttpResponse<String> response, int status, String title) {
    JsonNode problem = ApiAssertions.assertProblem(response, status);
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(title, problem.get("title").asText());
    assertTrue(problem.get("type").asText().startsWith(Reply.PROBLEM_TYPE_PREFIX), problem::toString);
  }

  @Test
  void reservingReturnsTheReservationWithItsLocation() {
    String orderId = UUID.randomUUID().toString();

    HttpResponse<String> created = simulator.postJson("/inventory/reservations", reservation(orderId, 3));

    assertEquals(201, created.statusCode(), created::body);
    JsonNode body = TestGate.json(created);
    String id = body.get("reservationId").asText();
    assertEquals(orderId, body.get("orderId").asText());
    assertEquals(3, body.get("items").get(0).get("quantity").asInt());
    assertEquals("/inventory/reservations/" + id, created.headers().firstValue("Location").orElseThrow());
    assertEquals(body, TestGate.json(simulator.get("/inventory/reservations/" + id)));
  }

  @Test
  void sameIdempotencyKeyTwiceGivesTheFirstResponseAndReservesOnce() {
    String key = UUID.randomUUID() + ":reserve";
    String body = reservation(UUID.randomUUID().toString(), 2);
    long reservedBefore = simulator.stat("inventory.reserved");

    HttpResponse<String> first = simulator.send(simulator.postJsonRequest("/inventory/reservations", body).header("Idempotency-Key", key));
    HttpResponse<String> second = simulator.send(simulator.postJsonRequest("/inventory/reservations", body).header("Idempotency-Key", key));

    assertEquals(201, first.statusCode(), first::body);
    assertEquals(201, second.statusCode(), second::body);
    assertEquals(first.body(), second.body());
    assertEquals(first.headers().firstValue("Location"), second.headers().firstValue("Location"));
    assertEquals(reservedBefore + 1, simulator.stat("inventory.reserved"));
  }

  @Test
  void requestsWithoutAnIdempotencyKeyEachTakeEffect() {
    String body = reservation(UUID.randomUUID().toString(), 2);

    String first = TestGate.json(simulator.postJson("/inventory/reservations", body)).get("reservationId").asText();
    String second = TestGate.json(simulator.postJson("/inventory/reservations", body)).get("reservationId").asText();

    assertNotEquals(first, second);
  }

  @Test
  void anIdempotencyKeyReusedForAnotherRequestIsRefusedWithoutEffect() {
    String key = UUID.randomUUID().toString();
    simulator.send(simulator.postJsonRequest("/inventory/reservations", reservation("o-1", 1)).header("Idempotency-Key", key));
    long reserved = simulator.stat("inventory.reserved");

    HttpResponse<String> otherBody = simulator.send(
        simulator.postJsonRequest("/inventory/reservations", reservation("o-2", 1)).header("Idempotency-Key", key));
    HttpResponse<String> otherPath = simulator.send(simulator.postJsonRequest("/shipments", "{\"orderId\":\"o-1\"}").header("Idempotency-Key", key));

    assertSimulatorProblem(otherBody, 422, "IdempotencyKeyReused");
    assertTrue(TestGate.json(otherBody).get("detail").asText().contains("another body"), otherBody::body);
    assertSimulatorProblem(otherPath, 422, "IdempotencyKeyReused");
    assertTrue(TestGate.json(otherPath).get("detail").asText().contains("POST /inventory/reservations"), otherPath::body);
    assertEquals(reserved, simulator.stat("inventory.reserved"));
  }

  @Test
  void releasingAReservationIsIdempotent() {
    String id = TestGate.json(simulator.postJson("/inventory/reservations", reservation("o-3", 1))).get("reservationId").asText();
    long released = simulator.stat("inventory.released");

    HttpResponse<String> first = simulator.delete("/inventory/reservations/" + id);
    HttpResponse<String> again = simulator.delete("/inventory/reservations/" + id);

    assertEquals(204, first.statusCode(), first::body);
    assertEquals(204, again.statusCode(), again::body);
    assertSimulatorProblem(simulator.get("/inventory/reservations/" + id), 404, "NotFound");
    assertEquals(released + 1, simulator.stat("inventory.released"));
  }

  @Test
  void aReservationWithoutItemsIsABadRequest() {
    HttpResponse<String> response = simulator.postJson("/inventory/reservations", "{\"orderId\":\"o-4\",\"items\":[]}");

    assertSimulatorProblem(response, 400, "InvalidRequest");
    assertTrue(TestGate.json(response).get("detail").asText().contains("items"), response::body);
  }

  @Test
  void paymentChargesTenPerUnit() {
    HttpResponse<String> response = simulator.postJson("/payments", payment("o-5", 1000));

    assertEquals(201, response.statusCode(), response::body);
    JsonNode body = TestGate.json(response);
    assertTrue(response.body().contains("\"amount\":10000.00"), response::body);
    assertTrue(body.get("paymentId").asText().startsWith("pay-"));
    assertEquals(204, simulator.delete("/payments/" + body.get("paymentId").asText()).statusCode());
  }

  @Test
  void paymentOfMoreThanAThousandUnitsIsDeclinedWithProblemDetails() {
    long charged = simulator.stat("payments.charged");

    HttpResponse<String> response = simulator.postJson("/payments", payment("o-6", 1001));

    assertSimulatorProblem(response, 422, "PaymentDeclined");
    JsonNode problem = TestGate.json(response);
    assertEquals(Reply.PROBLEM_TYPE_PREFIX + "payment-declined", problem.get("type").asText());
    assertTrue(problem.get("detail").asText().contains("1001 units"), problem::toString);
    assertEquals(charged, simulator.stat("payments.charged"));
  }

  @Test
  void paymentOfAnAmountOverTheLimitIsDeclined() {
    HttpResponse<String> response = simulator.postJson("/payments", "{\"orderId\":\"o-7\",\"customer\":\"bob\",\"amount\":10000.01}");

    assertSimulatorProblem(response, 422, "PaymentDeclined");
  }

  @Test
  void shipmentHasATrackingNumberAndCanBeCanceledTwice() {
    HttpResponse<String> response = simulator.postJson("/shipments", "{\"orderId\":\"o-8\"}");

    assertEquals(201, response.statusCode(), response::body);
    JsonNode shipment = TestGate.json(response);
    assertTrue(shipment.get("trackingNumber").asText().startsWith("TRK"), shipment::toString);
    assertTrue(shipment.has("estimatedDelivery"), shipment::toString);
    String path = "/shipments/" + shipment.get("shipmentId").asText();
    assertEquals(204, simulator.delete(path).statusCode());
    assertEquals(204, simulator.delete(path).statusCode());
  }

  @Test
  void deviceListingIsDeterministicPerUser() {
    List<Integer> sizes = new ArrayList<>();
    for (String user : List.of("ann", "ben", "cid", "dee", "eve", "fay")) {
      JsonNode first = TestGate.json(simulator.get("/users/" + user + "/devices"));
      assertEquals(first, TestGate.json(simulator.get("/users/" + user + "/devices")));
      assertEquals(user + "-phone", first.get("devices").get(0).get("id").asText());
      sizes.add(first.get("devices").size());
    }
    assertTrue(sizes.contains(2) && sizes.contains(3), "some users have 2 devices, some 3: " + sizes);
  }

  @Test
  void aDeletedDeviceLeavesTheListingUntilRestored() {
    String user = "u-" + UUID.randomUUID();
    String phone = user + "-phone";

    assertEquals(204, simulator.delete("/devices/" + phone).statusCode());
    assertEquals(204, simulator.delete("/devices/" + phone).statusCode());
    assertTrue(simulator.get("/users/" + user + "/devices").body().indexOf(phone) < 0);
    assertEquals(204, simulator.postJson("/devices/" + phone + "/restore", "").statusCode());
    assertTrue(simulator.get("/users/" + user + "/devices").body().contains(phone));
    assertEquals(204, simulator.delete("/users/" + user).statusCode());
  }

  @Test
  void aLockedUsersLockedDeviceRefusesDeletionForGood() {
    String user = "locked-" + UUID.randomUUID();
    JsonNode devices = TestGate.json(simulator.get("/users/" + user + "/devices")).get("devices");
    String locked = devices.get(devices.size() - 1).get("id").asText();

    assertEquals(user + "-locked", locked);
    assertSimulatorProblem(simulator.delete("/devices/" + locked), 409, "DeviceLocked");
    assertSimulatorProblem(simulator.delete("/devices/" + locked), 409, "DeviceLocked");
    assertEquals(204, simulator.delete("/devices/" + user + "-phone").statusCode());
  }

  @Test
  void aReportIsACsvAttachmentGeneratedFromNameAndRows() {
    HttpResponse<String> created = simulator.postJson("/reports", "{\"name\":\"q3-sales\",\"rows\":5}");

    assertEquals(201, created.statusCode(), created::body);
    String location = TestGate.json(created).get("location").asText();
    assertTrue(location.startsWith(simulator.uri("/reports/").toString()), location);
    HttpResponse<String> csv = simulator.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(location)).GET());
    assertEquals(200, csv.statusCode(), csv::body);
    assertEquals("text/csv; charset=UTF-8", csv.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("attachment; filename=\"q3-sales.csv\"", csv.headers().firstValue("Content-Disposition").orElseThrow());
    List<String> lines = csv.body().lines().toList();
    assertEquals(6, lines.size(), csv::body);
    assertEquals("row,item,quantity", lines.get(0));
    assertTrue(lines.get(5).startsWith("5,q3-sales-5,"), lines.get(5));

    String sameAgain = TestGate.json(simulator.postJson("/reports", "{\"name\":\"q3-sales\",\"rows\":5}")).get("location").asText();
    assertEquals(csv.body(), simulator.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sameAgain)).GET()).body());
  }

  @Test
  void aReportNameMustBeUsableAsAFileName() {
    assertSimulatorProblem(simulator.postJson("/reports", "{\"name\":\"../etc\",\"rows\":5}"), 400, "InvalidRequest");
    assertSimulatorProblem(simulator.get("/reports/rep-unknown"), 404, "NotFound");
  }

  @Test
  void unknownRoutesAndMethodsAreProblems() {
    assertSimulatorProblem(simulator.get("/nowhere"), 404, "NotFound");
    HttpResponse<String> wrongMethod = simulator.get("/payments");
    assertSimulatorProblem(wrongMethod, 405, "MethodNotAllowed");
    assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
    assertSimulatorProblem(simulator.postJson("/shipments", "{not json"), 400, "InvalidRequest");
  }

  @Test
  void healthAnswersOk() {
    HttpResponse<String> health = simulator.get("/health");

    assertEquals(200, health.statusCode());
    assertEquals("up", TestGate.json(health).get("status").asText());
  }
}
