package io.asyncgate.view;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.RequestBuffer;
import java.util.List;

/**
 * Applies a group of events, in order, to their operations' view rows — in the one transaction
 * that also stores the projection's offset, so the view is exactly-once.
 */
final class ResponseBufferHandler extends JdbcHandler<List<EventEnvelope<OperationEvent>>, PlainJdbcSession> {
  private final OperationViewRepository repository;

  ResponseBufferHandler(OperationViewRepository repository) {
    this.repository = repository;
  }

  @Override
  public void process(PlainJdbcSession session, List<EventEnvelope<OperationEvent>> envelopes) throws Exception {
    session.withConnection(connection -> {
      for (EventEnvelope<OperationEvent> envelope : envelopes) {
        String id = RequestBuffer.requestIdOf(envelope.persistenceId());
        repository.apply(connection, id, envelope.sequenceNr(), envelope.event());
      }
      return null;
    });
  }
}
