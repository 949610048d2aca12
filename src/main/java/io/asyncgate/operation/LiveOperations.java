package io.asyncgate.operation;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What status reads on this node answer without the database: each operation whose entity is
 * alive on this node, as of its last persisted event. The entity is the only writer: it puts its
 * state after every persist and after recovery — before it replies to anyone or lets its saga go on
 * — and removes it when it stops. So an entry is never older than anything a client was told about
 * the operation, and an operation whose entity moved to another node has no entry here.
 *
 * <p>Bounded by the entities alive on this node: the backlog ({@link SagaSlots}) plus the finished
 * operations of the last {@code passivate-after}. The views are the entities' own state, shared,
 * not copies.
 */
public final class LiveOperations implements Extension {
  private static final ExtensionId<LiveOperations> ID = new ExtensionId<>() {
    @Override
    public LiveOperations createExtension(ActorSystem<?> system) {
      return new LiveOperations(SagaSlots.get(system));
    }
  };

  public static LiveOperations get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ConcurrentHashMap<String, OperationView> views = new ConcurrentHashMap<>();
  private final SagaSlots slots;

  private LiveOperations(SagaSlots slots) {
    this.slots = slots;
  }

  /** The operation as its entity on this node last persisted it, with its place in the queue while it waits. */
  public Optional<OperationView> find(String id) {
    OperationView view = views.get(id);
    if (view == null) {
      return Optional.empty();
    }
    return Optional.of(withQueuePosition(view, slots));
  }

  /** Also for an operation that ran before a restart and waits to resume: it is Running, and waiting. */
  static OperationView withQueuePosition(OperationView view, SagaSlots slots) {
    if (view.progress().isTerminal()) {
      return view;
    }
    var position = slots.position(view.id());
    return position.isPresent() ? view.withQueuePosition(position.getAsLong()) : view;
  }

  void put(OperationView view) {
    views.put(view.id(), view);
  }

  void remove(String id) {
    views.remove(id);
  }
}
