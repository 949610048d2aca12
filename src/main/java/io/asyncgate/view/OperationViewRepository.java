package io.asyncgate.view;

import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationEvent.Purged;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.Progress;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** The SQL of the {@code operation_view} table, for the projection (writes) and the API (reads). */
public final class OperationViewRepository {
  /** Listings leave the result bodies out: items are status documents, never results. */
  private static final String LIST_COLUMNS =
      "id, operation_type, principal, progress, seq_nr, result_content_type, result_file_name, created_at";
  private static final String COLUMNS = LIST_COLUMNS + ", purged, updated_at, result_body";

  private final DataSource dataSource;

  public OperationViewRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  // ---- writes, inside the projection's transaction

  /**
   * What the view holds of one operation, as the projection reads it before applying a group. The
   * view's result carries no body (the projection never needs it); a purged row's progress is not
   * read at all: nothing is applied to it any more.
   */
  record Stored(OperationView view, long seqNr, boolean purged) {}

  /** The rows of {@code ids} that exist, in one query. */
  Map<String, Stored> rows(Connection c, Collection<String> ids) throws SQLException {
    Map<String, Stored> rows = new HashMap<>();
    if (ids.isEmpty()) {
      return rows;
    }
    // One statement text whatever the number of ids (PostgreSQL prepares it once; H2 uses the key).
    try (PreparedStatement s = c.prepareStatement(
        "SELECT " + LIST_COLUMNS + ", purged FROM operation_view WHERE id = ANY(?)")) {
      Array array = c.createArrayOf("VARCHAR", ids.toArray());
      try {
        s.setArray(1, array);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            String id = rs.getString("id");
            boolean purged = rs.getBoolean("purged");
            rows.put(id, new Stored(purged ? null : row(rs, false), rs.getLong("seq_nr"), purged));
          }
        }
      } finally {
        array.free();
      }
    }
    return rows;
  }

  /** A row as the group left it: {@code resultChanged} when the group's events set or removed the result. */
  record Written(OperationView view, long seqNr, boolean resultChanged) {}

  /** New rows, in one batch. */
  void insert(Connection c, List<Written> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO operation_view (id, operation_type, principal, status, created_at, updated_at, progress, seq_nr,"
            + " purged, result_content_type, result_file_name, result_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Written row : rows) {
        OperationView view = row.view();
        Progress progress = view.progress();
        s.setString(1, view.id());
        s.setString(2, view.type());
        s.setString(3, view.principal());
        s.setString(4, progress.status().name());
        s.setLong(5, progress.createdAt().toEpochMilli());
        s.setLong(6, progress.updatedAt().toEpochMilli());
        s.setString(7, Json.string(progress));
        s.setLong(8, row.seqNr());
        s.setBoolean(9, progress.purged());
        setResult(s, 10, view.result());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /**
   * Existing rows, in one batch per statement shape: the result columns are written only for the
   * rows whose result changed (the projection never reads bodies). {@code AND NOT purged}: a row the
   * request path purged meanwhile ({@link #markPurged}) stays purged and keeps no result.
   */
  void update(Connection c, List<Written> rows) throws SQLException {
    String progressColumns = "status = ?, updated_at = ?, progress = ?, purged = ?, seq_nr = ?";
    List<Written> progressOnly = rows.stream().filter(row -> !row.resultChanged()).toList();
    List<Written> withResult = rows.stream().filter(Written::resultChanged).toList();
    update(c, "UPDATE operation_view SET " + progressColumns + " WHERE id = ? AND NOT purged", progressOnly, false);
    update(c, "UPDATE operation_view SET " + progressColumns
        + ", result_content_type = ?, result_file_name = ?, result_body = ? WHERE id = ? AND NOT purged", withResult, true);
  }

  private static void update(Connection c, String sql, List<Written> rows, boolean withResult) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (Written row : rows) {
        Progress progress = row.view().progress();
        s.setString(1, progress.status().name());
        s.setLong(2, progress.updatedAt().toEpochMilli());
        s.setString(3, Json.string(progress));
        s.setBoolean(4, progress.purged());
        s.setLong(5, row.seqNr());
        int next = 6;
        if (withResult) {
          setResult(s, next, row.view().result());
          next += 3;
        }
        s.setString(next, row.view().id());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static void setResult(PreparedStatement s, int first, OperationResult result) throws SQLException {
    s.setString(first, result == null ? null : result.contentType());
    s.setString(first + 1, result == null ? null : result.fileName());
    s.setBytes(first + 2, result == null ? null : result.body());
  }

  // ---- writes by the request path (blocking: call on the database dispatcher)

  /**
   * Marks the operation's row purged and drops its result, at once, when a client purges it: reads
   * on any node answer 410 from then on, however far the projection lags behind the {@code Purged}
   * event (which it then skips, as every event for a purged row). With no row yet (the projection
   * has not applied {@code Accepted}) the purged operation as its entity answered it is written as
   * the row: the projection skips all its events, so it never shows the operation finished but not
   * purged in between. Returns whether this call wrote the row.
   */
  public boolean markPurged(OperationView purged) {
    try (Connection c = dataSource.getConnection()) {
      if (markExistingRowPurged(c, purged.id())) {
        return true;
      }
      try {
        insert(c, List.of(new Written(purged, 0L, true)));
        return true;
      } catch (SQLException e) {
        if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw e;
        }
        return markExistingRowPurged(c, purged.id()); // the projection wrote the row meanwhile
      }
    } catch (SQLException e) {
      throw new IllegalStateException("marking operation " + purged.id() + " purged in the view failed: " + e.getMessage(), e);
    }
  }

  /** SQLSTATE of a duplicate key, on H2 and on PostgreSQL. */
  private static final String UNIQUE_VIOLATION = "23505";

  private static boolean markExistingRowPurged(Connection c, String id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE operation_view SET purged = TRUE, updated_at = ?,"
        + " result_content_type = NULL, result_file_name = NULL, result_body = NULL WHERE id = ? AND NOT purged")) {
      s.setLong(1, System.currentTimeMillis());
      s.setString(2, id);
      return s.executeUpdate() > 0;
    }
  }

  // ---- reads (blocking: call on the database dispatcher)

  /** A view row and the sequence number of the last event applied to it. */
  public record Row(OperationView view, long seqNr) {}

  public Optional<Row> find(String id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM operation_view WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        OperationView view = row(rs, true);
        if (rs.getBoolean("purged")) {
          view = purged(view, rs.getLong("updated_at"));
        }
        return Optional.of(new Row(view, rs.getLong("seq_nr")));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading operation " + id + " from the view failed: " + e.getMessage(), e);
    }
  }

  /** Position in the newest-first listing: created time, then id. */
  public record Cursor(long createdAt, String id) {}

  public record ListQuery(String principal, String type, OperationStatus status, Instant createdAfter, int limit, Cursor after) {}

  public record Page(List<OperationView> items, Optional<Cursor> next) {}

  public Page list(ListQuery q) {
    StringBuilder sql = new StringBuilder(
        "SELECT " + LIST_COLUMNS + " FROM operation_view WHERE principal = ? AND NOT purged");
    List<Object> args = new ArrayList<>();
    args.add(q.principal());
    if (q.type() != null) {
      sql.append(" AND operation_type = ?");
      args.add(q.type());
    }
    if (q.status() != null) {
      sql.append(" AND status = ?");
      args.add(q.status().name());
    }
    if (q.createdAfter() != null) {
      sql.append(" AND created_at > ?");
      args.add(q.createdAfter().toEpochMilli());
    }
    if (q.after() != null) {
      sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
      args.add(q.after().createdAt());
      args.add(q.after().createdAt());
      args.add(q.after().id());
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    args.add(q.limit() + 1); // one more tells whether there is a next page
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        s.setObject(i + 1, args.get(i));
      }
      List<OperationView> items = new ArrayList<>();
      List<Long> created = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          items.add(row(rs, false));
          created.add(rs.getLong("created_at"));
        }
      }
      if (items.size() <= q.limit()) {
        return new Page(items, Optional.empty());
      }
      OperationView last = items.get(q.limit() - 1);
      return new Page(items.subList(0, q.limit()), Optional.of(new Cursor(created.get(q.limit() - 1), last.id())));
    } catch (SQLException e) {
      throw new IllegalStateException("listing operations failed: " + e.getMessage(), e);
    }
  }

  /**
   * A row purged by the request path still holds the progress of before (only the projection
   * writes progress, and it skips purged rows): the fold says what purged looks like, as of the
   * purge.
   */
  private static OperationView purged(OperationView view, long purgedAt) {
    return view.progress().purged() ? view : view.apply(new Purged(Instant.ofEpochMilli(purgedAt)));
  }

  private static OperationView row(ResultSet rs, boolean withBody) throws SQLException {
    Progress progress = Json.read(rs.getString("progress"), Progress.class);
    String contentType = rs.getString("result_content_type");
    OperationResult result = null;
    if (contentType != null) {
      byte[] body = withBody ? rs.getBytes("result_body") : new byte[0];
      result = new OperationResult(contentType, rs.getString("result_file_name"), body);
    }
    return new OperationView(rs.getString("id"), rs.getString("operation_type"), rs.getString("principal"), progress, result);
  }
}
