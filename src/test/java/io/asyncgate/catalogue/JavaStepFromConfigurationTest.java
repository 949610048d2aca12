package io.asyncgate.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncgate.support.TestGate;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A step declared by its Java class in configuration runs with its settings, next to HTTP steps. */
class JavaStepFromConfigurationTest {
  @Test
  void aJavaStepNamedInConfigurationRunsWithItsSettings() {
    try (TestGate gate = TestGate.start(Catalogue.of(),
        "asyncgate.operations.greetings { route = \"POST /greetings\", "
            + "steps = [{ name = greet, class = \"io.asyncgate.catalogue.GreetingStep\", settings.greeting = Bonjour }] }")) {
      HttpResponse<String> submit = gate.postJson("/greetings", "{\"name\":\"Ada\"}");
      assertEquals(202, submit.statusCode(), submit.body());
      String id = TestGate.json(submit).path("id").asText();

      gate.awaitStatus(id, "Succeeded", Duration.ofSeconds(30));
      HttpResponse<String> result = gate.get("/operations/" + id + "/result");

      assertEquals(200, result.statusCode(), result.body());
      assertEquals("Bonjour, Ada!", TestGate.json(result).path("greeting").asText());
    }
  }
}
