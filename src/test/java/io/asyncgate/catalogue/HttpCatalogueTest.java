package io.asyncgate.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Start-up checks of operation types whose steps are HTTP calls, fan-outs, result templates and schema files. */
class HttpCatalogueTest {
  private static final String URL = "http://127.0.0.1:8090";

  private static Config withOperations(String operations) {
    Config file = ConfigFactory.parseString("asyncgate.operations { " + operations + " }",
        ConfigParseOptions.defaults().setOriginDescription("test.conf"));
    return file.withFallback(ConfigFactory.parseResources("asyncgate.conf")).resolve();
  }

  /** A type {@code a} on {@code POST /a/{id}} with the given steps (and more keys). */
  private static String type(String steps) {
    return "a { route = \"POST /a/{id}\", steps = [" + steps + "] }";
  }

  private static String failure(String operations) {
    String message = assertThrows(CatalogueException.class, () -> Catalogue.fromConfig(withOperations(operations))).getMessage();
    assertTrue(message.contains("asyncgate.operations.a") && message.contains("test.conf"), message);
    return message;
  }

  private static void assertMentions(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "'" + part + "' missing in: " + message);
    }
  }

  @Test
  void aWellFormedHttpTypeLoadsAndItsCompensationMayUseTheStepsOwnOutput() {
    Catalogue catalogue = Catalogue.fromConfig(withOperations(type(
        "{ name = reserve, http { url = \"" + URL + "/reservations/{path.id}\", headers { X-Customer = \"{body/customer}\" },"
            + " success = [201] }, compensation { method = DELETE, url = \"" + URL + "/reservations/{steps.reserve/id}\" } },"
            + "{ name = notify, http { url = \"" + URL + "/notify\", body { reservation = \"{steps.reserve}\" } } }")));

    OperationType a = catalogue.type("a").orElseThrow();
    assertTrue(a.steps().get(0).compensable());
    assertEquals(false, a.steps().get(1).compensable());
  }

  @Test
  void anUnknownKeyInAnHttpBlockIsNamed() {
    assertMentions(failure(type("{ name = s, http { url = \"" + URL + "\", methd = GET } }")),
        "steps[0]", "http: unknown key 'methd'", "method");
  }

  @Test
  void unknownKeysOfFanOutsAndResultsAndHeadersAsyncgateSetsAreRefused() {
    assertMentions(failure(type("{ name = s, fan-out { items = \"{body}\", paralelism = 2, http { url = \"" + URL + "\" } } }")),
        "fan-out: unknown key 'paralelism'", "parallelism");
    assertMentions(failure(type("{ name = s, http { url = \"" + URL + "\" } }")
            .replace("] }", "], result { kind = template, step = s } }")),
        "result: unknown key 'step'", "template");
    assertMentions(failure(type("{ name = s, http { url = \"" + URL + "\", headers { Idempotency-Key = x } } }")),
        "asyncgate sets Idempotency-Key itself");
  }

  @Test
  void anUnknownPlaceholderIsNamedWithTheFormsThatExist() {
    assertMentions(failure(type("{ name = s, http { url = \"" + URL + "/{reqestId}\" } }")),
        "http.url", "unknown placeholder {reqestId}", "{requestId}");
  }

  @Test
  void aPathPlaceholderMustNameAParameterOfTheRoute() {
    assertMentions(failure(type("{ name = s, http { url = \"" + URL + "/{path.userId}\" } }")),
        "{path.userId} names no parameter of the route", "[id]");
  }

  @Test
  void aStepMayOnlyReferToEarlierSteps() {
    assertMentions(failure(type(
        "{ name = first, http { url = \"" + URL + "/{steps.second/id}\" } }, { name = second, http { url = \"" + URL + "\" } }")),
        "steps[0]", "{steps.second/id} must name an earlier step");
    assertMentions(failure(type("{ name = s, http { url = \"" + URL + "\" } }")
        .replace("] }", "], result { kind = template, template { x = \"{steps.nope}\" } } }")),
        "result", "{steps.nope} must name a step of this operation type");
  }

  @Test
  void anItemPlaceholderExistsOnlyInsideAFanOut() {
    assertMentions(failure(type("{ name = s, http { url = \"" + URL + "/{item/id}\" } }")),
        "{item/id} exists only inside a fan-out");
  }

  @Test
  void fanOutItemsMustBeOnePlaceholder() {
    assertMentions(failure(type("{ name = s, fan-out { items = \"devices: {body/devices}\", http { url = \"" + URL + "/{item}\" } } }")),
        "fan-out.items", "exactly one placeholder");
  }

  @Test
  void aBadMethodABadUrlAndNonIntegerSuccessCodesAreRefused() {
    assertMentions(failure(type("{ name = s, http { method = FETCH, url = \"" + URL + "\" } }")),
        "http.method", "'FETCH' is not supported", "DELETE");
    assertMentions(failure(type("{ name = s, http { url = \"127.0.0.1:8090/x\" } }")),
        "http.url", "not an absolute http(s) URL");
    assertMentions(failure(type("{ name = s, http { url = \"" + URL + "\", success = [ok] } }")), "success");
  }

  @Test
  void aStepDoesItsWorkInExactlyOneWay() {
    assertMentions(failure(type("{ name = s }")), "exactly one of [class, http, fan-out]", "none");
    assertMentions(failure(type("{ name = s, class = \"io.asyncgate.catalogue.GreetingStep\", http { url = \"" + URL + "\" } }")),
        "exactly one of", "[class, http]");
  }

  @Test
  void aSchemaThatIsNotAJsonSchemaStopsTheStartNamingTheKeyword() {
    assertMentions(failure("a { route = \"POST /a\", body-schema { type = object, properties { n { type = 12 } }, required = x },"
            + " steps = [{ name = s, http { url = \"" + URL + "\" } }] }"),
        "body-schema", "not a valid JSON Schema", "/properties/n/type", "/required");
  }

  @Test
  void aBodySchemaFileIsReadRelativeToTheFileDeclaringIt() throws IOException {
    Path dir = Files.createTempDirectory("catalogue");
    Files.createDirectories(dir.resolve("schemas"));
    Files.writeString(dir.resolve("schemas/order.json"), "{\"type\": \"object\", \"required\": [\"customer\"]}");
    Path conf = dir.resolve("operations.conf");
    Files.writeString(conf, "asyncgate.operations.a { route = \"POST /a\", body-schema-file = \"schemas/order.json\","
        + " steps = [{ name = s, http { url = \"" + URL + "\" } }] }");
    Config config = ConfigFactory.parseFile(conf.toFile()).withFallback(ConfigFactory.parseResources("asyncgate.conf")).resolve();

    RequestValidator validator = Catalogue.fromConfig(config).type("a").orElseThrow().validator();

    assertEquals("/customer", validator.validateBody(io.asyncgate.json.Json.object()).get(0).pointer());
    Files.delete(dir.resolve("schemas/order.json"));
    String message = assertThrows(CatalogueException.class, () -> Catalogue.fromConfig(config)).getMessage();
    assertMentions(message, "body-schema-file", "cannot read schemas/order.json", "operations.conf");
  }
}
