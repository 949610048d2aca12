package io.asyncgate.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.TestGate;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A read right after a change shows the change, although the view is updated asynchronously:
 * reads add the journal's events that the view has not applied yet.
 */
class ReadYourWritesTest {
  private static TestGate gate;

  @BeforeAll
  static void start() {
    // Slow steps: the operations are still running when the tests cancel them.
    gate = TestGate.start(Catalogue.of(), "asyncgate.simulator.latency = 2s");
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  @Test
  void aCancelIsVisibleToTheVeryNextStatusRead() {
    for (int i = 0; i < 5; i++) {
      String id = gate.submitOrder("ryw-cancel-" + i, 1);
      HttpResponse<String> cancel = gate.post("/operations/" + id + "/cancel");
      assertEquals(202, cancel.statusCode(), cancel.body());
      JsonNode status = gate.status(id);
      assertTrue(status.path("cancelRequested").asBoolean(), status.toString());
    }
  }

  @Test
  void aPurgedOperationIsGoneForTheVeryNextRead() {
    String id = gate.submitOrder("ryw-purge", 1001); // declined: Failed after the first two steps
    gate.awaitTerminal(id, Duration.ofSeconds(30));
    assertEquals(204, gate.delete("/operations/" + id).statusCode());
    HttpResponse<String> status = gate.get("/operations/" + id);
    assertEquals(410, status.statusCode(), status.body());
    assertEquals(410, gate.get("/operations/" + id + "/result").statusCode());
  }

  @Test
  void onceAStatusReadSaysTerminalTheResultSaysSoToo() {
    for (int i = 0; i < 3; i++) {
      String id = gate.submitOrder("ryw-monotonic-" + i, 1001);
      gate.awaitTerminal(id, Duration.ofSeconds(30));
      HttpResponse<String> result = gate.get("/operations/" + id + "/result");
      assertEquals(422, result.statusCode(), result.body());
    }
  }
}
