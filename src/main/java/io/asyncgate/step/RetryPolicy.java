package io.asyncgate.step;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Attempts and exponential backoff with jitter, for a step or a compensation.
 *
 * @param maxAttempts attempts in all, the first one included
 * @param jitter share of each delay that is randomized (0 = none, 1 = "full jitter"), so that many
 *     operations failing together do not retry in lock-step
 * @param maxThrottledWait how long after the downstream first throttled it (429, 503, a refused
 *     connection) the step or compensation is still tried; throttled attempts do not count against
 *     {@code maxAttempts}, so an overloaded downstream slows operations down instead of failing them,
 *     and this bounds that wait for a downstream that never recovers
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter,
    Duration maxThrottledWait) {
  /** The library's default of {@code max-throttled-wait} (asyncgate.conf says the same). */
  public static final Duration DEFAULT_MAX_THROTTLED_WAIT = Duration.ofMinutes(10);
  private static final String MAX_THROTTLED_WAIT = "max-throttled-wait";

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max-attempts must be at least 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 <= initial-backoff <= max-backoff");
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier must be at least 1.0, was " + multiplier);
    }
    if (jitter < 0.0 || jitter > 1.0) {
      throw new IllegalArgumentException("jitter must be between 0.0 and 1.0, was " + jitter);
    }
    if (maxThrottledWait.isNegative()) {
      throw new IllegalArgumentException("max-throttled-wait must not be negative, was " + maxThrottledWait);
    }
  }

  /** A policy with the default {@code max-throttled-wait}. */
  public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter) {
    this(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, DEFAULT_MAX_THROTTLED_WAIT);
  }

  public static RetryPolicy fromConfig(Config c) {
    return new RetryPolicy(
        c.getInt("max-attempts"),
        c.getDuration("initial-backoff"),
        c.getDuration("max-backoff"),
        c.getDouble("multiplier"),
        c.getDouble("jitter"),
        c.hasPath(MAX_THROTTLED_WAIT) ? c.getDuration(MAX_THROTTLED_WAIT) : DEFAULT_MAX_THROTTLED_WAIT);
  }

  /** The delay before attempt {@code failedAttempt + 1}. */
  public Duration backoffAfter(int failedAttempt) {
    double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    double capped = Math.min(base, maxBackoff.toMillis());
    double randomized = capped * (1.0 - jitter * ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(Math.round(randomized));
  }
}
