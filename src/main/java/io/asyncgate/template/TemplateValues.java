package io.asyncgate.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.HashMap;
import java.util.Map;

/** What placeholders are filled from at run time: the request, the steps' outputs, the fan-out item. */
public record TemplateValues(
    String requestId, String operationType, Map<String, String> pathParams, JsonNode body,
    Map<String, JsonNode> outputs, JsonNode item) {

  /** The values of an operation's request and its steps' outputs, before any fan-out item. */
  public static TemplateValues of(String requestId, String operationType, Map<String, String> pathParams, JsonNode body,
      Map<String, JsonNode> outputs) {
    return new TemplateValues(requestId, operationType, pathParams, body, outputs, null);
  }

  public TemplateValues withItem(JsonNode item) {
    return new TemplateValues(requestId, operationType, pathParams, body, outputs, item);
  }

  public TemplateValues withOutput(String step, JsonNode output) {
    Map<String, JsonNode> more = new HashMap<>(outputs);
    more.put(step, output);
    return new TemplateValues(requestId, operationType, pathParams, body, Map.copyOf(more), item);
  }

  /** The placeholder's JSON value; a JSON null is a value. Throws {@link MissingValueException} when there is none. */
  public JsonNode value(Placeholder p) {
    JsonNode root = switch (p.source()) {
      case REQUEST_ID -> TextNode.valueOf(requestId);
      case OPERATION_TYPE -> TextNode.valueOf(operationType);
      case PATH -> pathParams.containsKey(p.name()) ? TextNode.valueOf(pathParams.get(p.name())) : null;
      case BODY -> body;
      case STEPS -> outputs.get(p.name());
      case ITEM -> item;
    };
    JsonNode found = root == null ? null : root.at(p.pointer());
    if (found == null || found.isMissingNode()) {
      throw new MissingValueException("Placeholder " + p + " found no value"
          + (p.source() == Placeholder.Source.STEPS && root == null ? ": step '" + p.name() + "' has no output yet." : "."));
    }
    return found.deepCopy();
  }

  /** The value as text: strings as they are, other JSON as JSON; a null counts as missing (no "null" in a URL). */
  String text(Placeholder p) {
    JsonNode value = value(p);
    if (value.isNull()) {
      throw new MissingValueException("Placeholder " + p + " is null; it is used as text.");
    }
    return value.isTextual() ? value.asText() : value.toString();
  }
}
