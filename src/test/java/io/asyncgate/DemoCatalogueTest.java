package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.TestGate;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo types of the root application.conf, as a newcomer runs them: HTTP steps against the
 * node's embedded simulator, each outcome checked in what asyncgate answers and in the simulated
 * services' state. The tests run one after another, so each compares the simulator's counters
 * before and after its own operation.
 */
class DemoCatalogueTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start(Catalogue.of(), "asyncgate.simulator.latency = 20ms");
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  @Test
  void anOrderIsReservedChargedAndShippedAndItsConfirmationComposedFromTheirAnswers() {
    JsonNode before = stats();
    String id = gate.submitOrder("Ada", 3);

    gate.awaitStatus(id, "Succeeded", WITHIN);
    HttpResponse<String> result = gate.get("/operations/" + id + "/result");

    assertEquals(200, result.statusCode(), result.body());
    JsonNode confirmation = TestGate.json(result);
    assertEquals(id, confirmation.path("orderId").asText());
    assertEquals("confirmed", confirmation.path("status").asText());
    assertEquals("Ada", confirmation.path("customer").asText());
    // The simulator charges 10.00 per unit; the amount reaches the client with its scale.
    assertTrue(result.body().contains("\"amount\":30.00"), result::body);
    assertEquals("EUR", confirmation.path("payment").path("currency").asText());
    assertTrue(confirmation.path("shipment").path("trackingNumber").asText().startsWith("TRK"), confirmation::toString);
    HttpResponse<String> reservation = gate.get(gate.simulator() + "/inventory/reservations/"
        + confirmation.path("reservationId").asText());
    assertEquals(200, reservation.statusCode(), "the reservation is kept: " + reservation.body());
    assertEquals(id, TestGate.json(reservation).path("orderId").asText());
    JsonNode after = stats();
    assertEquals(1, increase(before, after, "payments.charged"));
    assertEquals(1, increase(before, after, "shipments.created"));
  }

  @Test
  void anOrderOfMoreThanAThousandUnitsIsDeclinedAndItsReservationReleased() {
    JsonNode before = stats();
    String id = gate.submitOrder("Bob", 1500);

    JsonNode status = gate.awaitTerminal(id, WITHIN);

    assertEquals("Failed", status.path("status").asText(), status::toString);
    JsonNode error = status.path("error");
    assertEquals("DownstreamRejected", error.path("code").asText(), status::toString);
    assertEquals("PaymentDeclined", error.path("innererror").path("code").asText(), status::toString);
    assertTrue(error.path("innererror").path("message").asText().contains("1500 units"), status::toString);
    JsonNode reserve = status.path("steps").get(0);
    assertEquals("reserve-inventory", reserve.path("name").asText());
    assertEquals("Succeeded", reserve.path("compensation").path("status").asText(), status::toString);
    JsonNode after = stats();
    assertEquals(1, increase(before, after, "inventory.reserved"));
    assertEquals(1, increase(before, after, "inventory.released"), "the reservation is released in the inventory service");
    assertEquals(1, increase(before, after, "payments.declined"));
    assertEquals(0, increase(before, after, "payments.charged"));
    assertEquals(0, increase(before, after, "shipments.created"));
    HttpResponse<String> result = gate.get("/operations/" + id + "/result");
    assertEquals(422, result.statusCode(), result.body());
  }

  @Test
  void aFileIsStreamedFromTheReportServiceWithItsTypeAndName() {
    HttpResponse<String> submit = gate.postJson("/files", "{\"name\":\"q3-report\",\"rows\":3}");
    assertEquals(202, submit.statusCode(), submit.body());
    String id = TestGate.json(submit).path("id").asText();

    gate.awaitStatus(id, "Succeeded", WITHIN);
    HttpResponse<String> file = gate.get("/operations/" + id + "/result");

    assertEquals(200, file.statusCode(), file.body());
    assertEquals("text/csv; charset=UTF-8", file.headers().firstValue("Content-Type").orElse(""));
    assertEquals("attachment; filename=\"q3-report.csv\"", file.headers().firstValue("Content-Disposition").orElse(""));
    List<String> lines = file.body().lines().toList();
    assertEquals(4, lines.size(), file.body());
    assertEquals("row,item,quantity", lines.get(0));
    assertTrue(lines.get(3).startsWith("3,q3-report-3,"), file.body());
  }

  @Test
  void deletingAUserDeletesEachOfTheirDevicesThenTheUser() {
    List<String> devices = deviceIds("ada");
    JsonNode before = stats();

    String id = deleteUser("ada");
    gate.awaitStatus(id, "Succeeded", WITHIN);

    assertEquals(List.of(), deviceIds("ada"));
    JsonNode after = stats();
    assertEquals(devices.size(), increase(before, after, "devices.deleted"));
    assertEquals(1, increase(before, after, "users.deleted"));
    JsonNode result = TestGate.json(gate.get("/operations/" + id + "/result"));
    assertEquals("ada", result.path("userId").asText());
    assertEquals(devices.size(), result.path("deletedDevices").size(), result::toString);
  }

  @Test
  void aDeviceThatRefusesFailsTheDeletionAndTheDevicesAlreadyDeletedAreRestored() {
    List<String> devices = deviceIds("locked-bob");
    assertTrue(devices.contains("locked-bob-locked"), devices::toString);
    JsonNode before = stats();

    JsonNode status = gate.awaitTerminal(deleteUser("locked-bob"), WITHIN);

    assertEquals("Failed", status.path("status").asText(), status::toString);
    assertEquals("FanOutItemsFailed", status.path("error").path("code").asText(), status::toString);
    assertTrue(status.path("error").path("message").asText().contains("locked-bob-locked answered 409 Conflict (DeviceLocked: "),
        status::toString);
    assertEquals(devices, deviceIds("locked-bob"), "every device is back");
    JsonNode after = stats();
    int deletable = devices.size() - 1;
    assertEquals(deletable, increase(before, after, "devices.deleted"));
    assertEquals(deletable, increase(before, after, "devices.restored"));
    assertEquals(0, increase(before, after, "users.deleted"));
  }

  private static String deleteUser(String userId) {
    HttpResponse<String> submit = gate.delete("/users/" + userId);
    assertEquals(202, submit.statusCode(), submit.body());
    return TestGate.json(submit).path("id").asText();
  }

  private static List<String> deviceIds(String userId) {
    HttpResponse<String> response = gate.get(gate.simulator() + "/users/" + userId + "/devices");
    assertEquals(200, response.statusCode(), response.body());
    List<String> ids = new ArrayList<>();
    TestGate.json(response).path("devices").forEach(device -> ids.add(device.path("id").asText()));
    return ids;
  }

  private static JsonNode stats() {
    HttpResponse<String> response = gate.get(gate.simulator() + "/stats");
    assertEquals(200, response.statusCode(), response.body());
    return TestGate.json(response);
  }

  private static long increase(JsonNode before, JsonNode after, String counter) {
    return after.path(counter).asLong() - before.path(counter).asLong();
  }
}
