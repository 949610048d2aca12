package io.asyncgate.view;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationState;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.request.RequestBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Reads one operation for the API: from the view, and — while the view may not have caught up yet
 * (no row, or a row not yet terminal) — by folding its events from the journal with the same fold
 * the entity uses. Neither way starts or disturbs the entity.
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

  /**
   * A terminal row of the view is final (only a purge follows, and DELETE waits for the view to show it);
   * a missing or unfinished row may lag the journal by a second or more, so the journal decides —
   * else a poller could see Succeeded, then NotStarted again, and a 202 from the result it was sent to.
   */
  public CompletionStage<Optional<OperationView>> find(String id) {
    return CompletableFuture.supplyAsync(() -> repository.find(id), blocking)
        .thenCompose(row -> row.isPresent() && row.get().progress().isTerminal()
            ? CompletableFuture.completedFuture(row)
            : fromJournal(id).thenApply(folded -> folded.isPresent() ? folded : row));
  }

  /** Whether the view itself (not the journal) shows the operation purged. */
  public CompletionStage<Boolean> purgedInView(String id) {
    return CompletableFuture.supplyAsync(() -> repository.find(id).map(row -> row.progress().purged()).orElse(false), blocking);
  }

  public CompletionStage<OperationViewRepository.Page> list(OperationViewRepository.ListQuery query) {
    return CompletableFuture.supplyAsync(() -> repository.list(query), blocking);
  }

  private CompletionStage<Optional<OperationView>> fromJournal(String id) {
    return journal
        .currentEventsByPersistenceId(RequestBuffer.persistenceId(id).id(), 0L, Long.MAX_VALUE)
        .runFold((OperationState) new OperationState.Empty(),
            (state, envelope) -> state.apply((OperationEvent) envelope.event()), system)
        .thenApply(state -> state instanceof Operation op ? Optional.of(OperationView.of(op)) : Optional.empty());
  }
}
