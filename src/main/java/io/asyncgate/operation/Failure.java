package io.asyncgate.operation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.asyncgate.step.FailureKind;

/**
 * One failed attempt of a step or compensation, as recorded in the journal.
 *
 * @param leftEffects the attempt failed but is known to have left effects downstream that it could
 *     not undo itself (a fan-out whose clean-up failed), so the step must be compensated even though
 *     it did not succeed; absent (false) in events written before it existed
 * @param throttled the downstream pushed back (429, 503, a refused connection): the attempt does not
 *     count against {@code retry.max-attempts} but against {@code retry.max-throttled-wait}; absent
 *     (false) in events written before it existed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Failure(FailureKind kind, String code, String message, OperationError.Detail inner,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean leftEffects,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean throttled) {
  /** The code of a step given up because its last attempt was cut off by a crash: its effect is in doubt. */
  public static final String INTERRUPTED_CODE = "StepInterrupted";

  @JsonCreator
  public Failure {}

  /** A failure that left nothing behind downstream, or whose effect only its kind tells (a timeout). */
  public Failure(FailureKind kind, String code, String message, OperationError.Detail inner) {
    this(kind, code, message, inner, false, false);
  }

  public Failure(FailureKind kind, String code, String message, OperationError.Detail inner, boolean leftEffects) {
    this(kind, code, message, inner, leftEffects, false);
  }

  public OperationError toError() {
    return new OperationError(code, message, inner);
  }
}
