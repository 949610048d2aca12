package io.asyncgate.operation;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.BackoffSupervisorStrategy;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotSelectionCriteria;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.Recovery;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.SignalHandler;
import io.asyncgate.json.JsonSerializable;
import io.asyncgate.operation.OperationEvent.Accepted;
import io.asyncgate.operation.OperationEvent.CancelRequested;
import io.asyncgate.operation.OperationEvent.Canceled;
import io.asyncgate.operation.OperationEvent.Failed;
import io.asyncgate.operation.OperationEvent.Purged;
import io.asyncgate.operation.OperationEvent.StepStarted;
import io.asyncgate.operation.OperationEvent.Succeeded;
import io.asyncgate.operation.OperationState.Empty;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.step.FailureKind;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The request buffer: one event-sourced entity per request id, sharded over the cluster. It is the
 * only writer of its operation's events — the acceptance, and every milestone its {@link
 * ProcessingSaga} child reports — so the journal is the single truth about each operation.
 *
 * <p>Its saga runs only while it holds one of the node's {@link SagaSlots}; until one is free the
 * operation waits, accepted and {@code NotStarted}. Every state it persists or recovers is
 * published to {@link LiveOperations}, which status reads on this node answer from.
 *
 * <p>Entities are <em>remembered</em> by Cluster Sharding while their operation runs: after a
 * crash or restart, sharding starts every remembered entity again, its recovery completes, and it
 * asks for a slot to restart its saga on the recovered state. A terminal operation passivates
 * after an idle time, which also forgets it.
 */
