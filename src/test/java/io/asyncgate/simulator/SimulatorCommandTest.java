package io.asyncgate.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The flags of {@code simulate-downstream} over the {@code asyncgate.simulator} keys. */
class SimulatorCommandTest {
  private static final Config DEFAULTS = ConfigFactory.parseResources("asyncgate.conf").getConfig("asyncgate.simulator");

  private static String usageError(String... args) {
    SimulatorCommand.UsageException e = assertThrows(SimulatorCommand.UsageException.class,
        () -> SimulatorCommand.parse(List.of(args), DEFAULTS));
    assertTrue(e.getMessage().contains(SimulatorCommand.USAGE), e.getMessage());
    return e.getMessage();
  }

  @Test
  void withoutFlagsTheConfiguredDefaultsApply() {
    assertEquals(new SimulatorSettings("127.0.0.1", 8090, Duration.ZERO, Duration.ZERO, 0.0, Duration.ofSeconds(1)),
        SimulatorCommand.parse(List.of(), DEFAULTS));
  }

  @Test
  void flagsOverrideTheKeysInEitherSpelling() {
    SimulatorSettings settings = SimulatorCommand.parse(
        List.of("--port", "9001", "--latency=50ms", "--latency-jitter", "20ms", "--failure-rate", "0.25",
            "--retry-after=3s", "--interface", "0.0.0.0"), DEFAULTS);

    assertEquals(new SimulatorSettings("0.0.0.0", 9001, Duration.ofMillis(50), Duration.ofMillis(20), 0.25, Duration.ofSeconds(3)),
        settings);
  }

  @Test
  void anUnknownFlagIsAUsageErrorWithExitCodeTwo() {
    assertEquals(2, SimulatorCommand.UsageException.EXIT_CODE);
    assertTrue(usageError("--prot", "9000").startsWith("simulate-downstream: unknown argument --prot\n"));
  }

  @Test
  void aBadValueNamesTheFlagAndWhatItTakes() {
    assertTrue(usageError("--latency", "fast").contains("--latency takes a duration such as 50ms or 1s, not 'fast'"));
    assertTrue(usageError("--port", "http").contains("--port takes a port number, not 'http'"));
    assertTrue(usageError("--failure-rate", "1.5").contains("failure-rate must be between 0.0 and 1.0, was 1.5"));
    assertTrue(usageError("--port", "70000").contains("port must be between 0 and 65535"));
  }

  @Test
  void aFlagWithoutItsValueIsAUsageError() {
    assertTrue(usageError("--port").contains("--port needs a value: a port number"));
  }
}
