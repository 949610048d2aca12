package io.asyncgate.catalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.step.http.HttpCall;
import io.asyncgate.template.JsonTemplate;
import io.asyncgate.template.TemplateValues;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Makes an operation's result from its request and its steps' outputs, once every step succeeded. */
@FunctionalInterface
public interface ResultComposer {
  OperationResult compose(OperationRequest request, Map<String, JsonNode> outputs);

  /** The default: the last step's output, as JSON. */
  static ResultComposer lastStepOutput(List<String> stepNames) {
    String last = stepNames.get(stepNames.size() - 1);
    return (request, outputs) -> OperationResult.json(outputs.get(last));
  }

  /** A JSON document composed from the request and the steps' outputs (see {@link JsonTemplate}). */
  static ResultComposer template(JsonTemplate template) {
    return (request, outputs) -> OperationResult.json(template.render(values(request, outputs)));
  }

  /** A downstream resource, e.g. a rendered report, streamed through at each read with its content type. */
  static ResultComposer stream(HttpCall download, Duration timeout) {
    return (request, outputs) -> OperationResult.downstream(download.resource(values(request, outputs), timeout));
  }

  /**
   * A file made by a step whose output is {@code {"contentType", "fileName", "content"}}: served
   * with that content type and as an attachment under that name.
   */
  static ResultComposer file(String stepName) {
    return (request, outputs) -> {
      JsonNode out = outputs.get(stepName);
      if (out == null || !out.path("content").isTextual() || !out.path("contentType").isTextual()) {
        throw new IllegalStateException(
            "step '" + stepName + "' must output {\"contentType\", \"fileName\", \"content\"} for a file result");
      }
      String fileName = out.path("fileName").isTextual() ? out.get("fileName").asText() : null;
      return OperationResult.file(out.get("contentType").asText(), fileName, out.get("content").asText());
    };
  }

  private static TemplateValues values(OperationRequest request, Map<String, JsonNode> outputs) {
    JsonNode body = request.body() == null ? NullNode.getInstance() : request.body();
    return TemplateValues.of(request.id(), request.type(), request.pathParams(), body, outputs);
  }
}