public final class RequestBuffer
    extends EventSourcedBehaviorWithEnforcedReplies<RequestBuffer.Command, OperationEvent, OperationState> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "RequestBuffer");
  /** Events are tagged into this many slices, one view projection instance each. Fixed once data exists. */
  public static final int TAG_SLICES = 4;
  private static final String TAG_PREFIX = "operation-";
  private static final String SAGA_RESTART_TIMER = "saga-restart";
  private static final Duration SAGA_RESTART_DELAY = Duration.ofSeconds(1);
  /**
   * A write or recovery the journal failed (the database away) restarts the entity after this
   * backoff instead of stopping it: it recovers its state from the journal once the database is
   * back and resumes its saga. Without it the entity stopped and waited for remember-entities.
   */
  private static final BackoffSupervisorStrategy ON_JOURNAL_FAILURE =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

  public static void init(ActorSystem<?> system, OperationDefinition.Lookup definitions, Duration passivateAfter) {
    ClusterSharding.get(system).init(
        Entity.of(TYPE_KEY, entity -> create(entity.getEntityId(), definitions, entity.getShard(), passivateAfter))
            .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
  }

  public static EntityRef<Command> entityRef(ActorSystem<?> system, String requestId) {
    return ClusterSharding.get(system).entityRefFor(TYPE_KEY, requestId);
  }

  public static PersistenceId persistenceId(String requestId) {
    return PersistenceId.of(TYPE_KEY.name(), requestId);
  }

  /** The request id in a persistence id made by {@link #persistenceId}. */
  public static String requestIdOf(String persistenceId) {
    return persistenceId.substring(persistenceId.indexOf(PersistenceId.DefaultSeparator()) + 1);
  }

  public static String tagFor(String requestId) {
    return TAG_PREFIX + Math.floorMod(requestId.hashCode(), TAG_SLICES);
  }

  public static List<String> tags() {
    return IntStream.range(0, TAG_SLICES).mapToObj(i -> TAG_PREFIX + i).toList();
  }

  public static Behavior<Command> create(
      String requestId, OperationDefinition.Lookup definitions, ActorRef<ClusterSharding.ShardCommand> shard, Duration passivateAfter) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.setReceiveTimeout(passivateAfter, new Idle());
      return new RequestBuffer(requestId, definitions, shard, ctx, timers);
    }));
  }

  // ---- protocol

  public sealed interface Command extends JsonSerializable {}

  /**
   * Accept the request: answered once {@code Accepted} is in the journal. Idempotent per id. Replies
   * (here and in {@link Change}) carry the operation's view, not its request body and step outputs.
   */
  public record Submit(OperationRequest request, ActorRef<StatusReply<OperationView>> replyTo) implements Command {}

  /** Cancel the operation; its completed steps are compensated. */
  public record Cancel(ActorRef<Change> replyTo) implements Command {}

  /** {@code DELETE /operations/{id}}: cancel when running, purge when terminal. */
  public record Delete(ActorRef<Change> replyTo) implements Command {}

  /**
   * The operation as it is now, for a status read that found nothing fresher: answered {@link
   * Current}, whose operation is null when there is none under this id.
   */
  public record Get(ActorRef<Current> replyTo) implements Command {}

  public record Current(OperationView operation) implements JsonSerializable {}

  /** The answer to Cancel and Delete; {@code operation} is null when NOT_FOUND. */
  public record Change(Outcome outcome, OperationView operation) implements JsonSerializable {
    public enum Outcome {
      CANCELING,
      PURGED,
      /** Already Succeeded or Failed: too late to cancel. */
      CONFLICT,
      NOT_FOUND
    }
  }

  /** A milestone from this entity's saga, to persist. Local: the saga is a child. */
  private record RecordProgress(ProcessingSaga.Record record) implements Command {}

  private record SagaStopped() implements Command {}

  private record RestartSaga() implements Command {}

  /** From {@link SagaSlots}: this operation's saga may run now. */
  private record SlotGranted() implements Command {}

  private record Idle() implements Command {}

  // ---- state and wiring

  private final String requestId;
  private final OperationDefinition.Lookup definitions;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ProcessingSaga.Record> sagaReports;
  private final Clock clock = Clock.systemUTC();
  private final SagaSlots slots;
  private final LiveOperations live;
  private ActorRef<ProcessingSaga.Command> saga;
  private int sagaIncarnation;
  /** Whether this entity holds a saga slot, waits for one, or neither. */
  private Slot slot = Slot.NONE;

  private enum Slot { NONE, WAITING, HELD }

  private RequestBuffer(String requestId, OperationDefinition.Lookup definitions, ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    super(persistenceId(requestId), ON_JOURNAL_FAILURE);
    this.requestId = requestId;
    this.definitions = definitions;
    this.shard = shard;
    this.ctx = ctx;
    this.timers = timers;
    this.sagaReports = ctx.messageAdapter(ProcessingSaga.Record.class, RecordProgress::new);
    this.slots = SagaSlots.get(ctx.getSystem());
    this.live = LiveOperations.get(ctx.getSystem());
  }

  @Override
  public OperationState emptyState() {
    return new Empty();
  }

  @Override
  public Set<String> tagsFor(OperationEvent event) {
    return Set.of(tagFor(requestId));
  }

  /**
   * Recovery replays the events and never asks the snapshot store: operations have tens of events,
   * and the snapshot query was one of the database round trips each new operation waited for
   * before its 202. Snapshots that earlier versions wrote are ignored; their events are all still
   * in the journal (none were deleted on snapshot).
   */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public SignalHandler<OperationState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Operation op) {
            publishAndProceed(op);
          }
        })
        // A journal failure restarts the entity, which stops its saga; a new one starts on recovery.
        .onSignal(PreRestart.instance(), state -> {
          saga = null;
          leaveNode();
        })
        .onSignal(PostStop.instance(), state -> leaveNode())
        .build();
  }

  // ---- command handlers

  @Override
  public CommandHandlerWithReply<Command, OperationEvent, OperationState> commandHandler() {
    var builder = newCommandHandlerWithReplyBuilder();
    builder.forStateType(Empty.class)
        .onCommand(Submit.class, this::accept)
        .onCommand(Cancel.class, (state, cmd) -> notFound(cmd.replyTo()))
        .onCommand(Delete.class, (state, cmd) -> notFound(cmd.replyTo()))
        .onCommand(Get.class, (state, cmd) -> Effect().none().thenRun(s -> passivate()).thenReply(cmd.replyTo(), s -> new Current(null)))
        .onCommand(SlotGranted.class, (state, cmd) -> Effect().noReply())
        .onCommand(Idle.class, (state, cmd) -> passivate())
        .onCommand(RecordProgress.class, (state, cmd) -> Effect().noReply())
        .onCommand(SagaStopped.class, (state, cmd) -> Effect().noReply())
        .onCommand(RestartSaga.class, (state, cmd) -> Effect().noReply());
    builder.forStateType(Operation.class)
        .onCommand(Submit.class, (op, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.success(view(op))))
        .onCommand(Get.class, (op, cmd) -> Effect().reply(cmd.replyTo(), new Current(view(op))))
        .onCommand(SlotGranted.class, this::slotGranted)
        .onCommand(Cancel.class, this::cancel)
        .onCommand(Delete.class, this::delete)
        .onCommand(RecordProgress.class, this::recordProgress)
        .onCommand(SagaStopped.class, this::sagaStopped)
        .onCommand(RestartSaga.class, (op, cmd) -> Effect().none().thenRun(s -> proceed((Operation) s)).thenNoReply())
        .onCommand(Idle.class, (op, cmd) -> op.progress().isTerminal() && saga == null ? passivate() : Effect().noReply());
    return builder.build();
  }

  private ReplyEffect<OperationEvent, OperationState> accept(Empty state, Submit cmd) {
    return Effect()
        .persist(new Accepted(cmd.request()))
        // The saga starts (or waits for its slot) only once the acceptance is durable.
        .thenRun(this::publishAndProceed)
        .thenReply(cmd.replyTo(), s -> StatusReply.success(view((Operation) s)));
  }

  private ReplyEffect<OperationEvent, OperationState> cancel(Operation op, Cancel cmd) {
    return requestCancel(op, cmd.replyTo());
  }

  private ReplyEffect<OperationEvent, OperationState> delete(Operation op, Delete cmd) {
    if (!op.progress().isTerminal()) {
      return requestCancel(op, cmd.replyTo());
    }
    if (op.progress().purged()) {
      return Effect().reply(cmd.replyTo(), reply(Change.Outcome.PURGED, op));
    }
    return Effect()
        .persist(new Purged(clock.instant()))
        .thenRun(this::publishAndProceed)
        .thenReply(cmd.replyTo(), s -> reply(Change.Outcome.PURGED, s));
  }

  private ReplyEffect<OperationEvent, OperationState> requestCancel(Operation op, ActorRef<Change> replyTo) {
    OperationStatus status = op.progress().status();
    if (status == OperationStatus.Succeeded || status == OperationStatus.Failed) {
      return Effect().reply(replyTo, reply(Change.Outcome.CONFLICT, op));
    }
    if (status == OperationStatus.Canceled || op.progress().cancelRequested()) {
      return Effect().reply(replyTo, reply(Change.Outcome.CANCELING, op));
    }
    if (status == OperationStatus.NotStarted) {
      // No step has started, so there is nothing to undo: straight to Canceled (docs/API.md). A start
      // the saga may already have asked for is refused, the operation being terminal.
      return Effect()
          .persist(List.of(new CancelRequested(clock.instant()), new Canceled(clock.instant())))
          .thenRun(this::publishAndProceed)
          .thenReply(replyTo, s -> reply(Change.Outcome.CANCELING, s));
    }
    return Effect()
        .persist(new CancelRequested(clock.instant()))
        .thenRun(s -> {
          publishAndProceed(s);
          if (saga != null) {
            saga.tell(new ProcessingSaga.Wake((Operation) s));
          }
        })
        .thenReply(replyTo, s -> reply(Change.Outcome.CANCELING, s));
  }

  private ReplyEffect<OperationEvent, OperationState> recordProgress(Operation op, RecordProgress cmd) {
    ProcessingSaga.Record record = cmd.record();
    if (op.progress().isTerminal() || !mayRecord(op, record.event())) {
      // Terminal: a saga that outlived the end (it cannot, but the journal must stay consistent if it did).
      return Effect().reply(record.replyTo(), new ProcessingSaga.Recorded(op, false));
    }
    // The saga decided the next event on this very state, so nothing was recorded in between.
    boolean withNext = record.next() != null && record.decidedOn() == op && mayRecord(op, record.next());
    List<OperationEvent> events = withNext ? List.of(record.event(), record.next()) : List.of(record.event());
    return Effect().persist(events).thenRun(this::publishAndProceed)
        .thenReply(record.replyTo(), s -> new ProcessingSaga.Recorded((Operation) s, withNext));
  }

  /**
   * Nothing new may start or succeed after an accepted cancel: the saga decided it before the cancel
   * was recorded, and decides again on the answered state, which has the cancel.
   */
  private static boolean mayRecord(Operation op, OperationEvent event) {
    return !(op.progress().cancelRequested() && (event instanceof StepStarted || event instanceof Succeeded));
  }

  private ReplyEffect<OperationEvent, OperationState> slotGranted(Operation op, SlotGranted cmd) {
    if (slot != Slot.WAITING) {
      return Effect().noReply(); // it stopped waiting meanwhile (a cancel ended it) and gave the slot back
    }
    slot = Slot.HELD;
    return Effect().none().thenRun(s -> proceed((Operation) s)).thenNoReply();
  }

  private ReplyEffect<OperationEvent, OperationState> sagaStopped(Operation op, SagaStopped cmd) {
    saga = null;
    if (op.progress().isTerminal()) {
      releaseSlot();
    } else {
      // It crashed (a bug in a step, say): start a fresh one on the durable state, after a pause.
      ctx.getLog().warn("saga of operation {} stopped before the end; restarting it in {}", requestId, SAGA_RESTART_DELAY);
      timers.startSingleTimer(SAGA_RESTART_TIMER, new RestartSaga(), SAGA_RESTART_DELAY);
    }
    return Effect().noReply();
  }

  private Change reply(Change.Outcome outcome, OperationState state) {
    return new Change(outcome, view((Operation) state));
  }

  private OperationView view(Operation op) {
    return LiveOperations.withQueuePosition(OperationView.of(op), slots);
  }

  private ReplyEffect<OperationEvent, OperationState> notFound(ActorRef<Change> replyTo) {
    return Effect().none().thenRun(s -> passivate()).thenReply(replyTo, s -> new Change(Change.Outcome.NOT_FOUND, null));
  }

  private ReplyEffect<OperationEvent, OperationState> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    return Effect().noReply();
  }

  // ---- the saga and its slot

  /**
   * After every persisted change and after recovery, before anyone hears of it: publish the state
   * for status reads, then move the saga on — ask for a slot, or give it back once finished.
   */
  private void publishAndProceed(OperationState state) {
    Operation op = (Operation) state;
    live.put(OperationView.of(op));
    proceed(op);
  }

  private void proceed(Operation op) {
    if (op.progress().isTerminal()) {
      if (saga == null) {
        releaseSlot();
      }
      return;
    }
    switch (slot) {
      case NONE -> {
        slot = Slot.WAITING;
        ActorRef<Command> self = ctx.getSelf();
        slots.acquire(requestId, () -> self.tell(new SlotGranted()));
      }
      case WAITING -> { } // SlotGranted comes back here
      case HELD -> startSaga(op);
    }
  }

  private void releaseSlot() {
    if (slot != Slot.NONE) {
      slot = Slot.NONE;
      slots.release(requestId);
    }
  }

  /** Stopping or restarting: the slot goes to the next operation, and reads here stop seeing this one. */
  private void leaveNode() {
    releaseSlot();
    live.remove(requestId);
  }

  private void startSaga(Operation op) {
    if (saga != null || op.progress().isTerminal()) {
      return;
    }
    Optional<String> unrunnable = whyUnrunnable(op);
    if (unrunnable.isPresent()) {
      OperationError error = OperationError.of("OperationTypeUnavailable", unrunnable.get());
      ctx.getLog().error("operation {} cannot run: {}", requestId, unrunnable.get());
      ctx.getSelf().tell(new RecordProgress(new ProcessingSaga.Record(
          new Failed(error, FailureKind.REJECTED, clock.instant()), ctx.getSystem().ignoreRef())));
      return;
    }
    OperationDefinition type = definitions.definition(op.request().type()).orElseThrow();
    saga = ctx.spawn(ProcessingSaga.create(op, type, sagaReports, clock), "saga-" + (++sagaIncarnation));
    ctx.watchWith(saga, new SagaStopped());
  }

  /** The configuration changed under an accepted operation so that its steps no longer exist. */
  private Optional<String> whyUnrunnable(Operation op) {
    Optional<? extends OperationDefinition> type = definitions.definition(op.request().type());
    if (type.isEmpty()) {
      return Optional.of("Operation type '" + op.request().type() + "' is no longer configured.");
    }
    for (StepPlan step : op.request().steps()) {
      if (type.get().step(step.name()).isEmpty()) {
        return Optional.of("Step '" + step.name() + "' of operation type '" + op.request().type() + "' is no longer configured.");
      }
    }
    return Optional.empty();
  }

  // ---- event handler

  @Override
  public EventHandler<OperationState, OperationEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(OperationState::apply);
  }
}
