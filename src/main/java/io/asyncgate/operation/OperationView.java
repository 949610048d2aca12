package io.asyncgate.operation;

import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationEvent.Purged;
import io.asyncgate.operation.OperationEvent.Succeeded;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.Progress;

/**
 * What the HTTP API reads about one operation: the view's row brought up to date with any newer
 * journal events, or — before the view has a row — the journal folded from the start.
 */
public record OperationView(String id, String type, String principal, Progress progress, OperationResult result) {

  public static OperationView of(Operation op) {
    return new OperationView(op.id(), op.request().type(), op.request().principal(), op.progress(), op.result());
  }

  /** The same fold as the entity's, for the events the view has not applied yet. */
  public OperationView apply(OperationEvent event) {
    OperationResult next = event instanceof Succeeded s ? s.result() : event instanceof Purged ? null : result;
    return new OperationView(id, type, principal, progress.apply(event), next);
  }
}
