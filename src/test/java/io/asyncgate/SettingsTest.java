package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

  @Test
  void clusterEnvironmentVariablesBecomeAkkaRemotingSeedNodesAndManagement() {
    Map<String, String> env = Map.of(
        "ASYNCGATE_CLUSTER_HOST", "10.0.0.5",
        "ASYNCGATE_CLUSTER_PORT", "25521",
        "ASYNCGATE_SEED_NODES", "10.0.0.4:25520, node-c.internal:25522",
        "ASYNCGATE_MANAGEMENT_PORT", "8559");
    Config c = Settings.load(ConfigFactory.empty(), env);
    assertEquals("10.0.0.5", c.getString("akka.remote.artery.canonical.hostname"));
    assertEquals(25521, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals(List.of("akka://asyncgate@10.0.0.4:25520", "akka://asyncgate@node-c.internal:25522"),
        c.getStringList("akka.cluster.seed-nodes"));
    assertEquals(8559, c.getInt("akka.management.http.port"));
    assertEquals("10.0.0.5", c.getString("akka.management.http.hostname"));
  }

  @Test
  void withoutSeedNodesTheNodeJoinsNoOneByConfiguration() {
    Config c = Settings.load(ConfigFactory.empty(), Map.of());
    assertEquals(List.of(), c.getStringList("akka.cluster.seed-nodes"));
    assertEquals(25520, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals(8558, c.getInt("akka.management.http.port"));
  }

  @Test
  void aMalformedSeedNodeStopsTheStartNamingTheEntry() {
    for (String malformed : List.of("10.0.0.4", "10.0.0.4:", ":25520", "10.0.0.4:port", "10.0.0.4:70000", "10.0.0.4:0")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Settings.load(ConfigFactory.empty(), Map.of("ASYNCGATE_SEED_NODES", "10.0.0.3:25520," + malformed)));
      assertTrue(e.getMessage().contains("\"" + malformed + "\""), e.getMessage());
      assertTrue(e.getMessage().contains("ASYNCGATE_SEED_NODES"), e.getMessage());
    }
  }

  @Test
  void kubernetesBootstrapDiscoversPodsOfTheServiceThroughTheKubernetesApi() {
    Config c = Settings.load(ConfigFactory.empty(), Map.of(
        "ASYNCGATE_CLUSTER_BOOTSTRAP", "kubernetes",
        "ASYNCGATE_CLUSTER_SERVICE_NAME", "orders-gate",
        "ASYNCGATE_CLUSTER_REQUIRED_CONTACT_POINTS", "3"));
    Config discovery = c.getConfig("akka.management.cluster.bootstrap.contact-point-discovery");
    assertEquals("kubernetes-api", discovery.getString("discovery-method"));
    assertEquals("orders-gate", discovery.getString("service-name"));
    assertEquals(3, discovery.getInt("required-contact-point-nr"));
  }

  @Test
  void bootstrapTakesOnlyKubernetesAndNotTogetherWithSeedNodes() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> Settings.load(ConfigFactory.empty(), Map.of("ASYNCGATE_CLUSTER_BOOTSTRAP", "consul")));
    assertTrue(unknown.getMessage().contains("\"consul\""), unknown.getMessage());
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> Settings.load(ConfigFactory.empty(), Map.of(
            "ASYNCGATE_CLUSTER_BOOTSTRAP", "kubernetes", "ASYNCGATE_SEED_NODES", "10.0.0.4:25520")));
    assertTrue(both.getMessage().contains("both set"), both.getMessage());
  }

  @Test
  void theShutdownPhasesOutlastTheWaitsConfiguredInThem() {
    Config c = Settings.load(ConfigFactory.parseString(
        "asyncgate.shutdown.unbind-delay = 5s, asyncgate.shutdown.drain-deadline = 9s"), Map.of());
    Config phases = c.getConfig("akka.coordinated-shutdown.phases");
    assertEquals(Duration.ofSeconds(7), phases.getDuration("before-service-unbind.timeout"));
    assertEquals(Duration.ofSeconds(11), phases.getDuration("service-requests-done.timeout"));
  }

  @Test
  void aPostgresqlUrlSelectsPostgresqlForTheJournalAndTheProjection() {
    Map<String, String> env = Map.of(
        "ASYNCGATE_DB_URL", "jdbc:postgresql://db.example.com:5432/asyncgate",
        "ASYNCGATE_DB_USER", "gate",
        "ASYNCGATE_DB_PASSWORD", "secret",
        "ASYNCGATE_DB_CREATE_SCHEMA", "false");
    Config c = Settings.load(ConfigFactory.empty(), env);
    String slick = "akka-persistence-jdbc.shared-databases.slick.";
    assertEquals("jdbc:postgresql://db.example.com:5432/asyncgate", c.getString(slick + "db.url"));
    assertEquals("gate", c.getString(slick + "db.user"));
    assertEquals("secret", c.getString(slick + "db.password"));
    assertEquals("slick.jdbc.PostgresProfile$", c.getString(slick + "profile"));
    assertEquals("org.postgresql.Driver", c.getString(slick + "db.driver"));
    assertEquals("postgres-dialect", c.getString("akka.projection.jdbc.dialect"));
    assertFalse(c.getBoolean("asyncgate.db.create-schema"));
  }

  @Test
  void poolSizesAndJournalBatchingAreAsyncgateKeys() {
    Config c = Settings.load(ConfigFactory.parseString("""
        asyncgate.db { pool-size = 3, connection-timeout = 2s
          journal { pool-size = 12, batch-size = 50, buffer-size = 5000, parallelism = 4 } }"""), Map.of());
    assertEquals(3, c.getInt("akka.projection.jdbc.blocking-jdbc-dispatcher.thread-pool-executor.fixed-pool-size"));
    assertEquals(12, c.getInt("akka-persistence-jdbc.shared-databases.slick.db.maxConnections"));
    assertEquals(12, c.getInt("akka-persistence-jdbc.shared-databases.slick.db.numThreads"));
    assertEquals(2000, c.getInt("akka-persistence-jdbc.shared-databases.slick.db.connectionTimeout"));
    assertEquals(50, c.getInt("jdbc-journal.batchSize"));
    assertEquals(5000, c.getInt("jdbc-journal.bufferSize"));
    assertEquals(4, c.getInt("jdbc-journal.parallelism"));
  }

  @Test
  void anUnsupportedDatabaseUrlStopsTheStartNamingTheKeyAndTheSupportedOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.load(
        ConfigFactory.empty(), Map.of("ASYNCGATE_DB_URL", "jdbc:mysql://localhost/asyncgate")));
    assertTrue(e.getMessage().contains("asyncgate.db.url"), e.getMessage());
    assertTrue(e.getMessage().contains("jdbc:h2:") && e.getMessage().contains("jdbc:postgresql:"), e.getMessage());
  }

  @Test
  void aJournalBufferThatCouldOverflowUnderFullLoadStopsTheStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.load(
        ConfigFactory.parseString("asyncgate.db.journal.buffer-size = 1000"), Map.of("ASYNCGATE_MAX_RUNNING_SAGAS", "256")));
    assertTrue(e.getMessage().contains("buffer-size is 1000") && e.getMessage().contains("(1280)"), e.getMessage());
    Config roomy = Settings.load(ConfigFactory.parseString("asyncgate.db.journal.buffer-size = 1281"), Map.of());
    assertEquals(1281, roomy.getInt("jdbc-journal.bufferSize"));
  }

  @Test
  void theJournalWritesOneBatchAtATimeOnH2AndEightOnPostgresUnlessToldOtherwise() {
    assertEquals(1, Settings.load(ConfigFactory.empty(), Map.of()).getInt("jdbc-journal.parallelism"));
    assertEquals(8, Settings.load(ConfigFactory.empty(), Map.of("ASYNCGATE_DB_URL", "jdbc:postgresql://db:5432/asyncgate"))
        .getInt("jdbc-journal.parallelism"));
  }
}
