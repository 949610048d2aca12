package io.asyncgate.demo;

import com.typesafe.config.Config;
import java.time.Duration;

/** How long a demo step pretends to work: {@code simulated-duration} in its settings (default 1 s). */
final class SimulatedWork {
  private SimulatedWork() {}

  static Duration duration(Config settings) {
    return settings.hasPath("simulated-duration") ? settings.getDuration("simulated-duration") : Duration.ofSeconds(1);
  }
}
