package io.asyncgate.view;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.request.RequestBuffer;

/** Applies one event to its operation's view row, in the transaction that also stores the offset. */
final class ResponseBufferHandler extends JdbcHandler<EventEnvelope<OperationEvent>, PlainJdbcSession> {
  private final OperationViewRepository repository;

  ResponseBufferHandler(OperationViewRepository repository) {
    this.repository = repository;
  }

  @Override
  public void process(PlainJdbcSession session, EventEnvelope<OperationEvent> envelope) throws Exception {
    String id = RequestBuffer.requestIdOf(envelope.persistenceId());
    session.withConnection(connection -> {
      repository.apply(connection, id, envelope.sequenceNr(), envelope.event());
      return null;
    });
  }
}
