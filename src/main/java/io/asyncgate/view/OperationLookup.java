package io.asyncgate.view;

import akka.actor.typed.ActorSystem;
import io.asyncgate.operation.LiveOperations;
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
 *       terminal — from its entity, wherever it lives.
 * </ol>
 * So a client never sees an operation step back in time or a 404 after a 202, and no read queries
 * the journal.
 */
public final class OperationLookup {
  private final ActorSystem<?> system;
  private final OperationViewRepository repository;
  private final LiveOperations live;
  private final Executor blocking;
  private final Duration entityTimeout;

  public OperationLookup(ActorSystem<?> system, OperationViewRepository repository, Executor blocking, Duration entityTimeout) {
    this.system = system;
    this.repository = repository;
    this.live = LiveOperations.get(system);
    this.blocking = blocking;
    this.entityTimeout = entityTimeout;
  }

  /**
   * The operation, or empty when there is none with this id (also when {@code id} cannot be one).
   * Fails with a {@link java.util.concurrent.TimeoutException} when its entity had to be asked and
   * did not answer within the timeout (a node busy recovering), which the API answers 503.
   */
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
            : fromEntity(id));
  }

  /** After the entity has stored a purge: its view row says so at once ({@link OperationViewRepository#markPurged}). */
  public CompletionStage<Boolean> purged(String id) {
    return CompletableFuture.supplyAsync(() -> repository.markPurged(id), blocking);
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
}
