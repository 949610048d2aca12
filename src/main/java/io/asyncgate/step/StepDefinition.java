package io.asyncgate.step;

import java.time.Duration;

/** A step of an operation type: the work, and how long and how often it may be tried. */
public record StepDefinition(
    String name, Step step, Duration timeout, RetryPolicy retry, RetryPolicy compensationRetry) {

  public boolean compensable() {
    return step instanceof CompensableStep;
  }
}
