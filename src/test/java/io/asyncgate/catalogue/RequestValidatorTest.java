package io.asyncgate.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
  private static JsonNode json(String s) throws Exception {
    return Json.MAPPER.readTree(s);
  }

  @Test
  void listsEveryViolationWithItsJsonPointer() throws Exception {
    RequestValidator validator = RequestValidator.of(json("""
        {"type":"object","required":["customer","items"],
         "properties":{"customer":{"type":"string","minLength":1},
           "items":{"type":"array","items":{"type":"object","additionalProperties":false,
             "properties":{"quantity":{"type":"integer","minimum":1}}}}}}"""), Map.of());
    List<Violation> violations = validator.validateBody(json("""
        {"customer":"","items":[{"quantity":1},{"quantity":0,"color":"red"}]}"""));
    List<String> pointers = violations.stream().map(Violation::pointer).toList();
    assertEquals(3, violations.size(), violations.toString());
    assertTrue(pointers.contains("/customer"), pointers.toString());
    assertTrue(pointers.contains("/items/1/quantity"), pointers.toString());
    assertTrue(pointers.contains("/items/1/color"), pointers.toString());
    assertTrue(violations.stream().allMatch(v -> v.in().equals("body")));
  }

  @Test
  void anIntegerIsAnyNumberWithAZeroFractionalPartAsTheSpecificationSays() throws Exception {
    RequestValidator validator = RequestValidator.of(json("{\"type\":\"integer\",\"maximum\":10}"), Map.of());
    assertEquals(List.of(), validator.validateBody(json("2")));
    assertEquals(List.of(), validator.validateBody(json("2.0")));
    assertEquals(List.of(), validator.validateBody(json("2.00")));
    assertEquals(List.of("type"), validator.validateBody(json("2.5")).stream().map(Violation::keyword).toList());
    assertEquals(List.of("maximum"), validator.validateBody(json("20.0")).stream().map(Violation::keyword).toList());
  }

  @Test
  void aMissingRequiredPropertyIsReported() throws Exception {
    RequestValidator validator = RequestValidator.of(json("{\"type\":\"object\",\"required\":[\"customer\"]}"), Map.of());
    List<Violation> violations = validator.validateBody(json("{}"));
    assertEquals(1, violations.size());
    assertEquals("required", violations.get(0).keyword());
  }

  @Test
  void pathParametersAreCheckedAgainstTheirOwnSchemas() throws Exception {
    RequestValidator validator = RequestValidator.of(null, Map.of("userId", json("{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"}")));
    assertEquals(List.of(), validator.validatePathParams(Map.of("userId", "abc1")));
    List<Violation> violations = validator.validatePathParams(Map.of("userId", "a b"));
    assertEquals(1, violations.size());
    assertEquals("path", violations.get(0).in());
    assertEquals("/userId", violations.get(0).pointer());
  }

  @Test
  void jsonPathsBecomeJsonPointers() {
    assertEquals("", RequestValidator.toPointer("$"));
    assertEquals("/items/0/name", RequestValidator.toPointer("$.items[0].name"));
    assertEquals("/a~1b/c d", RequestValidator.toPointer("$['a/b']['c d']"));
  }
}
