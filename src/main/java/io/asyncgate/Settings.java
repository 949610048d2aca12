package io.asyncgate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.db.DatabaseKind;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the configuration in a fixed order of precedence — {@code -D} system properties, then
 * {@code ASYNCGATE_*} environment variables, then {@code application.conf} (the file in the working
 * directory, or {@code -Dconfig.file}), then the library defaults — and derives the Akka and
 * journal settings from the few {@code asyncgate.*} keys a user sets.
 */
public final class Settings {
  /** Environment variables and the keys they set. */
  static final Map<String, String> ENVIRONMENT = Map.ofEntries(
      Map.entry("ASYNCGATE_HTTP_PORT", "asyncgate.http.port"),
      Map.entry("ASYNCGATE_DATA_DIR", "asyncgate.data-dir"),
      Map.entry("ASYNCGATE_PUBLIC_BASE_URL", "asyncgate.http.public-base-url"),
      Map.entry("ASYNCGATE_DB_URL", "asyncgate.db.url"),
      Map.entry("ASYNCGATE_DB_USER", "asyncgate.db.user"),
      Map.entry("ASYNCGATE_DB_PASSWORD", "asyncgate.db.password"),
      Map.entry("ASYNCGATE_DB_CREATE_SCHEMA", "asyncgate.db.create-schema"),
      Map.entry("ASYNCGATE_SIMULATOR_ENABLED", "asyncgate.simulator.enabled"),
      Map.entry("ASYNCGATE_CLUSTER_HOST", "asyncgate.cluster.host"),
      Map.entry("ASYNCGATE_CLUSTER_PORT", "asyncgate.cluster.port"),
      Map.entry("ASYNCGATE_SEED_NODES", "asyncgate.cluster.seed-nodes"),
      Map.entry("ASYNCGATE_CLUSTER_BOOTSTRAP", "asyncgate.cluster.bootstrap.discovery"),
      Map.entry("ASYNCGATE_CLUSTER_SERVICE_NAME", "asyncgate.cluster.bootstrap.service-name"),
      Map.entry("ASYNCGATE_CLUSTER_REQUIRED_CONTACT_POINTS", "asyncgate.cluster.bootstrap.required-contact-points"),
      Map.entry("ASYNCGATE_MANAGEMENT_INTERFACE", "asyncgate.management.interface"),
      Map.entry("ASYNCGATE_MANAGEMENT_PORT", "asyncgate.management.port"),
      Map.entry("ASYNCGATE_MAX_RUNNING_SAGAS", "asyncgate.processing.max-running-sagas"),
      Map.entry("ASYNCGATE_MIN_RUNNING_SAGAS", "asyncgate.processing.min-running-sagas"),
      Map.entry("ASYNCGATE_MAX_BACKLOG", "asyncgate.processing.max-backlog"),
      Map.entry("ASYNCGATE_MAX_PENDING_SUBMITS", "asyncgate.http.max-pending-submits"));

  /** The only value of {@code asyncgate.cluster.bootstrap.discovery} besides empty (seed nodes or self-join). */
  private static final String KUBERNETES_BOOTSTRAP = "kubernetes";

  /** Room for a coordinated-shutdown phase beyond the wait asyncgate configures in it. */
  private static final Duration PHASE_MARGIN = Duration.ofSeconds(2);
  /** Bytes of a BLOB or CLOB value H2 keeps in its row; see {@link #h2Url}. */
  private static final int H2_MAX_LENGTH_INPLACE_LOB = 16 * 1024;

