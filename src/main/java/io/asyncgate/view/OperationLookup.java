package io.asyncgate.view;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import io.asyncgate.operation.LiveOperations;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationState;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.RequestBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Reads one operation for the API, as cheaply as its guarantees allow:
 * <ol>
 *   <li>from {@link LiveOperations} when its entity lives on this node — no database at all;
 *   <li>else from its view row when that row is terminal: a terminal row is final (only a purge
 *       follows, and the purge writes the row itself before its {@code 204});
 *   <li>else — the row is missing (the first moments after a {@code 202}, or the view lags) or not
 *       terminal — from its entity, wherever it lives;
 *   <li>and when the entity cannot answer in time (its node died and its shard has not moved yet,
 *       or it is still recovering), from the journal: the row brought up to date with the events it
 *       has not applied, or the events folded from the start when there is no row.
 * </ol>
 * So a client never sees an operation step back in time or a 404 after a 202, and reads query the
 * journal only while an entity cannot answer.
 */
public final class OperationLookup {
  private final ActorSystem<?> system;
  private final OperationViewRepository repository;
  private final LiveOperations live;
  private final Executor blocking;
  private final Duration entityTimeout;

  private final JdbcReadJournal journal;

  /** @param entityTimeout how long a read waits for an entity before it reads the journal instead */
  public OperationLookup(ActorSystem<?> system, OperationViewRepository repository, Executor blocking, Duration entityTimeout) {
    this.system = system;
    this.repository = repository;
    this.live = LiveOperations.get(system);
    this.blocking = blocking;
    this.entityTimeout = entityTimeout;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** The operation, or empty when there is none with this id (also when {@code id} cannot be one). */
  public CompletionStage<Optional<OperationView>> find(String id) {
    if (!isOperationId(id)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Optional<OperationView> here = live.find(id);
    if (here.isPresent()) {
      return CompletableFuture.completedFuture(here);
    }
    return CompletableFuture.supplyAsync(() -> repository.find(id), blocking)
        .thenCompose(row -> row.isPresent() && row.get().view().progress().isTerminal()
            ? CompletableFuture.completedFuture(Optional.of(row.get().view()))
            : fromEntity(id).exceptionallyComposeAsync(unanswered -> fromJournal(id, row), system.executionContext()));
  }

  /** After the entity has stored a purge: its view row says so at once ({@link OperationViewRepository#markPurged}). */
  public CompletionStage<Boolean> purged(OperationView purged) {
    return CompletableFuture.supplyAsync(() -> repository.markPurged(purged), blocking);
  }

  /** A page of the listing, from the view alone: listings may lag the journal a little. */
  public CompletionStage<OperationListing.Page> list(OperationViewRepository.ListQuery query) {
    return CompletableFuture.supplyAsync(() -> OperationListing.page(repository.list(query)), blocking);
  }

  /** Ids are UUIDs; anything else cannot name an operation (and never reaches the database or an entity). */
  static boolean isOperationId(String id) {
    try {
      return UUID.fromString(id).toString().equals(id);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private CompletionStage<Optional<OperationView>> fromEntity(String id) {
    return RequestBuffer.entityRef(system, id)
        .<RequestBuffer.Current>ask(RequestBuffer.Get::new, entityTimeout)
        .thenApplyAsync(current -> Optional.ofNullable(current.operation()), system.executionContext());
  }

  private CompletionStage<Optional<OperationView>> fromJournal(String id, Optional<OperationViewRepository.Row> row) {
    String persistenceId = RequestBuffer.persistenceId(id).id();
    if (row.isPresent()) {
      return journal.currentEventsByPersistenceId(persistenceId, row.get().seqNr() + 1, Long.MAX_VALUE)
          .runFold(row.get().view(), (view, envelope) -> view.apply((OperationEvent) envelope.event()), system)
          .thenApplyAsync(Optional::of, system.executionContext());
    }
    return journal.currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
        .runFold((OperationState) new OperationState.Empty(), (state, envelope) -> state.apply((OperationEvent) envelope.event()), system)
        .thenApplyAsync(state -> state instanceof Operation op ? Optional.of(OperationView.of(op)) : Optional.empty(),
            system.executionContext());
  }
}
