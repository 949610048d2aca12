package io.asyncgate.operation;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.json.JsonSerializable;
import io.asyncgate.step.FailureKind;
import java.time.Instant;

/**
 * Everything that happens to one operation, in the journal of its {@code RequestBuffer}. The class
 * name is the serialization manifest: renaming or moving an event breaks replay of stored journals.
 */
public sealed interface OperationEvent extends JsonSerializable {
  Instant at();

  record Accepted(OperationRequest request) implements OperationEvent {
    @Override
    public Instant at() {
      return request.acceptedAt();
    }
  }

  /** Written before an attempt runs: after a crash, a started step without outcome was interrupted. */
  record StepStarted(String step, int attempt, Instant at) implements OperationEvent {}

  record StepAttemptFailed(String step, int attempt, Failure failure, Instant at)
      implements OperationEvent {}

  record StepSucceeded(String step, JsonNode output, Instant at) implements OperationEvent {}

  /** The step failed for good: compensation of what was done begins. */
  record StepFailed(String step, Failure failure, Instant at) implements OperationEvent {}

  record CancelRequested(Instant at) implements OperationEvent {}

  record CompensationStarted(String step, int attempt, Instant at) implements OperationEvent {}

  record CompensationAttemptFailed(String step, int attempt, Failure failure, Instant at)
      implements OperationEvent {}

  record CompensationSucceeded(String step, Instant at) implements OperationEvent {}

  /** The compensation was given up after its retries: the operation ends visibly unclean. */
  record CompensationFailed(String step, Failure failure, Instant at) implements OperationEvent {}

  /** Every step succeeded but the result could not be made: the steps are compensated. */
  record ResultFailed(Failure failure, Instant at) implements OperationEvent {}

  record Succeeded(OperationResult result, Instant at) implements OperationEvent {}

  record Failed(OperationError error, FailureKind kind, Instant at) implements OperationEvent {}

  record Canceled(Instant at) implements OperationEvent {}

  /** Removed on the client's request: the status answers 410 from now on. */
  record Purged(Instant at) implements OperationEvent {}
}
