package io.asyncgate.operation;

import io.asyncgate.operation.StepProgress.StepStatus;
import io.asyncgate.step.FailureKind;
import java.time.Instant;
import java.util.List;

/**
 * What an operation's saga does next, decided from its recorded progress alone — so a saga that
 * resumes after a crash makes exactly the decision the lost one would have made.
 */
final class SagaPlan {
  private SagaPlan() {}

  sealed interface Action {}

  /** Run attempt {@code attempt} of the step. */
  record Execute(String step, int attempt) implements Action {}

  /** Undo the step (attempt {@code attempt} of its compensation). */
  record Compensate(String step, int attempt) implements Action {}

  /** Every step succeeded: make the result. */
  record Complete() implements Action {}

  /** Nothing is left to run or undo: record this terminal event. */
  record Finish(OperationEvent terminal) implements Action {}

  /** The operation is already terminal. */
  record Done() implements Action {}

  static Action next(Progress progress, Instant now) {
    if (progress.isTerminal()) {
      return new Done();
    }
    List<StepProgress> steps = progress.steps();
    // A cancel, a step failed for good, or a result that could not be made: undo what was done.
    boolean unwinding = progress.cancelRequested() || progress.error() != null
        || steps.stream().anyMatch(s -> s.status() == StepStatus.Failed);
    if (!unwinding) {
      for (StepProgress s : steps) {
        if (s.status() != StepStatus.Succeeded) {
          return new Execute(s.name(), s.attempts() + 1);
        }
      }
      return new Complete();
    }
    // Undo in reverse order of the steps.
    for (int i = steps.size() - 1; i >= 0; i--) {
      StepProgress s = steps.get(i);
      if (s.needsCompensation()) {
        return new Compensate(s.name(), s.compensationAttempts() + 1);
      }
    }
    List<String> uncompensated = steps.stream().filter(s -> s.compensation() == StepStatus.Failed).map(StepProgress::name).toList();
    if (!uncompensated.isEmpty()) {
      OperationError cause = progress.cancelRequested() && progress.error() == null
          ? OperationError.of(Progress.CANCELED_CODE, "The operation was canceled at the client's request.")
          : progress.error();
      OperationError error = new OperationError(Progress.COMPENSATION_FAILED_CODE,
          "Compensation of step(s) " + uncompensated + " kept failing and was given up; their effects may remain"
              + " downstream and need an operator. The operation had stopped because: " + cause.message(),
          new OperationError.Detail(cause.code(), cause.message()));
      FailureKind kind = progress.failureKind() != null ? progress.failureKind() : FailureKind.TRANSIENT;
      return new Finish(new OperationEvent.Failed(error, kind, now));
    }
    if (progress.cancelRequested()) {
      return new Finish(new OperationEvent.Canceled(now));
    }
    return new Finish(new OperationEvent.Failed(progress.error(), progress.failureKind(), now));
  }
}
