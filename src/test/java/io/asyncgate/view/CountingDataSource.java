package io.asyncgate.view;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A real data source that records every statement its connections send to the database — one
 * entry per round trip: {@code "query SELECT"}, {@code "batch UPDATE"}, {@code "update INSERT"} —
 * so a test can say what a piece of work costs in statements without any timing.
 */
final class CountingDataSource implements DataSource {
  private final DataSource delegate;
  private final List<String> executed = new ArrayList<>();
  private Runnable afterNextQuery;

  CountingDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  synchronized List<String> executed() {
    return List.copyOf(executed);
  }

  synchronized void clear() {
    executed.clear();
  }

  /** Runs {@code action} once, right after the next query has returned its rows (to interleave another writer). */
  synchronized void afterNextQuery(Runnable action) {
    afterNextQuery = action;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return counting(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return counting(delegate.getConnection(username, password));
  }

  private Connection counting(Connection connection) {
    return proxy(Connection.class, connection, (method, args, result) -> {
      if (result instanceof Statement statement) {
        String sql = method.getName().startsWith("prepare") ? (String) args[0] : null;
        return proxy(method.getReturnType(), statement, (m, a, r) -> {
          record(m.getName(), sql != null ? sql : a != null && a.length > 0 && a[0] instanceof String s ? s : "");
          return r;
        });
      }
      return result;
    });
  }

  private void record(String method, String sql) {
    String kind = switch (method) {
      case "executeQuery" -> "query";
      case "executeUpdate", "executeLargeUpdate" -> "update";
      case "executeBatch", "executeLargeBatch" -> "batch";
      case "execute" -> "execute";
      default -> null;
    };
    if (kind == null) {
      return;
    }
    Runnable action;
    synchronized (this) {
      executed.add(kind + " " + sql.strip().split("\\s+")[0].toUpperCase(Locale.ROOT));
      action = kind.equals("query") ? afterNextQuery : null;
      if (action != null) {
        afterNextQuery = null;
      }
    }
    if (action != null) {
      action.run();
    }
  }

  /** What to hand back from a call on the real object, given the call and its result. */
  private interface AfterCall {
    Object apply(Method method, Object[] args, Object result) throws Exception;
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, Object target, AfterCall after) {
    InvocationHandler handler = (proxy, method, args) -> {
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      return after.apply(method, args, result);
    };
    return (T) Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[] {type}, handler);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return delegate.isWrapperFor(iface);
  }
}
