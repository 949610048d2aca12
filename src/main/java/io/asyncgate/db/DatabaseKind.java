package io.asyncgate.db;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The databases asyncgate runs on, chosen by the JDBC URL's scheme, and what each library needs to
 * be told about it. The one place that maps a URL to a database.
 */
public enum DatabaseKind {
  H2("jdbc:h2:", "h2", "slick.jdbc.H2Profile$", "org.h2.Driver", "h2-dialect"),
  POSTGRES("jdbc:postgresql:", "postgres", "slick.jdbc.PostgresProfile$", "org.postgresql.Driver", "postgres-dialect");

  private final String urlPrefix;
  private final String schemaDirectory;
  private final String slickProfile;
  private final String driver;
  private final String projectionDialect;

  DatabaseKind(String urlPrefix, String schemaDirectory, String slickProfile, String driver, String projectionDialect) {
    this.urlPrefix = urlPrefix;
    this.schemaDirectory = schemaDirectory;
    this.slickProfile = slickProfile;
    this.driver = driver;
    this.projectionDialect = projectionDialect;
  }

  /** The database of {@code jdbcUrl}; an unsupported one is refused naming the key and the supported schemes. */
  public static DatabaseKind of(String jdbcUrl) {
    return Arrays.stream(values())
        .filter(kind -> jdbcUrl.startsWith(kind.urlPrefix))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("asyncgate.db.url (ASYNCGATE_DB_URL) = " + jdbcUrl
            + " names no supported database; supported are "
            + Arrays.stream(values()).map(kind -> kind.urlPrefix + "…").collect(Collectors.joining(" and "))));
  }

  /** The directory under {@code db/} in the jar that holds this database's schema.sql. */
  public String schemaDirectory() {
    return schemaDirectory;
  }

  /** For akka-persistence-jdbc's Slick database. */
  public String slickProfile() {
    return slickProfile;
  }

  public String driver() {
    return driver;
  }

  /** For {@code akka.projection.jdbc.dialect}. */
  public String projectionDialect() {
    return projectionDialect;
  }
}
