package io.asyncgate.view;

import akka.japi.function.Function;
import akka.projection.jdbc.JdbcSession;
import io.asyncgate.db.DatabaseKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** One transaction on a pooled connection: the view rows and the projection offset commit together. */
final class PlainJdbcSession implements JdbcSession {
  private final Connection connection;

  PlainJdbcSession(DataSource dataSource, DatabaseKind kind) {
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open a view session: " + e.getMessage(), e);
    }
    try {
      connection.setAutoCommit(false);
      if (kind == DatabaseKind.POSTGRES) {
        // The commit need not wait for the WAL flush: rows and offset commit together, so a
        // transaction a crash loses is simply projected again. LOCAL: this transaction only, the
        // pooled connection keeps the default.
        try (Statement s = connection.createStatement()) {
          s.execute("SET LOCAL synchronous_commit = off");
        }
      }
    } catch (SQLException e) {
      try {
        connection.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw new IllegalStateException("cannot open a view session: " + e.getMessage(), e);
    }
  }

  @Override
  public <Result> Result withConnection(Function<Connection, Result> func) throws Exception {
    return func.apply(connection);
  }

  @Override
  public void commit() throws SQLException {
    connection.commit();
  }

  @Override
  public void rollback() throws SQLException {
    connection.rollback();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
