package io.asyncgate.view;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationEvent.Accepted;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.Progress;
import io.asyncgate.operation.RequestBuffer;
import io.asyncgate.view.OperationViewRepository.Stored;
import io.asyncgate.view.OperationViewRepository.Written;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a group of events to their operations' view rows — in the one transaction that also
 * stores the projection's offset, so the view is exactly-once. Set-based: one query reads every row
 * the group touches, the events are folded per operation in memory, and each touched row is
 * written once (a batch of inserts, a batch of updates), whatever the number of events. No row
 * locks: one projection instance owns a tag slice, and so each operation, at a time.
 */
final class ResponseBufferHandler extends JdbcHandler<List<EventEnvelope<OperationEvent>>, PlainJdbcSession> {
  private final OperationViewRepository repository;

  ResponseBufferHandler(OperationViewRepository repository) {
    this.repository = repository;
  }

  @Override
  public void process(PlainJdbcSession session, List<EventEnvelope<OperationEvent>> envelopes) throws Exception {
    // A tag slice delivers each operation's events in sequence order, so this keeps them in order.
    Map<String, List<EventEnvelope<OperationEvent>>> byOperation = new LinkedHashMap<>();
    for (EventEnvelope<OperationEvent> envelope : envelopes) {
      byOperation.computeIfAbsent(RequestBuffer.requestIdOf(envelope.persistenceId()), id -> new ArrayList<>()).add(envelope);
    }
    session.withConnection(connection -> {
      // Also the rows of operations whose Accepted is in this group: a re-delivered Accepted must
      // find its row (and be skipped), not fail the group on the primary key for ever.
      Map<String, Stored> stored = repository.rows(connection, byOperation.keySet());
      List<Written> inserts = new ArrayList<>();
      List<Written> updates = new ArrayList<>();
      byOperation.forEach((id, events) -> {
        Stored before = stored.get(id);
        Written after = fold(id, before, events);
        if (after != null) {
          (before == null ? inserts : updates).add(after);
        }
      });
      repository.insert(connection, inserts);
      repository.update(connection, updates);
      return null;
    });
  }

  /**
   * The row after the group's events of one operation, or null when none of them applies: the row
   * is purged (Purged is the last event; whatever came before it is superseded), or every event is
   * one the row has already applied (sequence number at most the row's) — the view never applies
   * an event twice, should events ever be delivered again (an offset reset, a renamed projection).
   */
  private static Written fold(String id, Stored before, List<EventEnvelope<OperationEvent>> events) {
    if (before != null && before.purged()) {
      return null;
    }
    OperationView view = before == null ? null : before.view();
    long seqNr = before == null ? 0 : before.seqNr();
    boolean applied = false;
    for (EventEnvelope<OperationEvent> envelope : events) {
      if (envelope.sequenceNr() <= seqNr) {
        continue;
      }
      OperationEvent event = envelope.event();
      if (view == null) {
        if (!(event instanceof Accepted accepted)) {
          throw new IllegalStateException("view has no row for operation " + id + " to apply " + event.getClass().getSimpleName());
        }
        view = new OperationView(id, accepted.request().type(), accepted.request().principal(),
            Progress.accepted(accepted.request()), null);
      } else {
        // The operation's fold decides the row: the columns are what it says, never a decision of their own.
        view = view.apply(event);
      }
      seqNr = envelope.sequenceNr();
      applied = true;
    }
    if (!applied) {
      return null;
    }
    // A stored row was read without its body: the fold hands that same result back unless an event set or removed it.
    boolean resultChanged = before == null ? view.result() != null : view.result() != before.view().result();
    return new Written(view, seqNr, resultChanged);
  }
}
