package io.asyncgate.view;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.ShardedDaemonProcessSettings;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.Offset;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.javadsl.GroupedProjection;
import akka.projection.javadsl.SourceProvider;
import akka.projection.jdbc.javadsl.JdbcProjection;
import io.asyncgate.db.DatabaseKind;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.RequestBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The response buffer: a projection of every operation's events into {@code operation_view}, one
 * projection per tag slice, spread over the cluster by a sharded daemon process. Offsets commit in
 * the same transaction as the rows (exactly-once), a group of events at a time.
 */
public final class ResponseBuffer {
  static final String NAME = "response-buffer";
  private static final int GROUP_AFTER_EVENTS = 100;
  private static final Duration GROUP_AFTER = Duration.ofMillis(100);

  private ResponseBuffer() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    OperationViewRepository repository = new OperationViewRepository(dataSource);
    DatabaseKind kind = kindOf(dataSource);
    List<String> tags = RequestBuffer.tags();
    ShardedDaemonProcess.get(system).init(
        ProjectionBehavior.Command.class,
        NAME,
        tags.size(),
        i -> ProjectionBehavior.create(projection(system, dataSource, kind, repository, tags.get(i))),
        ShardedDaemonProcessSettings.create(system),
        Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<OperationEvent>> projection(
      ActorSystem<?> system, DataSource dataSource, DatabaseKind kind, OperationViewRepository repository, String tag) {
    SourceProvider<Offset, EventEnvelope<OperationEvent>> events =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.groupedWithin(
            ProjectionId.of(NAME, tag),
            events,
            () -> new PlainJdbcSession(dataSource, kind),
            () -> new ResponseBufferHandler(repository),
            system)
        // One transaction (rows and offset) per group, not per event: under load most of the view's
        // cost was its commits; the handler writes each row of a group once. Reads of one operation
        // do not wait for it (OperationLookup catches up).
        .withGroup(GROUP_AFTER_EVENTS, GROUP_AFTER)
        // A failing row (the database away) is retried, not skipped: the view must not lose events.
        .withRestartBackoff(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2);
  }

  /** The database behind the pool, once: its view sessions differ (see PlainJdbcSession). */
  private static DatabaseKind kindOf(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return DatabaseKind.of(c.getMetaData().getURL());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the view's database: " + e.getMessage(), e);
    }
  }
}
