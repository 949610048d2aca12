package io.asyncgate.step.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.Settings;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.CatalogueException;
import io.asyncgate.step.http.DownstreamLimits.Limit;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code asyncgate.downstreams} as a node reads it: defaults, a block per downstream, and mistakes that stop the start. */
class DownstreamLimitsTest {
  private static Config config(String overrides) {
    return Settings.load(ConfigFactory.parseString(overrides), Map.of());
  }

  @Test
  void everyDownstreamMayHaveAsManyCallsInFlightAsThePoolHasConnectionsUnlessConfiguredOtherwise() {
    DownstreamLimits limits = DownstreamLimits.fromConfig(config("akka.http.host-connection-pool.max-connections = 48"));

    assertEquals(new Limit(48, Duration.ofMinutes(1)), limits.of("payments.internal:443"));
  }

  @Test
  void aDownstreamsOwnBlockOverridesTheDefaultKeyByKey() {
    DownstreamLimits limits = DownstreamLimits.fromConfig(config("""
        asyncgate.downstreams {
          default.max-pause = 30s
          "Payments.Internal:443" { max-concurrent-calls = 8 }
          "[::1]:8090" { max-pause = 5s }
        }"""));

    assertEquals(new Limit(8, Duration.ofSeconds(30)), limits.of("payments.internal:443"), "names are case-insensitive");
    assertEquals(new Limit(32, Duration.ofSeconds(5)), limits.of("[::1]:8090"));
    assertEquals(new Limit(32, Duration.ofSeconds(30)), limits.of("payments.internal:80"), "another port, another downstream");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "'\"payments.internal\" { max-concurrent-calls = 8 }' | the port always given",
      "'\"payments.internal:443\" { max-concurent-calls = 8 }' | unknown key 'max-concurent-calls'",
      "'\"payments.internal:443\" { max-concurrent-calls = 0 }' | max-concurrent-calls: must be at least 1",
      "'\"payments.internal:443\" = 8' | must be a block of",
      "'default.max-pause = -1s' | max-pause: must not be negative"})
  void aMistakeStopsTheStartNamingTheKeyAndTheFix(String block, String expected) {
    Config config = config("asyncgate.downstreams { " + block + " }");

    String message = assertThrows(CatalogueException.class, () -> Catalogue.fromConfig(config)).getMessage();
    assertTrue(message.contains("asyncgate.downstreams"), message);
    assertTrue(message.contains(expected), message);
  }
}
