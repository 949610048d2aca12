package io.asyncgate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncgate.TestGate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HealthApiTest {
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start();
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  @Test
  void aliveAndReadyOnceTheNodeIsUpAndTheDatabaseAnswers() {
    assertEquals(200, gate.get("/health/alive").statusCode());
    var ready = gate.get("/health/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals("ready", ready.body());
  }
}
