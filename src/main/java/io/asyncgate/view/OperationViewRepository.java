package io.asyncgate.view;

import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationEvent.Accepted;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.Progress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The SQL of the {@code operation_view} table, for the projection (writes) and the API (reads). */
public final class OperationViewRepository {
  /** Listings leave the result bodies out: items are status documents, never results. */
  private static final String LIST_COLUMNS =
      "id, operation_type, principal, progress, seq_nr, result_content_type, result_file_name, created_at";
  private static final String COLUMNS = LIST_COLUMNS + ", result_body";

  private final DataSource dataSource;

  public OperationViewRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  // ---- writes, inside the projection's transaction

  void apply(Connection c, String id, long seqNr, OperationEvent event) throws SQLException {
    if (event instanceof Accepted accepted) {
      insert(c, accepted.request(), seqNr);
      return;
    }
    OperationView current = rowForUpdate(c, id).orElseThrow(() -> new IllegalStateException(
        "view has no row for operation " + id + " to apply " + event.getClass().getSimpleName()));
    // The operation's fold decides the row: the columns are what it says, never a decision of their own.
    OperationView next = current.apply(event);
    Progress progress = next.progress();
    try (PreparedStatement s = c.prepareStatement(
        "UPDATE operation_view SET status = ?, updated_at = ?, progress = ?, purged = ?, seq_nr = ? WHERE id = ?")) {
      s.setString(1, progress.status().name());
      s.setLong(2, progress.updatedAt().toEpochMilli());
      s.setString(3, Json.string(progress));
      s.setBoolean(4, progress.purged());
      s.setLong(5, seqNr);
      s.setString(6, id);
      s.executeUpdate();
    }
    // The row was read without its body: the fold hands that same result back unless the event set or removed it.
    if (next.result() != current.result()) {
      OperationResult result = next.result();
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE operation_view SET result_content_type = ?, result_file_name = ?, result_body = ? WHERE id = ?")) {
        s.setString(1, result == null ? null : result.contentType());
        s.setString(2, result == null ? null : result.fileName());
        s.setBytes(3, result == null ? null : result.body());
        s.setString(4, id);
        s.executeUpdate();
      }
    }
  }

  private static void insert(Connection c, OperationRequest request, long seqNr) throws SQLException {
    Progress progress = Progress.accepted(request);
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO operation_view (id, operation_type, principal, status, created_at, updated_at, progress, seq_nr)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, request.id());
      s.setString(2, request.type());
      s.setString(3, request.principal());
      s.setString(4, progress.status().name());
      s.setLong(5, request.acceptedAt().toEpochMilli());
      s.setLong(6, request.acceptedAt().toEpochMilli());
      s.setString(7, Json.string(progress));
      s.setLong(8, seqNr);
      s.executeUpdate();
    }
  }

  private static Optional<OperationView> rowForUpdate(Connection c, String id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT " + LIST_COLUMNS + " FROM operation_view WHERE id = ? FOR UPDATE")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(row(rs, false)) : Optional.empty();
      }
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
        return rs.next() ? Optional.of(new Row(row(rs, true), rs.getLong("seq_nr"))) : Optional.empty();
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
