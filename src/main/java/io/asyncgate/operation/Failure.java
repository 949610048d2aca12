package io.asyncgate.operation;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One failed attempt of a step or compensation, as recorded in the journal. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Failure(FailureKind kind, String code, String message, OperationError.Detail inner) {

  public OperationError toError() {
    return new OperationError(code, message, inner);
  }
}
