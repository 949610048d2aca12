package io.asyncgate.operation;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One failed attempt of a step or compensation, as recorded in the journal. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Failure(FailureKind kind, String code, String message, OperationError.Detail inner) {
  /** The code of a step given up because its last attempt was cut off by a crash: its effect is in doubt. */
  public static final String INTERRUPTED_CODE = "StepInterrupted";

  public OperationError toError() {
    return new OperationError(code, message, inner);
  }
}
