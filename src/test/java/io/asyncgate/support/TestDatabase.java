package io.asyncgate.support;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty database for one test: H2 files in a temporary directory, or — with
 * {@code -Dasyncgate.test.database=postgres} — a database of its own created on the PostgreSQL
 * server at {@code ASYNCGATE_TEST_POSTGRES_URL} and dropped by {@link #close()}. Without a server
 * there, the test is skipped (a JUnit assumption), saying how to run it.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String PROPERTY = "asyncgate.test.database";
  private static final String POSTGRES_URL = "ASYNCGATE_TEST_POSTGRES_URL";
  private static final String DEFAULT_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

  private final Path dataDir;
  private final String url;
  private final String user;
  private final String password;
  /** Where our PostgreSQL database was created, to drop it; empty on H2. */
  private final Optional<Server> server;

  /** A PostgreSQL server's maintenance database, and the name of the database created there. */
  private record Server(String maintenanceUrl, String database) {}

  private TestDatabase(Path dataDir, String url, String user, String password, Optional<Server> server) {
    this.dataDir = dataDir;
    this.url = url;
    this.user = user;
    this.password = password;
    this.server = server;
  }

  /** The database that {@code asyncgate.test.database} (h2 by default) asks for. */
  public static TestDatabase create() {
    Path dataDir = temporaryDirectory();
    String kind = System.getProperty(PROPERTY, "h2");
    return switch (kind) {
      case "h2" -> new TestDatabase(dataDir, h2Url(dataDir), "asyncgate", "", Optional.empty());
      case "postgres" -> createOnPostgres(dataDir);
      default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + kind + ": expected h2 or postgres");
    };
  }

  /**
   * A fresh database on the PostgreSQL server whatever {@code asyncgate.test.database} says: for the
   * tests that need several processes on one database, which H2 cannot be.
   */
  public static TestDatabase postgres() {
    return createOnPostgres(temporaryDirectory());
  }

  public static boolean isPostgres() {
    return System.getProperty(PROPERTY, "h2").equals("postgres");
  }

  private static TestDatabase createOnPostgres(Path dataDir) {
    String serverUrl = Optional.ofNullable(System.getenv(POSTGRES_URL)).orElse(DEFAULT_POSTGRES_URL);
    String user = Optional.ofNullable(System.getenv("ASYNCGATE_TEST_POSTGRES_USER")).orElse("postgres");
    String password = Optional.ofNullable(System.getenv("ASYNCGATE_TEST_POSTGRES_PASSWORD")).orElse("");
    String name = "asyncgate_test_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(serverUrl, user, password); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      Assumptions.abort("no PostgreSQL at " + serverUrl + " as " + user + " (" + e.getMessage() + "). To run the"
          + " PostgreSQL tests, start PostgreSQL there, or set " + POSTGRES_URL + " (and ASYNCGATE_TEST_POSTGRES_USER,"
          + " ASYNCGATE_TEST_POSTGRES_PASSWORD) to a server where this user may create databases.");
    }
    String url = serverUrl.substring(0, serverUrl.lastIndexOf('/') + 1) + name;
    return new TestDatabase(dataDir, url, user, password, Optional.of(new Server(serverUrl, name)));
  }

  /** The H2 URL a node derives from its data directory when {@code asyncgate.db.url} is empty. */
  private static String h2Url(Path dataDir) {
    Config derived = Settings.load(ConfigFactory.parseMap(Map.of("asyncgate.data-dir", dataDir.toString(), "asyncgate.db.url", "")),
        Map.of());
    return derived.getString("asyncgate.db.url");
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("asyncgate-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** The node's settings for this database (and its data directory). */
  public Config settings() {
    return ConfigFactory.parseMap(Map.of(
        "asyncgate.data-dir", dataDir.toString(),
        "asyncgate.db.url", url,
        "asyncgate.db.user", user,
        "asyncgate.db.password", password));
  }

  /** An {@code asyncgate.db} block for {@link io.asyncgate.db.Database#open}. */
  public Config poolSettings(int poolSize) {
    return ConfigFactory.parseMap(Map.of(
        "url", url, "user", user, "password", password, "pool-size", poolSize, "connection-timeout", "5s"));
  }

  /**
   * This PostgreSQL server and user as libpq's variables ({@code PGHOST}, {@code PGPORT},
   * {@code PGUSER}, {@code PGPASSWORD}), for tests that run {@code psql} or {@code createdb}.
   */
  public Map<String, String> libpqEnvironment() {
    URI maintenance = URI.create(postgresServer().maintenanceUrl().substring("jdbc:".length()));
    return Map.of(
        "PGHOST", maintenance.getHost(),
        "PGPORT", String.valueOf(maintenance.getPort() == -1 ? 5432 : maintenance.getPort()),
        "PGUSER", user,
        "PGPASSWORD", password);
  }

  /** Drops the PostgreSQL database, whoever is still connected to it. */
  @Override
  public void close() {
    if (server.isPresent()) {
      drop(server.get().database());
    }
  }

  /** Drops {@code name} on this PostgreSQL server, e.g. a database a test's shell commands created. */
  public void drop(String name) {
    executeOnServer("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  /** Runs statements on this PostgreSQL server's maintenance database, e.g. for roles, which are server-wide. */
  public void executeOnServer(String... statements) {
    try (Connection c = DriverManager.getConnection(postgresServer().maintenanceUrl(), user, password);
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("on the test server: " + e.getMessage(), e);
    }
  }

  private Server postgresServer() {
    return server.orElseThrow(() -> new IllegalStateException("not a PostgreSQL test database"));
  }
}
