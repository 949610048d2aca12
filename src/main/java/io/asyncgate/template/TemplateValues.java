package io.asyncgate.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.step.StepContext;
import io.asyncgate.step.StepFailure;
import java.util.HashMap;
import java.util.Map;

/** What placeholders are filled from at run time: the request, the steps' outputs, the fan-out item. */
public record TemplateValues(
    String requestId, String operationType, Map<String, String> pathParams, JsonNode body,
    Map<String, JsonNode> outputs, JsonNode item) {

  /** A step's template may find no value (a pointer into a field the request lacks): the step is rejected with this code. */
  public static final String VALUE_MISSING = "TemplateValueMissing";

  public static TemplateValues of(StepContext context) {
    return new TemplateValues(context.requestId(), context.operationType(), context.pathParams(), context.body(),
        context.outputs(), null);
  }

  public static TemplateValues of(OperationRequest request, Map<String, JsonNode> outputs) {
    JsonNode body = request.body() == null ? NullNode.getInstance() : request.body();
    return new TemplateValues(request.id(), request.type(), request.pathParams(), body, outputs, null);
  }

  public TemplateValues withItem(JsonNode item) {
    return new TemplateValues(requestId, operationType, pathParams, body, outputs, item);
  }

  public TemplateValues withOutput(String step, JsonNode output) {
    Map<String, JsonNode> more = new HashMap<>(outputs);
    more.put(step, output);
    return new TemplateValues(requestId, operationType, pathParams, body, Map.copyOf(more), item);
  }

  /** The placeholder's JSON value; a JSON null is a value. */
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
      throw StepFailure.rejected(VALUE_MISSING, "Placeholder " + p + " found no value"
          + (p.source() == Placeholder.Source.STEPS && root == null ? ": step '" + p.name() + "' has no output yet." : "."));
    }
    return found.deepCopy();
  }

  /** The value as text: strings as they are, other JSON as JSON; a null counts as missing (no "null" in a URL). */
  String text(Placeholder p) {
    JsonNode value = value(p);
    if (value.isNull()) {
      throw StepFailure.rejected(VALUE_MISSING, "Placeholder " + p + " is null; it is used as text.");
    }
    return value.isTextual() ? value.asText() : value.toString();
  }
}
