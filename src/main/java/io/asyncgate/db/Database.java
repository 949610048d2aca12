package io.asyncgate.db;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool for asyncgate's own SQL (the view and its projection offsets), and the
 * schema. The journal has its own pool, opened by akka-persistence-jdbc on the same database.
 */
public final class Database implements AutoCloseable {
  /** Blocking JDBC work runs on this dispatcher (asyncgate.conf), never on the actors' threads. */
  public static final String BLOCKING_DISPATCHER = "asyncgate-db-dispatcher";
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  /** The dispatcher for blocking JDBC calls of this node. */
  public static Executor blockingExecutor(ActorSystem<?> system) {
    return system.dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
  }

  private final HikariDataSource dataSource;
  private final DatabaseKind kind;

  private Database(HikariDataSource dataSource, DatabaseKind kind) {
    this.dataSource = dataSource;
    this.kind = kind;
  }

  /** Opens the pool described by {@code asyncgate.db} (url, user, password, pool-size). */
  public static Database open(Config db) {
    String url = db.getString("url");
    DatabaseKind kind = DatabaseKind.of(url);
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("asyncgate-view");
    hikari.setJdbcUrl(url);
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    hikari.setMaximumPoolSize(db.getInt("pool-size"));
    hikari.setAutoCommit(true);
    hikari.setConnectionTimeout(db.getDuration("connection-timeout").toMillis());
    return new Database(new HikariDataSource(hikari), kind);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Applies {@code db/<h2|postgres>/schema.sql} statement by statement in one transaction. Every
   * statement is idempotent (the PostgreSQL file first takes an advisory lock, so nodes starting
   * together apply it one after the other); a failing one stops the start with the statement and
   * the database's message — never swallowed.
   */
  public void applySchema() {
    applySchema("db/" + kind.schemaDirectory() + "/schema.sql");
  }

  void applySchema(String resource) {
    List<String> statements = statements(resource);
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      try {
        for (String sql : statements) {
          try {
            s.execute(sql);
          } catch (SQLException e) {
            throw new IllegalStateException("applying " + resource + " failed at:\n" + sql + "\n" + e.getMessage(), e);
          }
        }
        c.commit();
      } catch (RuntimeException | SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("applying " + resource + " to " + dataSource.getJdbcUrl() + " failed: " + e.getMessage(), e);
    }
    log.info("schema {} applied ({} statements)", resource, statements.size());
  }

  /**
   * H2 only, before anything writes to the journal: its {@code ordering} column continues right
   * after the highest value the journal holds or the view's projection has passed. H2 hands those
   * values out in blocks (schema.sql says why), and a {@code kill -9} leaves the rest of a block
   * unused; without this the first event after such a restart would open a gap that the read journal
   * takes for a write still in flight, holding the view back for 10 s. Values a crash left unused
   * were never committed, so handing them out again is safe. Nothing to do on PostgreSQL, whose
   * sequence does not commit on its own per value.
   */
  public void continueJournalOrdering() {
    if (kind != DatabaseKind.H2) {
      return;
    }
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      long next;
      try (ResultSet highest = s.executeQuery("SELECT GREATEST("
          + "(SELECT COALESCE(MAX(\"ordering\"), 0) FROM \"event_journal\"), "
          + "(SELECT COALESCE(MAX(CAST(\"current_offset\" AS BIGINT)), 0) FROM \"akka_projection_offset_store\""
          + " WHERE \"manifest\" = 'SEQ')) + 1")) {
        highest.next();
        next = highest.getLong(1);
      }
      s.execute("ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" RESTART WITH " + next);
    } catch (SQLException e) {
      throw new IllegalStateException("continuing the journal's ordering on " + dataSource.getJdbcUrl() + " failed: "
          + e.getMessage(), e);
    }
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
