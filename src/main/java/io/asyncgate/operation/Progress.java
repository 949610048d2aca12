package io.asyncgate.operation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.asyncgate.operation.OperationEvent.*;
import io.asyncgate.operation.StepProgress.StepStatus;
import io.asyncgate.step.FailureKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The lifecycle of one operation: what the status document shows. {@link #apply} is the one fold of
 * the events, used by the entity, by the view and by the journal fallback alike, so they cannot
 * disagree.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Progress(
    OperationStatus status,
    Phase phase,
    boolean cancelRequested,
    boolean purged,
    Instant createdAt,
    Instant updatedAt,
    List<StepProgress> steps,
    OperationError error,
    FailureKind failureKind) {

  public static final String CANCELED_CODE = "OperationCanceled";
  public static final String COMPENSATION_FAILED_CODE = "CompensationFailed";

  public static Progress accepted(OperationRequest request) {
    return new Progress(
        OperationStatus.NotStarted,
        Phase.ACCEPTED,
        false,
        false,
        request.acceptedAt(),
        request.acceptedAt(),
        request.steps().stream().map(StepProgress::planned).toList(),
        null,
        null);
  }

  public Progress apply(OperationEvent event) {
    Instant at = event.at();
    if (event instanceof Accepted accepted) {
      return accepted(accepted.request());
    } else if (event instanceof StepStarted e) {
      return with(OperationStatus.Running, workingPhase(Phase.RUNNING), at)
          .step(e.step(), s -> s.started(e.attempt()));
    } else if (event instanceof StepAttemptFailed e) {
      return with(status, workingPhase(Phase.RETRYING), at).step(e.step(), s -> s.attemptFailed(e.failure(), at));
    } else if (event instanceof StepSucceeded e) {
      return with(status, workingPhase(Phase.RUNNING), at)
          .step(e.step(), StepProgress::succeeded);
    } else if (event instanceof StepFailed e) {
      Progress failed = with(status, workingPhase(Phase.COMPENSATING), at)
          .step(e.step(), s -> s.failed(e.failure()));
      return new Progress(failed.status, failed.phase, cancelRequested, purged, createdAt, at, failed.steps,
          e.failure().toError(), e.failure().kind());
    } else if (event instanceof ResultFailed e) {
      return new Progress(status, workingPhase(Phase.COMPENSATING), cancelRequested, purged, createdAt, at, steps,
          e.failure().toError(), e.failure().kind());
    } else if (event instanceof CancelRequested) {
      OperationStatus shown = status == OperationStatus.NotStarted ? status : OperationStatus.Running;
      return new Progress(shown, Phase.CANCELLING, true, purged, createdAt, at, steps, error, failureKind);
    } else if (event instanceof CompensationStarted e) {
      return with(OperationStatus.Running, workingPhase(Phase.COMPENSATING), at)
          .step(e.step(), s -> s.compensationStarted(e.attempt()));
    } else if (event instanceof CompensationAttemptFailed e) {
      return with(status, phase, at).step(e.step(), s -> s.compensationAttemptFailed(e.failure(), at));
    } else if (event instanceof CompensationSucceeded e) {
      return with(status, phase, at).step(e.step(), s -> s.compensationFinished(StepStatus.Succeeded, s.compensationFailure()));
    } else if (event instanceof CompensationFailed e) {
      return with(status, phase, at).step(e.step(), s -> s.compensationFinished(StepStatus.Failed, e.failure()));
    } else if (event instanceof Succeeded) {
      return with(OperationStatus.Succeeded, Phase.SUCCEEDED, at);
    } else if (event instanceof Failed e) {
      Phase end = COMPENSATION_FAILED_CODE.equals(e.error().code()) ? Phase.COMPENSATION_FAILED : Phase.FAILED;
      return new Progress(OperationStatus.Failed, end, cancelRequested, purged, createdAt, at, steps, e.error(), e.kind());
    } else if (event instanceof Canceled) {
      long undone = steps.stream().filter(s -> s.compensation() == StepStatus.Succeeded).count();
      OperationError canceled = OperationError.of(CANCELED_CODE,
          "The operation was canceled at the client's request; " + undone + " completed step(s) were compensated.");
      List<StepProgress> abandoned = steps.stream().map(StepProgress::abandoned).toList();
      return new Progress(OperationStatus.Canceled, Phase.CANCELED, true, purged, createdAt, at, abandoned, canceled, null);
    } else if (event instanceof Purged) {
      return new Progress(status, phase, cancelRequested, true, createdAt, at, steps, error, failureKind);
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  @JsonIgnore
  public boolean isTerminal() {
    return status.isTerminal();
  }

  /** Share of the steps done, 100 once succeeded. */
  public int percentComplete() {
    if (status == OperationStatus.Succeeded) {
      return 100;
    }
    if (steps.isEmpty()) {
      return 0;
    }
    long done = steps.stream().filter(s -> s.status() == StepStatus.Succeeded).count();
    return (int) (done * 100 / steps.size());
  }

  public StepProgress step(String name) {
    return steps.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no step " + name));
  }

  /** While a cancel is under way, every working phase reads "cancelling". */
  private Phase workingPhase(Phase phase) {
    return cancelRequested ? Phase.CANCELLING : phase;
  }

  private Progress with(OperationStatus newStatus, Phase newPhase, Instant at) {
    return new Progress(newStatus, newPhase, cancelRequested, purged, createdAt, at, steps, error, failureKind);
  }

  private Progress step(String name, UnaryOperator<StepProgress> change) {
    List<StepProgress> changed = new ArrayList<>(steps.size());
    boolean found = false;
    for (StepProgress s : steps) {
      if (s.name().equals(name)) {
        changed.add(change.apply(s));
        found = true;
      } else {
        changed.add(s);
      }
    }
    if (!found) {
      throw new IllegalArgumentException("no step " + name);
    }
    return new Progress(status, phase, cancelRequested, purged, createdAt, updatedAt, List.copyOf(changed), error, failureKind);
  }
}
