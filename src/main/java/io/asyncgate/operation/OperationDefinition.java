package io.asyncgate.operation;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.step.StepDefinition;
import java.util.Map;
import java.util.Optional;

/**
 * What a running operation needs to know of its type: its steps by name, and how its result is
 * made. The catalogue's operation types implement it, so the operation knows nothing of routes or
 * configuration.
 */
public interface OperationDefinition {
  String name();

  Optional<StepDefinition> step(String stepName);

  /** The result, once every step succeeded; a runtime exception says it could not be made. */
  OperationResult composeResult(OperationRequest request, Map<String, JsonNode> outputs);

  /** The definitions an entity looks its operation's type up in: the node's catalogue. */
  @FunctionalInterface
  interface Lookup {
    Optional<? extends OperationDefinition> definition(String operationType);
  }
}
