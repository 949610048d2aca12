package io.asyncgate.operation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.asyncgate.step.FailureKind;
import java.time.Duration;
import java.time.Instant;

/**
 * One step of an operation: its attempts and, when it is undone, its compensation.
 *
 * @param failedAttempts attempts that ended in a recorded failure; fewer than {@code attempts}
 *     while the step is running means an attempt is under way — or was interrupted by a crash
 * @param effectInDoubt an attempt timed out, was cut off, or left effects it could not undo, so the
 *     step may have taken effect downstream and is compensated even if it never succeeded
 * @param throttling the attempts the downstream pushed back on (429, 503, a refused connection),
 *     which do not count against {@code retry.max-attempts}; null when there were none, and in
 *     states written before it existed
 * @param compensationThrottling the same for the compensation's attempts
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepProgress(
    String name,
    boolean compensable,
    StepStatus status,
    int attempts,
    int failedAttempts,
    boolean effectInDoubt,
    Failure lastFailure,
    StepStatus compensation,
    int compensationAttempts,
    Failure compensationFailure,
    Throttling throttling,
    Throttling compensationThrottling) {

  /** Throttled attempts: how many, and when the first one was answered (the start of the throttled wait). */
  public record Throttling(int attempts, Instant since) {
    static Throttling after(Throttling earlier, Instant at) {
      return earlier == null ? new Throttling(1, at) : new Throttling(earlier.attempts + 1, earlier.since);
    }

    static int attempts(Throttling throttling) {
      return throttling == null ? 0 : throttling.attempts;
    }

    /** How long the downstream has been throttling, as of {@code now}; zero before its first push-back. */
    static Duration waited(Throttling throttling, Instant now) {
      return throttling == null ? Duration.ZERO : Duration.between(throttling.since, now);
    }
  }

  public enum StepStatus {
    NotStarted,
    Running,
    Succeeded,
    Failed,
    /** Abandoned by a cancel between attempts: it had neither succeeded nor failed for good. */
    Canceled
  }

  static StepProgress planned(StepPlan plan) {
    return new StepProgress(plan.name(), plan.compensable(), StepStatus.NotStarted, 0, 0, false, null, null, 0, null, null, null);
  }

  StepProgress started(int attempt) {
    // A new attempt while the last one has no outcome: that one was interrupted, its effect is in doubt.
    return new StepProgress(name, compensable, StepStatus.Running, attempt, failedAttempts, effectInDoubt || attemptOpen(),
        lastFailure, compensation, compensationAttempts, compensationFailure, throttling, compensationThrottling);
  }

  StepProgress attemptFailed(Failure failure, Instant at) {
    return new StepProgress(name, compensable, status, attempts, attempts, inDoubtAfter(failure),
        failure, compensation, compensationAttempts, compensationFailure,
        failure.throttled() ? Throttling.after(throttling, at) : throttling, compensationThrottling);
  }

  StepProgress succeeded() {
    return new StepProgress(name, compensable, StepStatus.Succeeded, attempts, failedAttempts, effectInDoubt,
        lastFailure, compensation, compensationAttempts, compensationFailure, throttling, compensationThrottling);
  }

  StepProgress failed(Failure failure) {
    return new StepProgress(name, compensable, StepStatus.Failed, attempts, attempts, inDoubtAfter(failure),
        failure, compensation, compensationAttempts, compensationFailure, throttling, compensationThrottling);
  }

  StepProgress abandoned() {
    return status != StepStatus.Running ? this : new StepProgress(name, compensable, StepStatus.Canceled, attempts,
        failedAttempts, effectInDoubt, lastFailure, compensation, compensationAttempts, compensationFailure, throttling,
        compensationThrottling);
  }

  StepProgress compensationStarted(int attempt) {
    return new StepProgress(name, compensable, status, attempts, failedAttempts, effectInDoubt, lastFailure,
        StepStatus.Running, attempt, compensationFailure, throttling, compensationThrottling);
  }

  StepProgress compensationAttemptFailed(Failure failure, Instant at) {
    return new StepProgress(name, compensable, status, attempts, failedAttempts, effectInDoubt, lastFailure,
        compensation, compensationAttempts, failure, throttling,
        failure.throttled() ? Throttling.after(compensationThrottling, at) : compensationThrottling);
  }

  StepProgress compensationFinished(StepStatus outcome, Failure failure) {
    return new StepProgress(name, compensable, status, attempts, failedAttempts, effectInDoubt, lastFailure,
        outcome, compensationAttempts, failure, throttling, compensationThrottling);
  }

  /** Attempts that count against {@code retry.max-attempts}: all but the throttled ones. */
  @JsonIgnore
  public int countedAttempts() {
    return attempts - Throttling.attempts(throttling);
  }

  /** The same for the compensation and {@code compensation-retry.max-attempts}. */
  @JsonIgnore
  public int countedCompensationAttempts() {
    return compensationAttempts - Throttling.attempts(compensationThrottling);
  }

  private boolean inDoubtAfter(Failure failure) {
    return effectInDoubt || failure.leftEffects() || failure.kind() == FailureKind.TIMEOUT
        || Failure.INTERRUPTED_CODE.equals(failure.code());
  }

  /** An attempt was started and has no recorded outcome: under way, or cut off by a crash. */
  @JsonIgnore
  public boolean attemptOpen() {
    return status == StepStatus.Running && attempts > failedAttempts;
  }

  /**
   * Whether the step may have had an effect that must be undone: it succeeded, or its outcome is in
   * doubt (interrupted, or an attempt timed out). A step the downstream only rejected did nothing.
   */
  @JsonIgnore
  public boolean needsCompensation() {
    if (!compensable || compensation == StepStatus.Succeeded || compensation == StepStatus.Failed) {
      return false;
    }
    return status == StepStatus.Succeeded || attemptOpen() || effectInDoubt;
  }
}
