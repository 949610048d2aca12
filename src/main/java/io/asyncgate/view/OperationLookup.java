package io.asyncgate.view;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationState;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.RequestBuffer;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Reads one operation for the API: its view row, brought up to date with the journal events the
 * view has not applied yet (usually none: one indexed query finds that out); before the view has
 * a row at all — the first moments after a 202 — its events folded from the journal. Either way
 * the answer is as fresh as the journal, so a client never sees an operation step back in time,
 * and neither way starts or disturbs the entity.
 */
public final class OperationLookup {
  private final ActorSystem<?> system;
  private final OperationViewRepository repository;
  private final JdbcReadJournal journal;
  private final Executor blocking;

  public OperationLookup(ActorSystem<?> system, OperationViewRepository repository, Executor blocking) {
    this.system = system;
    this.repository = repository;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.blocking = blocking;
  }

  /** The operation, or empty when there is none with this id (also when {@code id} cannot be one). */
  public CompletionStage<Optional<OperationView>> find(String id) {
    if (!isOperationId(id)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return CompletableFuture.supplyAsync(() -> repository.find(id), blocking)
        .thenCompose(row -> row.isPresent() ? catchUp(id, row.get()) : fromJournal(id));
  }

  /** A page of the listing, from the view alone: listings may lag the journal a little. */
  public CompletionStage<OperationListing.Page> list(OperationViewRepository.ListQuery query) {
    return CompletableFuture.supplyAsync(() -> OperationListing.page(repository.list(query)), blocking);
  }

  /** Ids are UUIDs; anything else cannot name an operation (and never reaches the database or the journal). */
  static boolean isOperationId(String id) {
    try {
      return UUID.fromString(id).toString().equals(id);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private CompletionStage<Optional<OperationView>> catchUp(String id, OperationViewRepository.Row row) {
    return journal
        .currentEventsByPersistenceId(RequestBuffer.persistenceId(id).id(), row.seqNr() + 1, Long.MAX_VALUE)
        .runFold(row.view(), (view, envelope) -> view.apply((OperationEvent) envelope.event()), system)
        .thenApplyAsync(Optional::of, system.executionContext());
  }

  private CompletionStage<Optional<OperationView>> fromJournal(String id) {
    return journal
        .currentEventsByPersistenceId(RequestBuffer.persistenceId(id).id(), 0L, Long.MAX_VALUE)
        .runFold((OperationState) new OperationState.Empty(),
            (state, envelope) -> state.apply((OperationEvent) envelope.event()), system)
        .thenApplyAsync(state -> state instanceof Operation op ? Optional.of(OperationView.of(op)) : Optional.empty(),
            system.executionContext());
  }
}
