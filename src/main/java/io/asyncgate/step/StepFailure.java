package io.asyncgate.step;

import java.time.Duration;
import java.util.Optional;

/** How a step says that it failed, and whether trying again can help. */
public final class StepFailure extends RuntimeException {
  /** The code of an attempt that did not finish within the step's timeout. */
  public static final String TIMED_OUT = "StepTimedOut";

  /** The downstream service's own error code and message, e.g. from its problem details. */
  public record DownstreamError(String code, String message) {}

  private final FailureKind kind;
  private final String code;
  private final DownstreamError inner;
  private final Duration retryAfter;
  private final boolean leftEffects;
  private final boolean throttled;

  private StepFailure(FailureKind kind, String code, String message, DownstreamError inner, Duration retryAfter,
      boolean leftEffects, boolean throttled) {
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
    this.inner = inner;
    this.retryAfter = retryAfter;
    this.leftEffects = leftEffects;
    this.throttled = throttled;
  }

  /** A definitive "no" (a business rule, a downstream 4xx): not retried, compensation begins. */
  public static StepFailure rejected(String code, String message) {
    return new StepFailure(FailureKind.REJECTED, code, message, null, null, false, false);
  }

  /** A rejection carrying the downstream's own error, shown as {@code error.innererror}. */
  public static StepFailure rejected(String code, String message, String innerCode, String innerMessage) {
    return new StepFailure(FailureKind.REJECTED, code, message, new DownstreamError(innerCode, innerMessage), null, false,
        false);
  }

  /** A failure that may pass (a 5xx, a refused connection): retried with backoff. */
  public static StepFailure transientFailure(String code, String message) {
    return new StepFailure(FailureKind.TRANSIENT, code, message, null, null, false, false);
  }

  /** The attempt did not finish in time; retried, and its effect is in doubt. */
  public static StepFailure timedOut(String message) {
    return new StepFailure(FailureKind.TIMEOUT, TIMED_OUT, message, null, null, false, false);
  }

  /** The same, with the downstream's {@code Retry-After}, honoured when longer than the backoff. */
  public StepFailure retryAfter(Duration delay) {
    return new StepFailure(kind, code, getMessage(), inner, delay, leftEffects, throttled);
  }

  /**
   * The same, for an attempt that left effects downstream it could not undo: if the step is given
   * up, the saga compensates it (with its compensation's retries) instead of assuming it did nothing.
   */
  public StepFailure leavingEffects() {
    return new StepFailure(kind, code, getMessage(), inner, retryAfter, true, throttled);
  }

  /**
   * The same, for a downstream that pushed back (429, 503, a refused connection) rather than failed:
   * the attempt does not count against {@code retry.max-attempts}, only against {@code
   * retry.max-throttled-wait}, so overload slows the operation down instead of failing it.
   */
  public StepFailure throttled() {
    return new StepFailure(kind, code, getMessage(), inner, retryAfter, leftEffects, true);
  }

  public FailureKind kind() {
    return kind;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The downstream's own error, when the failure carries one. */
  public Optional<DownstreamError> inner() {
    return Optional.ofNullable(inner);
  }

  /** A stable code for {@code error.code}, e.g. {@code DownstreamRejected}. */
  public String code() {
    return code;
  }

  /** Whether the attempt left effects downstream that only a compensation can undo. */
  public boolean leftEffects() {
    return leftEffects;
  }

  /** Whether the downstream pushed back (see {@link #throttled()}). */
  public boolean isThrottled() {
    return throttled;
  }
}
