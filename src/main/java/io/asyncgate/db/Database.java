package io.asyncgate.db;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool for asyncgate's own SQL (the view and its projection offsets), and the
 * schema. The journal has its own pool, opened by akka-persistence-jdbc on the same database.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource dataSource;
  private final String dialect;

  private Database(HikariDataSource dataSource, String dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
  }

  /** Opens the pool described by {@code asyncgate.db} (url, user, password, pool-size). */
  public static Database open(Config db) {
    String url = db.getString("url");
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("asyncgate-view");
    hikari.setJdbcUrl(url);
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    hikari.setMaximumPoolSize(db.getInt("pool-size"));
    hikari.setAutoCommit(true);
    hikari.setConnectionTimeout(db.getDuration("connection-timeout").toMillis());
    return new Database(new HikariDataSource(hikari), dialectOf(url));
  }

  public static String dialectOf(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:h2:")) {
      return "h2";
    }
    throw new IllegalArgumentException("unsupported database URL " + jdbcUrl + ": asyncgate supports jdbc:h2: here");
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Applies {@code db/<dialect>/schema.sql} statement by statement. Every statement is idempotent;
   * a failing one stops the start with the statement and the database's message — never swallowed.
   */
  public void applySchema() {
    String resource = "db/" + dialect + "/schema.sql";
    List<String> statements = statements(resource);
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        try {
          s.execute(sql);
        } catch (SQLException e) {
          throw new IllegalStateException("applying " + resource + " failed at:\n" + sql + "\n" + e.getMessage(), e);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to " + dataSource.getJdbcUrl() + ": " + e.getMessage(), e);
    }
    log.info("schema {} applied ({} statements)", resource, statements.size());
  }

  static List<String> statements(String resource) {
    String text;
    try (InputStream in = Database.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.trim().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (line.trim().endsWith(";")) {
        String sql = current.toString().trim();
        statements.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    return statements;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
