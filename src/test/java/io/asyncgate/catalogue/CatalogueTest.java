package io.asyncgate.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.Settings;
import io.asyncgate.step.StepDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogueTest {
  private static final String STEP = "io.asyncgate.catalogue.GreetingStep";

  private static Config withOperations(String operations) {
    Config file = ConfigFactory.parseString("asyncgate.operations { " + operations + " }",
        com.typesafe.config.ConfigParseOptions.defaults().setOriginDescription("test.conf"));
    return file.withFallback(ConfigFactory.parseResources("asyncgate.conf")).resolve();
  }

  private static String failure(String operations) {
    return assertThrows(CatalogueException.class, () -> Catalogue.fromConfig(withOperations(operations))).getMessage();
  }

  @Test
  void theDefaultApplicationConfDeclaresTheThreeDemoTypes() {
    Catalogue catalogue = Catalogue.fromConfig(Settings.load(ConfigFactory.empty(), Map.of()));
    assertEquals("POST /orders", catalogue.type("orders").orElseThrow().route().toString());
    assertEquals("POST /files", catalogue.type("files").orElseThrow().route().toString());
    assertEquals("DELETE /users/{userId}", catalogue.type("users").orElseThrow().route().toString());
    assertEquals(List.of("reserve-inventory", "charge-payment", "ship-order"),
        catalogue.type("orders").orElseThrow().steps().stream().map(StepDefinition::name).toList());
    assertTrue(catalogue.type("orders").orElseThrow().steps().get(0).compensable());
    assertEquals(List.of("create-report"),
        catalogue.type("files").orElseThrow().steps().stream().map(StepDefinition::name).toList());
    assertEquals(List.of("list-devices", "delete-devices", "delete-user"),
        catalogue.type("users").orElseThrow().steps().stream().map(StepDefinition::name).toList());
  }

  @Test
  void matchesMethodAndPathAndExtractsPathParameters() {
    Catalogue catalogue = Catalogue.fromConfig(withOperations(
        "users { route = \"DELETE /users/{userId}\", steps = [{ name = a, class = \"" + STEP + "\" }] }"));
    Catalogue.Found found = assertInstanceOf(Catalogue.Found.class, catalogue.match("DELETE", List.of("users", "u%2F1")));
    assertEquals(Map.of("userId", "u/1"), found.pathParams());
    Catalogue.MethodNotAllowed notAllowed =
        assertInstanceOf(Catalogue.MethodNotAllowed.class, catalogue.match("POST", List.of("users", "u1")));
    assertEquals(java.util.Set.of("DELETE"), notAllowed.allowed());
    assertInstanceOf(Catalogue.NoRoute.class, catalogue.match("DELETE", List.of("users")));
  }

  @Test
  void anUnknownKeyIsNamedWithTheFileAndTheKeysThatAreAllowed() {
    String message = failure("orders { route = \"POST /orders\", stpes = [], steps = [{ name = a, class = \"" + STEP + "\" }] }");
    assertTrue(message.contains("asyncgate.operations.orders"), message);
    assertTrue(message.contains("test.conf"), message);
    assertTrue(message.contains("unknown key 'stpes'"), message);
    assertTrue(message.contains("steps"), message);
  }

  @Test
  void aBadRouteTemplateSaysWhatARouteLooksLike() {
    String message = failure("orders { route = \"POST orders\", steps = [{ name = a, class = \"" + STEP + "\" }] }");
    assertTrue(message.contains("must start with /"), message);
    message = failure("orders { route = \"GET /orders\", steps = [{ name = a, class = \"" + STEP + "\" }] }");
    assertTrue(message.contains("POST, PUT or DELETE"), message);
    message = failure("orders { route = \"POST /operations/x\", steps = [{ name = a, class = \"" + STEP + "\" }] }");
    assertTrue(message.contains("asyncgate serves itself"), message);
  }

  @Test
  void twoTypesOnTheSameRouteAreRefused() {
    String message = failure(
        "a { route = \"DELETE /users/{id}\", steps = [{ name = s, class = \"" + STEP + "\" }] }\n"
            + "b { route = \"DELETE /users/{userId}\", steps = [{ name = s, class = \"" + STEP + "\" }] }");
    assertTrue(message.contains("take the same requests"), message);
  }

  @Test
  void aStepClassThatDoesNotExistOrIsNotAStepIsNamed() {
    String message = failure("a { route = \"POST /a\", steps = [{ name = s, class = \"com.example.Nope\" }] }");
    assertTrue(message.contains("com.example.Nope is not on the classpath"), message);
    assertTrue(message.contains("steps[0]"), message);
    message = failure("a { route = \"POST /a\", steps = [{ name = s, class = \"java.lang.String\" }] }");
    assertTrue(message.contains("does not implement"), message);
  }

  @Test
  void aSchemaThatDoesNotCompileStopsTheStart() {
    String message = failure("a { route = \"POST /a\", body-schema { type = string, pattern = \"[a-\" }, steps = [{ name = s, class = \"" + STEP + "\" }] }");
    assertTrue(message.contains("asyncgate.operations.a"), message);
    assertTrue(message.contains("JSON Schema does not parse"), message);
  }

  @Test
  void aFileResultMustNameOneOfTheSteps() {
    String message = failure("a { route = \"POST /a\", result { kind = file, step = nope }, steps = [{ name = s, class = \"" + STEP + "\" }] }");
    assertTrue(message.contains("step 'nope' is not a step of this operation type"), message);
  }

  @Test
  void aSchemaForAPathParameterTheRouteDoesNotHaveIsRefused() {
    String message = failure("a { route = \"POST /a\", path-parameters { id { type = string } }, steps = [{ name = s, class = \"" + STEP + "\" }] }");
    assertTrue(message.contains("path parameter id"), message);
  }

  @Test
  void stepsInheritTheDefaultsAndMayOverrideThem() {
    Catalogue catalogue = Catalogue.fromConfig(withOperations(
        "a { route = \"POST /a\", steps = [{ name = s, class = \"" + STEP + "\", timeout = 3s, retry.max-attempts = 2 }, "
            + "{ name = t, class = \"" + STEP + "\" }] }"));
    StepDefinition s = catalogue.type("a").orElseThrow().steps().get(0);
    StepDefinition t = catalogue.type("a").orElseThrow().steps().get(1);
    assertEquals(java.time.Duration.ofSeconds(3), s.timeout());
    assertEquals(2, s.retry().maxAttempts());
    assertEquals(java.time.Duration.ofSeconds(30), t.timeout());
    assertEquals(5, t.retry().maxAttempts());
  }
}
