package io.asyncgate.operation;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.json.JsonSerializable;
import io.asyncgate.operation.OperationEvent.Accepted;
import io.asyncgate.operation.OperationEvent.StepSucceeded;
import java.util.HashMap;
import java.util.Map;

/** The state of one request buffer: nothing yet, or an operation. */
public sealed interface OperationState extends JsonSerializable {

  OperationState apply(OperationEvent event);

  /** No request under this id has been accepted. */
  record Empty() implements OperationState {
    @Override
    public OperationState apply(OperationEvent event) {
      if (event instanceof Accepted accepted) {
        return new Operation(accepted.request(), Progress.accepted(accepted.request()), Map.of(), null);
      }
      throw new IllegalStateException("the first event must be Accepted, was " + event);
    }
  }

  /**
   * An accepted request, its progress, the outputs of its finished steps and, once succeeded and
   * until purged, its result ({@link OperationView#resultAfter} decides it).
   */
  record Operation(
      OperationRequest request, Progress progress, Map<String, JsonNode> outputs, OperationResult result)
      implements OperationState {

    @Override
    public Operation apply(OperationEvent event) {
      Progress next = progress.apply(event);
      OperationResult nextResult = OperationView.resultAfter(result, event);
      if (event instanceof StepSucceeded e) {
        Map<String, JsonNode> more = new HashMap<>(outputs);
        more.put(e.step(), e.output());
        return new Operation(request, next, Map.copyOf(more), nextResult);
      }
      return new Operation(request, next, outputs, nextResult);
    }

    public String id() {
      return request.id();
    }
  }
}
