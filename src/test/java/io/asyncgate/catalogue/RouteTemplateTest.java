package io.asyncgate.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteTemplateTest {
  @Test
  void matchesLiteralsAndParameters() {
    RouteTemplate t = RouteTemplate.parse("PUT /reports/{name}/versions/{version}");
    assertEquals(Optional.of(Map.of("name", "q3", "version", "2")), t.match(List.of("reports", "q3", "versions", "2")));
    assertEquals(Optional.empty(), t.match(List.of("reports", "q3", "version", "2")));
    assertEquals(Optional.empty(), t.match(List.of("reports", "q3")));
    assertEquals(List.of("name", "version"), t.parameterNames());
  }

  @Test
  void refusesMalformedTemplates() {
    assertThrows(IllegalArgumentException.class, () -> RouteTemplate.parse("POST"));
    assertThrows(IllegalArgumentException.class, () -> RouteTemplate.parse("PATCH /a"));
    assertThrows(IllegalArgumentException.class, () -> RouteTemplate.parse("POST /a/"));
    assertThrows(IllegalArgumentException.class, () -> RouteTemplate.parse("POST /a/{id}/{id}"));
    assertThrows(IllegalArgumentException.class, () -> RouteTemplate.parse("POST /a/{id"));
    assertThrows(IllegalArgumentException.class, () -> RouteTemplate.parse("POST /health/x"));
  }

  @Test
  void overlapOnlyWithTheSameMethodAndShape() {
    assertTrue(RouteTemplate.parse("POST /a/{x}").overlaps(RouteTemplate.parse("POST /a/b")));
    assertFalse(RouteTemplate.parse("POST /a/{x}").overlaps(RouteTemplate.parse("PUT /a/b")));
    assertFalse(RouteTemplate.parse("POST /a/{x}").overlaps(RouteTemplate.parse("POST /b/{x}")));
    assertFalse(RouteTemplate.parse("POST /a").overlaps(RouteTemplate.parse("POST /a/{x}")));
  }
}
