package io.asyncgate.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TemplateTest {
  private static final TemplateValues VALUES = new TemplateValues("req-1", "orders", Map.of("userId", "u 1"),
      Json.read("{\"customer\": {\"name\": \"Ada\"}, \"quantity\": 3, \"note\": null}", JsonNode.class),
      Map.of("reserve", Json.read("{\"id\": \"r/42\"}", JsonNode.class)), null);

  @Test
  void placeholdersInterpolateAsTextAndDoubledBracesAreLiteral() {
    Template template = Template.parse("{{{requestId}}} {path.userId} x{body/quantity} {steps.reserve}");

    assertEquals("{req-1} u 1 x3 {\"id\":\"r/42\"}", template.render(VALUES, UnaryOperator.identity()));
    assertEquals(4, template.placeholders().size());
  }

  @Test
  void aJsonStringThatIsOnePlaceholderKeepsTheValuesType() {
    JsonTemplate template = JsonTemplate.of(Json.read(
        "{\"q\": \"{body/quantity}\", \"who\": \"{body/customer}\", \"text\": \"n={body/quantity}\", \"list\": [\"{operationType}\", 1]}",
        JsonNode.class));

    assertEquals(Json.read("{\"q\": 3, \"who\": {\"name\": \"Ada\"}, \"text\": \"n=3\", \"list\": [\"orders\", 1]}", JsonNode.class),
        template.render(VALUES));
  }

  @Test
  void aMissingOrNullValueFailsNamingThePlaceholder() {
    // The step that renders it rejects itself (HttpStepsTest.aPointerThatFindsNothingRejectsTheStep…).
    MissingValueException missing = assertThrows(MissingValueException.class,
        () -> Template.parse("/c/{body/customer/id}").render(VALUES, UnaryOperator.identity()));
    assertTrue(missing.getMessage().contains("{body/customer/id}"), missing.getMessage());
    MissingValueException asText = assertThrows(MissingValueException.class, () -> Template.parse("/n/{body/note}").render(VALUES, UnaryOperator.identity()));
    assertTrue(asText.getMessage().contains("is null"), asText.getMessage());
    assertTrue(JsonTemplate.of(Json.read("\"{body/note}\"", JsonNode.class)).render(VALUES).isNull(), "a JSON null is a value");
  }

  @Test
  void malformedTemplatesSayHowToWriteABrace() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("/a/{body")).getMessage().contains("{{"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("/a/}")).getMessage().contains("}}"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("{bdy/x}")).getMessage().contains("{body/json/pointer}"));
  }

  @Test
  void aScopeRefusesWhatDoesNotExistWhereTheTemplateIsUsed() {
    TemplateScope scope = new TemplateScope(Set.of("userId"), List.of("reserve"), "an earlier step", false);
    scope.check(Template.parse("{path.userId}{steps.reserve/id}{body}{requestId}").placeholders());
    assertThrows(IllegalArgumentException.class, () -> scope.check(Template.parse("{steps.charge}").placeholders()));
    assertThrows(IllegalArgumentException.class, () -> scope.check(Template.parse("{item}").placeholders()));
    scope.withItem().check(Template.parse("{item/id}").placeholders());
  }
}