  private Settings() {}

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
    DatabaseKind kind = DatabaseKind.of(url);
    Map<String, Object> values = new HashMap<>();
    values.put("asyncgate.db.url", url);
    values.put("akka-persistence-jdbc.shared-databases.slick.profile", kind.slickProfile());
    values.put("akka-persistence-jdbc.shared-databases.slick.db.driver", kind.driver());
    values.put("akka-persistence-jdbc.shared-databases.slick.db.url", url);
    values.put("akka-persistence-jdbc.shared-databases.slick.db.user", c.getString("asyncgate.db.user"));
    values.put("akka-persistence-jdbc.shared-databases.slick.db.password", c.getString("asyncgate.db.password"));
    values.put("akka-persistence-jdbc.shared-databases.slick.db.connectionTimeout",
        c.getDuration("asyncgate.db.connection-timeout").toMillis());
    // Slick wants as many threads as connections.
    int journalPool = c.getInt("asyncgate.db.journal.pool-size");
    values.put("akka-persistence-jdbc.shared-databases.slick.db.numThreads", journalPool);
    values.put("akka-persistence-jdbc.shared-databases.slick.db.maxConnections", journalPool);
    values.put("jdbc-journal.batchSize", c.getInt("asyncgate.db.journal.batch-size"));
    values.put("jdbc-journal.bufferSize", journalBufferSize(c));
    values.put("jdbc-journal.parallelism", journalParallelism(c, kind));
    values.put("akka.projection.jdbc.dialect", kind.projectionDialect());
    // Each projection thread holds one connection of asyncgate's pool.
    values.put("akka.projection.jdbc.blocking-jdbc-dispatcher.thread-pool-executor.fixed-pool-size",
        c.getInt("asyncgate.db.pool-size"));
    values.put("akka.remote.artery.canonical.hostname", c.getString("asyncgate.cluster.host"));
    values.put("akka.remote.artery.canonical.port", c.getInt("asyncgate.cluster.port"));
    values.put("akka.cluster.seed-nodes", seedNodeAddresses(c.getString("asyncgate.cluster.seed-nodes")));
    values.put("akka.management.http.hostname", c.getString("asyncgate.cluster.host"));
    values.put("akka.management.http.bind-hostname", c.getString("asyncgate.management.interface"));
    values.put("akka.management.http.port", c.getInt("asyncgate.management.port"));
    values.putAll(bootstrap(c));
    Duration unbindDelay = c.getDuration("asyncgate.shutdown.unbind-delay");
    Duration drainDeadline = c.getDuration("asyncgate.shutdown.drain-deadline");
    // Each phase must outlast the wait asyncgate puts in it, or coordinated shutdown cuts it short.
    values.put("akka.coordinated-shutdown.phases.before-service-unbind.timeout", unbindDelay.plus(PHASE_MARGIN).toMillis() + "ms");
    values.put("akka.coordinated-shutdown.phases.service-requests-done.timeout", drainDeadline.plus(PHASE_MARGIN).toMillis() + "ms");
    values.put("akka.http.server.parsing.max-content-length", c.getBytes("asyncgate.http.max-request-body"));
    return ConfigFactory.parseMap(values, "derived from asyncgate.*");
  }

  private static int journalParallelism(Config c, DatabaseKind kind) {
    String key = "asyncgate.db.journal.parallelism";
    if (c.getString(key).equals("auto")) {
      return kind == DatabaseKind.H2 ? 1 : 8;
    }
    return c.getInt(key);
  }

  /**
   * The journal's write buffer, which must never fill: a write it drops fails its entity, and a run of
   * them opens the journal's breaker for every entity. At most one write per entity is in flight —
   * one per running saga and one per HTTP request that writes (submit, cancel, delete).
   */
  private static int journalBufferSize(Config c) {
    int size = c.getInt("asyncgate.db.journal.buffer-size");
    int writers = c.getInt("asyncgate.processing.max-running-sagas") + c.getInt("akka.http.server.max-connections");
    if (size <= writers) {
      throw new IllegalArgumentException("asyncgate.db.journal.buffer-size is " + size + "; it must exceed"
          + " asyncgate.processing.max-running-sagas + akka.http.server.max-connections (" + writers
          + "), the writes that can be in flight at once, or a busy node fails writes it acknowledged work for");
    }
    return size;
  }

  /**
   * {@code host:port, host:port} as Akka addresses of the actor system {@value AsyncGate#SYSTEM_NAME}; a
   * malformed entry stops the start with a message naming it.
   */
  private static List<String> seedNodeAddresses(String hostPorts) {
    List<String> addresses = new ArrayList<>();
    for (String entry : hostPorts.split(",")) {
      String hostPort = entry.strip();
      if (hostPort.isEmpty()) {
        continue;
      }
      int colon = hostPort.lastIndexOf(':');
      String port = hostPort.substring(colon + 1);
      if (colon < 1 || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
        throw new IllegalArgumentException("asyncgate.cluster.seed-nodes (ASYNCGATE_SEED_NODES): \"" + hostPort
            + "\" is not host:port with a port from 1 to 65535");
      }
      addresses.add("akka://" + AsyncGate.SYSTEM_NAME + "@" + hostPort);
    }
    return addresses;
  }

  /** Cluster Bootstrap through the Kubernetes API instead of seed nodes, when asked for. */
  private static Map<String, Object> bootstrap(Config c) {
    String discovery = c.getString("asyncgate.cluster.bootstrap.discovery");
    if (discovery.isBlank()) {
      return Map.of();
    }
    if (!discovery.equals(KUBERNETES_BOOTSTRAP)) {
      throw new IllegalArgumentException("asyncgate.cluster.bootstrap.discovery (ASYNCGATE_CLUSTER_BOOTSTRAP) is \""
          + discovery + "\"; it takes \"" + KUBERNETES_BOOTSTRAP + "\" or nothing");
    }
    if (!c.getString("asyncgate.cluster.seed-nodes").isBlank()) {
      throw new IllegalArgumentException("asyncgate.cluster.seed-nodes and asyncgate.cluster.bootstrap.discovery are"
          + " both set; a node joins either through seed nodes or through Cluster Bootstrap");
    }
    String contactPoints = "akka.management.cluster.bootstrap.contact-point-discovery.";
    return Map.of(
        contactPoints + "discovery-method", "kubernetes-api",
        contactPoints + "service-name", c.getString("asyncgate.cluster.bootstrap.service-name"),
        contactPoints + "required-contact-point-nr", c.getInt("asyncgate.cluster.bootstrap.required-contact-points"));
  }

  /**
   * The embedded database file. {@code WRITE_DELAY=0} makes H2 write each commit to the file before
   * the commit returns: a 202 is then never lost to {@code kill -9} (H2's default delays writes by
   * up to half a second). {@code MAX_LENGTH_INPLACE_LOB}: payloads and progress up to 16 KiB stay in
   * their row instead of H2's separate LOB storage (default 256 bytes, less than most events), which
   * cost several times more per journal write, journal read and view update; persistent, and values
   * stored before keep working from where they are.
   */
  static String h2Url(Path dataDir) {
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("asyncgate")
        + ";WRITE_DELAY=0;MAX_LENGTH_INPLACE_LOB=" + H2_MAX_LENGTH_INPLACE_LOB + ";DB_CLOSE_ON_EXIT=FALSE";
  }
}
