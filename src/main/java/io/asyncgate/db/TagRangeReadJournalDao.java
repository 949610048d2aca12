package io.asyncgate.db;

import akka.NotUsed;
import akka.persistence.PersistentRepr;
import akka.persistence.jdbc.AkkaSerialization;
import akka.persistence.jdbc.config.ReadJournalConfig;
import akka.persistence.jdbc.journal.dao.JournalTables.JournalAkkaSerializationRow;
import akka.persistence.jdbc.query.dao.DefaultReadJournalDao;
import akka.serialization.Serialization;
import akka.stream.Materializer;
import akka.stream.scaladsl.Source;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGStatement;
import scala.Option;
import scala.Tuple2;
import scala.Tuple3;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.util.Try;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * The read journal's data access with an {@code eventsByTag} query whose cost does not grow with the
 * journal. akka-persistence-jdbc 5.2.1 joins a derived table of the journal with {@code event_tag}
 * and puts the ordering range on the derived table; H2 2.2 plans that as a scan of the whole of
 * {@code event_tag}, with the derived table looked up for each row, so every page of events the
 * view's projection reads cost in proportion to every event ever written (and join orders that put
 * the range on {@code event_tag} still sort the whole range up to {@code maxOffset}). This query
 * walks the journal's ordering index from the offset and keeps the events that have the tag, one
 * key lookup in {@code event_tag} each, so the database reads about a page times the number of
 * tags and stops. Everything else is the library's.
 *
 * <p>Configured as {@code jdbc-read-journal.dao}; the library creates it reflectively with this
 * constructor. The tables are the ones {@code db/<kind>/schema.sql} creates.
 */
public final class TagRangeReadJournalDao extends DefaultReadJournalDao {

  /** Quoted lowercase names, as both schemas create them; the same SQL for H2 and PostgreSQL. */
  static final String EVENTS_BY_TAG = "SELECT j.\"ordering\", j.\"deleted\", j.\"persistence_id\", j.\"sequence_number\","
      + " j.\"writer\", j.\"write_timestamp\", j.\"adapter_manifest\", j.\"event_payload\", j.\"event_ser_id\","
      + " j.\"event_ser_manifest\", j.\"meta_payload\", j.\"meta_ser_id\", j.\"meta_ser_manifest\""
      + " FROM \"event_journal\" j WHERE j.\"ordering\" > ? AND j.\"ordering\" <= ? AND j.\"deleted\" = FALSE"
      + " AND EXISTS (SELECT 1 FROM \"event_tag\" t WHERE t.\"event_id\" = j.\"ordering\" AND t.\"tag\" = ?)"
      + " ORDER BY j.\"ordering\" LIMIT ?";

  private final Serialization serialization;

  public TagRangeReadJournalDao(JdbcBackend.DatabaseDef db, JdbcProfile profile, ReadJournalConfig readJournalConfig,
      Serialization serialization, ExecutionContext ec, Materializer mat) {
    super(db, profile, readJournalConfig, serialization, ec, mat);
    this.serialization = serialization;
  }

  @Override
  public Source<Try<Tuple3<PersistentRepr, Set<String>, Object>>, NotUsed> eventsByTag(String tag, long offset,
      long maxOffset, long max) {
    long limit = correctMaxForH2Driver(max);
    // One page, bounded by max, read at once on Slick's own threads and connections.
    SimpleJdbcAction<List<JournalAkkaSerializationRow>> page =
        SimpleJdbcAction.apply(context -> rows(context.connection(), tag, offset, maxOffset, limit));
    // Straight from Slick's future: a CompletionStage in between would complete on the common pool.
    return Source.future(run(page)).asJava()
        .mapConcat(rows -> rows)
        .map(row -> AkkaSerialization.fromRow(serialization, row).map(TagRangeReadJournalDao::withoutTags))
        .asScala();
  }

  /**
   * Runs the action as Slick's {@code run} takes it: Scala's variance admits it as it is (its effect
   * type is contravariant), Java's generics need the raw cast.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private <R> Future<R> run(SimpleJdbcAction<R> action) {
    return (Future<R>) db().run((DBIOAction) action);
  }

  /** Like the library's: the tags are not read back, the projection only needs the events. */
  private static Tuple3<PersistentRepr, Set<String>, Object> withoutTags(Tuple2<PersistentRepr, Object> reprAndOrdering) {
    return new Tuple3<>(reprAndOrdering._1(), scala.collection.immutable.Set$.MODULE$.<String>empty(), reprAndOrdering._2());
  }

  static List<JournalAkkaSerializationRow> rows(Connection connection, String tag, long offset, long maxOffset, long limit) {
    try (PreparedStatement query = connection.prepareStatement(EVENTS_BY_TAG)) {
      if (query.isWrapperFor(PGStatement.class)) {
        // Planned for each page's own offsets and the tables' size now. A server-side prepared
        // statement would soon run a generic plan, and one made while the journal was young and
        // nearly empty compares every journal row of the page with every event of the tag:
        // seconds per page once the journal has grown, until autovacuum analyses it.
        query.unwrap(PGStatement.class).setPrepareThreshold(0);
      }
      query.setLong(1, offset);
      query.setLong(2, maxOffset);
      query.setString(3, tag);
      query.setLong(4, limit);
      List<JournalAkkaSerializationRow> rows = new ArrayList<>();
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          rows.add(new JournalAkkaSerializationRow(rs.getLong(1), rs.getBoolean(2), rs.getString(3), rs.getLong(4),
              rs.getString(5), rs.getLong(6), rs.getString(7), rs.getBytes(8), rs.getInt(9), rs.getString(10),
              Option.apply(rs.getBytes(11)), nullableInt(rs, 12), Option.apply(rs.getString(13))));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("reading events by tag failed: " + e.getMessage(), e);
    }
  }

  private static Option<Object> nullableInt(ResultSet rs, int column) throws SQLException {
    int value = rs.getInt(column);
    return rs.wasNull() ? Option.empty() : Option.apply(value);
  }
}
