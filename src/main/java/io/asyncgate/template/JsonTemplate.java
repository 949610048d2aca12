package io.asyncgate.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A JSON value whose strings are templates. A string that is exactly one placeholder becomes that
 * value itself (a number stays a number, an object an object); placeholders inside a longer string
 * are interpolated as text. Object keys are taken literally.
 */
public final class JsonTemplate {
  /** The value parsed once: each string a {@link Template}, objects and arrays of parts, anything else as it is. */
  private sealed interface Part {}

  private record Literal(JsonNode value) implements Part {}

  private record Text(Template template) implements Part {}

  private record Members(Map<String, Part> members) implements Part {}

  private record Elements(List<Part> elements) implements Part {}

  private final JsonNode source;
  private final Part root;

  private JsonTemplate(JsonNode source) {
    this.source = source.deepCopy();
    this.root = parse(this.source);
  }

  /** @throws IllegalArgumentException when a string in it is not a valid template */
  public static JsonTemplate of(JsonNode source) {
    return new JsonTemplate(source);
  }

  public List<Placeholder> placeholders() {
    List<Placeholder> found = new ArrayList<>();
    collect(root, found);
    return found;
  }

  public JsonNode render(TemplateValues values) {
    return render(root, values);
  }

  private static Part parse(JsonNode node) {
    if (node.isTextual()) {
      return new Text(Template.parse(node.asText()));
    }
    if (node.isObject()) {
      Map<String, Part> members = new LinkedHashMap<>();
      node.fields().forEachRemaining(field -> members.put(field.getKey(), parse(field.getValue())));
      return new Members(members);
    }
    if (node.isArray()) {
      List<Part> elements = new ArrayList<>();
      node.forEach(element -> elements.add(parse(element)));
      return new Elements(elements);
    }
    return new Literal(node);
  }

  private static void collect(Part part, List<Placeholder> found) {
    if (part instanceof Text text) {
      found.addAll(text.template().placeholders());
    } else if (part instanceof Members object) {
      object.members().values().forEach(member -> collect(member, found));
    } else if (part instanceof Elements array) {
      array.elements().forEach(element -> collect(element, found));
    }
  }

  private static JsonNode render(Part part, TemplateValues values) {
    if (part instanceof Text text) {
      return text.template().whole()
          .map(values::value)
          .orElseGet(() -> TextNode.valueOf(text.template().render(values, UnaryOperator.identity())));
    }
    if (part instanceof Members object) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      object.members().forEach((key, member) -> out.set(key, render(member, values)));
      return out;
    }
    if (part instanceof Elements array) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      array.elements().forEach(element -> out.add(render(element, values)));
      return out;
    }
    return ((Literal) part).value(); // a number, boolean or null: immutable
  }

  @Override
  public String toString() {
    return source.toString();
  }
}
