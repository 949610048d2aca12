package io.asyncgate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads the configuration in a fixed order of precedence — {@code -D} system properties, then
 * {@code ASYNCGATE_*} environment variables, then {@code application.conf} (the file in the working
 * directory, or {@code -Dconfig.file}), then the library defaults — and derives the Akka and
 * journal settings from the few {@code asyncgate.*} keys a user sets.
 */
public final class Settings {
  /** Environment variables and the keys they set. */
  static final Map<String, String> ENVIRONMENT = Map.of(
      "ASYNCGATE_HTTP_PORT", "asyncgate.http.port",
      "ASYNCGATE_DATA_DIR", "asyncgate.data-dir",
      "ASYNCGATE_PUBLIC_BASE_URL", "asyncgate.http.public-base-url");

  private Settings() {}

  /** The configuration of a service started from the command line. */
  public static Config load() {
    return load(ConfigFactory.empty(), System.getenv());
  }

  /** {@code overrides} beat everything: for tests and for embedding asyncgate in a program. */
  public static Config load(Config overrides, Map<String, String> env) {
    Config merged = overrides
        .withFallback(ConfigFactory.systemProperties())
        .withFallback(fromEnvironment(env))
        .withFallback(applicationFile())
        .withFallback(ConfigFactory.parseResourcesAnySyntax("asyncgate.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    return derived(merged).withFallback(merged);
  }

  private static Config fromEnvironment(Map<String, String> env) {
    Map<String, Object> values = new HashMap<>();
    ENVIRONMENT.forEach((variable, key) -> {
      String value = env.get(variable);
      if (value != null && !value.isBlank()) {
        values.put(key, value);
      }
    });
    return ConfigFactory.parseMap(values, "environment variables");
  }

  private static Config applicationFile() {
    String explicit = System.getProperty("config.file");
    File file = new File(explicit != null ? explicit : "application.conf");
    if (explicit != null && !file.isFile()) {
      throw new IllegalArgumentException("-Dconfig.file=" + explicit + " does not exist");
    }
    return file.isFile() ? ConfigFactory.parseFile(file) : ConfigFactory.empty();
  }

  /** The settings of other libraries that follow from asyncgate's own keys. */
  private static Config derived(Config c) {
    String url = c.getString("asyncgate.db.url");
    if (url.isBlank()) {
      url = h2Url(Path.of(c.getString("asyncgate.data-dir")));
    }
    Map<String, Object> values = new HashMap<>();
    values.put("asyncgate.db.url", url);
    values.put("akka-persistence-jdbc.shared-databases.slick.db.url", url);
    values.put("akka-persistence-jdbc.shared-databases.slick.db.user", c.getString("asyncgate.db.user"));
    values.put("akka-persistence-jdbc.shared-databases.slick.db.password", c.getString("asyncgate.db.password"));
    values.put("akka.remote.artery.canonical.hostname", c.getString("asyncgate.cluster.host"));
    values.put("akka.remote.artery.canonical.port", c.getInt("asyncgate.cluster.port"));
    values.put("akka.http.server.parsing.max-content-length", c.getBytes("asyncgate.http.max-request-body"));
    return ConfigFactory.parseMap(values, "derived from asyncgate.*");
  }

  /**
   * The embedded database file. {@code WRITE_DELAY=0} makes H2 write each commit to the file before
   * the commit returns: a 202 is then never lost to {@code kill -9} (H2's default delays writes by
   * up to half a second).
   */
  static String h2Url(Path dataDir) {
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("asyncgate") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
  }
}
