package io.asyncgate.operation;

import io.asyncgate.json.JsonSerializable;
import io.asyncgate.operation.OperationEvent.Purged;
import io.asyncgate.operation.OperationEvent.Succeeded;
import io.asyncgate.operation.OperationState.Operation;

/**
 * What the HTTP API reads about one operation: the view's row brought up to date with any newer
 * journal events, or — before the view has a row — the journal folded from the start. It is also
 * what the entity answers across the cluster: everything a status document needs, and neither the
 * request body nor the step outputs. A message only, never stored: its shape may change.
 *
 * @param queuePosition while the operation waits for a saga slot on its node ({@link SagaSlots}):
 *     how many wait ahead of it, plus one; null otherwise
 */
public record OperationView(String id, String type, String principal, Progress progress, OperationResult result,
    Long queuePosition) implements JsonSerializable {

  public OperationView(String id, String type, String principal, Progress progress, OperationResult result) {
    this(id, type, principal, progress, result, null);
  }

  public static OperationView of(Operation op) {
    return new OperationView(op.id(), op.request().type(), op.request().principal(), op.progress(), op.result());
  }

  /** The same fold as the entity's: the view's rows are this fold of their events. */
  public OperationView apply(OperationEvent event) {
    return new OperationView(id, type, principal, progress.apply(event), resultAfter(result, event));
  }

  public OperationView withQueuePosition(Long position) {
    return new OperationView(id, type, principal, progress, result, position);
  }

  /**
   * The one decision of what an operation's result is, for the entity, the view's rows and the
   * reads alike: {@code Succeeded} sets it, {@code Purged} removes it (a purged operation answers
   * 410 and exposes nothing), every other event keeps the very same instance.
   */
  static OperationResult resultAfter(OperationResult result, OperationEvent event) {
    if (event instanceof Succeeded succeeded) {
      return succeeded.result();
    }
    return event instanceof Purged ? null : result;
  }
}
