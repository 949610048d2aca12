package io.asyncgate.step.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.json.Json;
import io.asyncgate.support.StubDownstream;
import io.asyncgate.support.StubDownstream.Answer;
import io.asyncgate.support.StubDownstream.Seen;
import io.asyncgate.support.TestGate;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The complete example of docs/operation-types.md, exactly as written there, runs against a stub
 * downstream.
 */
class OperationTypesDocTest {
  private static final Path DOC = Path.of("docs/operation-types.md");
  private static final String DOC_DOWNSTREAM = "http://127.0.0.1:8090";

  /** The HOCON between the example markers, without its code fence. */
  static String example() throws IOException {
    String doc = Files.readString(DOC);
    String block = doc.substring(doc.indexOf("<!-- example:start -->"), doc.indexOf("<!-- example:end -->"));
    return block.substring(block.indexOf("```hocon") + "```hocon".length(), block.lastIndexOf("```"));
  }

  @Test
  void theDocumentedExampleTakesAnOrderThroughItsThreeSteps() throws IOException {
    try (StubDownstream downstream = new StubDownstream();
         TestGate gate = TestGate.start(Catalogue.of(), example().replace(DOC_DOWNSTREAM, downstream.base()))) {
      downstream.script("POST /inventory/reservations", Answer.json(201, "{\"reservationId\": \"r1\"}"));
      downstream.script("POST /payments", Answer.json(200, "{\"paymentId\": \"p1\"}"));
      downstream.script("POST /warehouses/picks", Answer.json(200, "{\"picked\": true}"));

      HttpResponse<String> accepted = gate.postJson("/shop/orders",
          "{\"customer\": \"Ada\", \"items\": [{\"sku\": \"A1\", \"quantity\": 2}, {\"sku\": \"B2\", \"quantity\": 1}]}");
      assertEquals(202, accepted.statusCode(), accepted::body);
      String id = TestGate.json(accepted).path("id").asText();
      gate.awaitStatus(id, "Succeeded", Duration.ofSeconds(40));
      JsonNode result = TestGate.json(gate.get("/operations/" + id + "/result"));

      assertEquals(id, result.path("orderId").asText(), result::toString);
      assertEquals("p1", result.path("payment").asText(), result::toString);
      assertEquals(2, result.path("picks").size(), result::toString);
      Seen charge = downstream.seen("POST", "/payments").get(0);
      assertEquals("Ada", charge.header("X-Customer"));
      assertEquals("{\"customer\":\"Ada\",\"reservation\":\"r1\"}", charge.body());
      List<Seen> picks = downstream.seen("POST", "/warehouses/picks");
      assertEquals(2, picks.size());
      JsonNode firstPick = Json.MAPPER.readTree("{\"order\": \"" + id + "\", \"sku\": \"A1\", \"quantity\": 2}");
      assertTrue(picks.stream().anyMatch(p -> Json.read(p.body(), JsonNode.class).equals(firstPick)
          && p.header("Idempotency-Key").equals(id + ":pick-items:0")), picks::toString);
      assertEquals(400, gate.postJson("/shop/orders", "{\"customer\": \"Ada\", \"items\": []}").statusCode());
    }
  }
}
