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
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter) {

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
  }

  public static RetryPolicy fromConfig(Config c) {
    return new RetryPolicy(
        c.getInt("max-attempts"),
        c.getDuration("initial-backoff"),
        c.getDuration("max-backoff"),
        c.getDouble("multiplier"),
        c.getDouble("jitter"));
  }

  /** The delay before attempt {@code failedAttempt + 1}. */
  public Duration backoffAfter(int failedAttempt) {
    double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    double capped = Math.min(base, maxBackoff.toMillis());
    double randomized = capped * (1.0 - jitter * ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(Math.round(randomized));
  }
}
