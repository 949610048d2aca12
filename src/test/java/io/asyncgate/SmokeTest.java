package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncgate.support.TestGate;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void anOrderSucceeds() {
    try (TestGate gate = TestGate.start()) {
      String id = gate.submitOrder("Ada", 2);
      assertEquals("Succeeded", gate.awaitTerminal(id, Duration.ofSeconds(20)).get("status").asText());
    }
  }
}
