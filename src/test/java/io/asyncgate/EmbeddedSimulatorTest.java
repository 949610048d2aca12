package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.GateProcess;
import io.asyncgate.support.TestGate;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code asyncgate.simulator.enabled = true}: the node serves the downstream simulator next to its API. */
class EmbeddedSimulatorTest {
  @Test
  void aNodeWithTheSimulatorEnabledServesItOnItsOwnPort() {
    int port = GateProcess.freePort();
    try (TestGate gate = TestGate.start(Catalogue.of(),
        "asyncgate.simulator { enabled = true, port = " + port + " }")) {
      String simulator = "http://127.0.0.1:" + port;

      HttpResponse<String> health = gate.get(simulator + "/health");
      HttpResponse<String> reservation = gate.send(HttpRequest.newBuilder(URI.create(simulator + "/inventory/reservations"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"orderId\":\"o-1\",\"items\":[{\"name\":\"widget\",\"quantity\":1}]}"))
          .build());

      assertEquals(200, health.statusCode(), health::body);
      assertEquals(201, reservation.statusCode(), reservation::body);
      assertEquals(200, gate.get("/health/ready").statusCode(), "the node itself still serves its API");
    }
  }
}
