package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
  @Test
  void defaultsServeOn8080WithAnH2FileUnderData() {
    Config c = Settings.load(ConfigFactory.empty(), Map.of());
    assertEquals(8080, c.getInt("asyncgate.http.port"));
    String url = c.getString("asyncgate.db.url");
    assertTrue(url.startsWith("jdbc:h2:file:" + Path.of("data").toAbsolutePath()), url);
    assertTrue(url.contains("WRITE_DELAY=0"), url);
    assertEquals(url, c.getString("akka-persistence-jdbc.shared-databases.slick.db.url"));
    assertEquals("", c.getString("asyncgate.http.public-base-url"));
  }

  @Test
  void environmentVariablesOverrideTheFileAndOverridesBeatThem() {
    Map<String, String> env = Map.of(
        "ASYNCGATE_HTTP_PORT", "9099",
        "ASYNCGATE_DATA_DIR", "/var/lib/asyncgate",
        "ASYNCGATE_PUBLIC_BASE_URL", "https://api.example.com");
    Config c = Settings.load(ConfigFactory.empty(), env);
    assertEquals(9099, c.getInt("asyncgate.http.port"));
    assertEquals("https://api.example.com", c.getString("asyncgate.http.public-base-url"));
    assertTrue(c.getString("asyncgate.db.url").startsWith("jdbc:h2:file:/var/lib/asyncgate/asyncgate;"));
    Config overridden = Settings.load(ConfigFactory.parseString("asyncgate.http.port = 7000"), env);
    assertEquals(7000, overridden.getInt("asyncgate.http.port"));
  }

  @Test
  void theClusterAndBodyLimitFollowFromAsyncgateKeys() {
    Config c = Settings.load(ConfigFactory.parseString(
        "asyncgate.cluster.port = 2600, asyncgate.http.max-request-body = 2MiB"), Map.of());
    assertEquals(2600, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals(2L * 1024 * 1024, c.getBytes("akka.http.server.parsing.max-content-length"));
  }
}
