package io.asyncgate.simulator;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How the downstream simulator listens and misbehaves: the {@code asyncgate.simulator} keys, or the
 * flags of {@code simulate-downstream}.
 *
 * @param latency added to every answer of a simulated service
 * @param latencyJitter up to this much more, drawn uniformly per request
 * @param failureRate the fraction of mutating requests answered 503 before they take effect
 * @param retryAfter the {@code Retry-After} of those 503 answers
 */
public record SimulatorSettings(String host, int port, Duration latency, Duration latencyJitter, double failureRate,
    Duration retryAfter) {

  public SimulatorSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    if (latency.isNegative() || latencyJitter.isNegative() || retryAfter.isNegative()) {
      throw new IllegalArgumentException("latency, latency-jitter and retry-after must not be negative");
    }
    if (!(failureRate >= 0.0 && failureRate <= 1.0)) {
      throw new IllegalArgumentException("failure-rate must be between 0.0 and 1.0, was " + failureRate);
    }
  }

  /** Reads the keys of an {@code asyncgate.simulator} section (see asyncgate.conf). */
  public static SimulatorSettings fromConfig(Config simulator) {
    return new SimulatorSettings(
        simulator.getString("interface"),
        simulator.getInt("port"),
        simulator.getDuration("latency"),
        simulator.getDuration("latency-jitter"),
        simulator.getDouble("failure-rate"),
        simulator.getDuration("retry-after"));
  }
}
