package io.asyncgate.operation;

import java.time.Duration;

/**
 * How many sagas may run on this node at the moment: sagas yield to submits. Both write to the same
 * journal and share the node's CPU, and a submit's {@code 202} waits for its write while a saga's
 * next step can wait a little without anyone noticing. So while submits wait longer than {@code
 * target} for their durable write (the mean over a period), the limit is cut by a quarter, down
 * to {@code min} (or {@code max} if that is lower); while they do not, or none come, it grows by a
 * tenth (at least one) up to {@code max}. A saga that waits on a slow downstream costs the journal
 * nothing: then submits stay fast and the limit stays at {@code max}. Operations held back wait durably, {@code NotStarted}, as
 * they do behind {@code max} (additive increase, multiplicative decrease, as TCP does for the same
 * kind of problem).
 *
 * <p>Not thread-safe: {@link SagaSlots} calls it under its own lock.
 */
final class SagaLimit {
  private static final double DECREASE = 0.75;
  private static final double INCREASE = 0.10;

  private final int min;
  private final int max;
  private final long targetNanos;
  private double limit;
  private long sumNanos;
  private long samples;

  /** @param target {@link Duration#ZERO} for a fixed limit of {@code max} */
  SagaLimit(int min, int max, Duration target) {
    if (max < 1) {
      throw new IllegalArgumentException("asyncgate.processing.max-running-sagas must be at least 1, was " + max);
    }
    if (min < 1) {
      throw new IllegalArgumentException("asyncgate.processing.min-running-sagas must be at least 1, was " + min);
    }
    this.min = Math.min(min, max);
    this.max = max;
    this.targetNanos = target.toNanos();
    this.limit = max;
  }

  /** A submit's durable write took this long, from the request to the journal's answer. */
  void observeSubmitWrite(long nanos) {
    sumNanos += nanos;
    samples++;
  }

  /** Ends a period: the limit moves by what submits saw in it. */
  void adjust() {
    if (targetNanos > 0 && samples > 0 && sumNanos / samples > targetNanos) {
      limit = Math.max(min, limit * DECREASE);
    } else {
      limit = Math.min(max, limit + Math.max(1, limit * INCREASE));
    }
    sumNanos = 0;
    samples = 0;
  }

  int current() {
    return (int) limit;
  }
}
