package io.asyncgate.operation;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.asyncgate.operation.OperationEvent.*;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.SagaPlan.*;
import io.asyncgate.operation.StepProgress.Throttling;
import io.asyncgate.step.CompensableStep;
import io.asyncgate.step.FailureKind;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.StepContext;
import io.asyncgate.step.StepDefinition;
import io.asyncgate.step.StepFailure;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one operation's steps in order, retrying with backoff, and on a failure for good or a cancel
 * compensates in reverse order.
 *
 * <p>The saga keeps no progress of its own: every milestone (attempt started, succeeded, failed,
 * compensated…) is sent to its owner, the operation's {@code RequestBuffer}, which persists it and
 * answers with the new state; only then does the saga move on, deciding with {@link SagaPlan} from
 * that state. A saga started on recovered state therefore carries on where the lost one stopped.
 */
final class ProcessingSaga {

  sealed interface Command {}

  /**
   * Asks the owner to persist {@code event} and answer with the operation as it now is. {@code next},
   * when not null, is what the saga decided to record right after it, on {@code decidedOn} (the
   * operation as the owner last answered it) folded with {@code event}: the owner persists both in
   * one write if nothing was recorded in between, and says whether it did.
   */
  record Record(OperationEvent event, OperationEvent next, Operation decidedOn, ActorRef<Recorded> replyTo) {
    Record(OperationEvent event, ActorRef<Recorded> replyTo) {
      this(event, null, null, replyTo);
    }
  }

  /** From the owner: the operation as it now is, and whether the record's {@code next} is in it. */
  record Recorded(Operation operation, boolean withNext) implements Command {}

  /** From the owner: the operation changed outside the saga (a cancel), so a backoff wait ends now. */
  record Wake(Operation operation) implements Command {}

  private record AttemptFinished(JsonNode output, Throwable failure) implements Command {}

  private record RetryDue() implements Command {}

  private static final String RETRY_TIMER = "retry";
  static final String RESULT_UNAVAILABLE = "ResultUnavailable";

  static Behavior<Command> create(Operation operation, OperationDefinition type, ActorRef<Record> owner, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new ProcessingSaga(ctx, timers, type, owner, clock).decide(operation)));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final OperationDefinition type;
  private final ActorRef<Record> owner;
  private final Clock clock;
  /**
   * Replies come to this mailbox, not through an ask: the owner's reply and a later {@link Wake}
   * then arrive in the order the owner sent them.
   */
  private final ActorRef<Recorded> recorded;

  private ProcessingSaga(ActorContext<Command> ctx, TimerScheduler<Command> timers, OperationDefinition type,
      ActorRef<Record> owner, Clock clock) {
    this.ctx = ctx;
    this.timers = timers;
    this.type = type;
    this.owner = owner;
    this.clock = clock;
    this.recorded = ctx.getSelf().narrow();
  }

  /** What to record next and how to go on once it is recorded; null when nothing is left to do. */
  private record Decision(OperationEvent event, Function<Operation, Behavior<Command>> then) {}

  private Behavior<Command> decide(Operation op) {
    Decision decision = decision(op);
    return decision == null ? Behaviors.stopped() : record(decision.event(), decision.then());
  }

  private Decision decision(Operation op) {
    Action action = SagaPlan.next(op.progress(), clock.instant());
    if (action instanceof Execute e) {
      StepDefinition def = definition(e.step());
      int counted = op.progress().step(e.step()).countedAttempts();
      if (counted >= def.retry().maxAttempts()) {
        // Only crashes in the middle of attempts get here: each one counted as an attempt.
        Failure gaveUp = new Failure(FailureKind.TRANSIENT, Failure.INTERRUPTED_CODE,
            "Step '" + e.step() + "' was interrupted " + counted + " times without an outcome.", null);
        return new Decision(new StepFailed(e.step(), gaveUp, clock.instant()), this::decide);
      }
      // A start the owner did not record (a cancel came first) is not run: decide again instead.
      return new Decision(new StepStarted(e.step(), e.attempt(), clock.instant()),
          started -> started.progress().cancelRequested() ? decide(started) : runStep(started, def, e.attempt()));
    } else if (action instanceof Compensate c) {
      StepDefinition def = definition(c.step());
      return new Decision(new CompensationStarted(c.step(), c.attempt(), clock.instant()),
          started -> runCompensation(started, def, c.attempt()));
    } else if (action instanceof Complete) {
      OperationResult result;
      try {
        result = type.composeResult(op.request(), op.outputs());
      } catch (RuntimeException e) {
        Failure failure = new Failure(FailureKind.TRANSIENT, RESULT_UNAVAILABLE,
            "All steps succeeded but the result could not be made: " + e.getMessage(), null);
        return new Decision(new ResultFailed(failure, clock.instant()), this::decide);
      }
      return new Decision(new Succeeded(result, clock.instant()), this::decide);
    } else if (action instanceof Finish f) {
      return new Decision(f.terminal(), this::decide);
    }
    return null;
  }

  private Behavior<Command> runStep(Operation op, StepDefinition def, int attempt) {
    CompletableFuture<Void> abandoned = new CompletableFuture<>();
    StepContext context = contextFor(op, def, attempt, abandoned);
    attempt(() -> def.step().execute(context), def, abandoned);
    return Behaviors.receive(Command.class)
        .onMessage(AttemptFinished.class, done -> stepFinished(op, def, attempt, done))
        .onMessage(Wake.class, wake -> {
          // A cancel withdraws a call still waiting for its downstream; an attempt under way is
          // awaited, and the cancel seen once the attempt is recorded.
          if (wake.operation().progress().cancelRequested()) {
            abandoned.complete(null);
          }
          return Behaviors.same();
        })
        .onSignal(PostStop.class, stopped -> abandon(abandoned))
        .build();
  }

  private Behavior<Command> stepFinished(Operation op, StepDefinition def, int attempt, AttemptFinished done) {
    String step = def.name();
    if (done.failure() == null) {
      JsonNode output = done.output() == null ? NullNode.getInstance() : done.output();
      return recordThenDecide(op, new StepSucceeded(step, output, clock.instant()));
    }
    Failure failure = classify(done.failure(), step, def.timeout());
    Optional<Failure> last = lastFailure(failure, attempt, op.progress().step(step).throttling(), def.retry());
    if (last.isPresent()) {
      return recordThenDecide(op, new StepFailed(step, last.get(), clock.instant()));
    }
    Duration delay = backoff(def.retry(), failure, attempt, op.progress().step(step).throttling(), done.failure());
    // Canceled during the attempt: unwind at once, there is no retry to wait for.
    return record(new StepAttemptFailed(step, attempt, failure, clock.instant()),
        failed -> failed.progress().cancelRequested() ? decide(failed) : awaitRetry(failed, delay));
  }

  private Behavior<Command> runCompensation(Operation op, StepDefinition def, int attempt) {
    CompletableFuture<Void> abandoned = new CompletableFuture<>();
    StepContext context = contextFor(op, def, attempt, abandoned);
    CompensableStep step = (CompensableStep) def.step();
    attempt(() -> step.compensate(context).thenApply(v -> NullNode.getInstance()), def, abandoned);
    return Behaviors.receive(Command.class)
        .onMessage(AttemptFinished.class, done -> compensationFinished(op, def, attempt, done))
        .onMessage(Wake.class, w -> Behaviors.same())
        .onSignal(PostStop.class, stopped -> abandon(abandoned))
        .build();
  }

  private Behavior<Command> compensationFinished(Operation op, StepDefinition def, int attempt, AttemptFinished done) {
    String step = def.name();
    if (done.failure() == null) {
      return recordThenDecide(op, new CompensationSucceeded(step, clock.instant()));
    }
    Failure failure = classify(done.failure(), step, def.timeout());
    Throttling throttling = op.progress().step(step).compensationThrottling();
    Optional<Failure> last = lastFailure(failure, attempt, throttling, def.compensationRetry());
    if (last.isPresent()) {
      return recordThenDecide(op, new CompensationFailed(step, last.get(), clock.instant()));
    }
    Duration delay = backoff(def.compensationRetry(), failure, attempt, throttling, done.failure());
    return record(new CompensationAttemptFailed(step, attempt, failure, clock.instant()), failed -> awaitRetry(failed, delay));
  }

  /**
   * The failure that ends the step (or compensation) for good, or empty when it is tried again. A
   * throttled attempt counts only against {@code max-throttled-wait}, any other against {@code
   * max-attempts}.
   */
  private Optional<Failure> lastFailure(Failure failure, int attempt, Throttling throttling, RetryPolicy policy) {
    if (failure.kind() == FailureKind.REJECTED) {
      return Optional.of(failure);
    }
    int throttled = Throttling.attempts(throttling);
    if (failure.throttled()) {
      Duration waited = Throttling.waited(throttling, clock.instant());
      if (waited.compareTo(policy.maxThrottledWait()) < 0) {
        return Optional.empty();
      }
      return Optional.of(new Failure(failure.kind(), failure.code(), "Gave up after the downstream throttled it for "
          + waited.toMillis() + " ms, beyond max-throttled-wait (" + policy.maxThrottledWait().toMillis() + " ms), with "
          + (throttled + 1) + " throttled and " + (attempt - throttled - 1) + " other attempt(s); the last one failed: "
          + failure.message(), failure.inner(), failure.leftEffects(), true));
    }
    int counted = attempt - throttled;
    return counted >= policy.maxAttempts() ? Optional.of(gaveUp(failure, counted, throttled)) : Optional.empty();
  }

  private Behavior<Command> awaitRetry(Operation op, Duration delay) {
    timers.startSingleTimer(RETRY_TIMER, new RetryDue(), delay);
    return Behaviors.receive(Command.class)
        .onMessage(RetryDue.class, due -> decide(op))
        .onMessage(Wake.class, wake -> {
          // A cancel arrived: stop waiting and take the latest state from the owner.
          timers.cancel(RETRY_TIMER);
          return decide(wake.operation());
        })
        .build();
  }

  /**
   * Persists through the owner, then continues with the state it answers. If persisting fails the
   * owner stops, and this child with it; the recovered owner starts a new saga.
   */
  private Behavior<Command> record(OperationEvent event, Function<Operation, Behavior<Command>> then) {
    owner.tell(new Record(event, recorded));
    return awaitRecorded(reply -> then.apply(reply.operation()));
  }

  /**
   * Persists an attempt's outcome together with what the saga decides from it (the next step's
   * start, the next compensation, the end): one journal write where there were two. Unless the
   * owner recorded something else meanwhile (a cancel): then only the outcome, and the saga decides
   * again on the state it answers.
   */
  private Behavior<Command> recordThenDecide(Operation op, OperationEvent outcome) {
    Decision next = decision(op.apply(outcome));
    if (next == null) {
      return record(outcome, this::decide);
    }
    owner.tell(new Record(outcome, next.event(), op, recorded));
    return awaitRecorded(reply -> reply.withNext() ? next.then().apply(reply.operation()) : decide(reply.operation()));
  }

  private Behavior<Command> awaitRecorded(Function<Recorded, Behavior<Command>> then) {
    return Behaviors.receive(Command.class)
        .onMessage(Recorded.class, then::apply)
        .onMessage(Wake.class, w -> Behaviors.same()) // the reply that follows already has the change
        .build();
  }

  /**
   * Runs one attempt, bounded by the step's timeout unless the step bounds it itself (an HTTP step,
   * from the moment its call leaves the downstream's queue); the outcome comes back as {@link
   * AttemptFinished}. An attempt that timed out here is abandoned.
   */
  private void attempt(Supplier<CompletionStage<? extends JsonNode>> work, StepDefinition def,
      CompletableFuture<Void> abandoned) {
    CompletableFuture<JsonNode> outcome;
    try {
      // A copy, so the timeout never completes a future the step shares with anything else; on the
      // saga's dispatcher, as a step may answer with one of Akka's futures (see DownstreamHttp.send).
      outcome = work.get().toCompletableFuture().<JsonNode>thenApplyAsync(x -> x, ctx.getExecutionContext());
      if (!def.step().enforcesOwnTimeout()) {
        outcome = outcome.orTimeout(def.timeout().toMillis(), TimeUnit.MILLISECONDS);
        outcome.whenComplete((output, failure) -> {
          if (unwrap(failure) instanceof TimeoutException) {
            abandoned.complete(null);
          }
        });
      }
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(outcome, AttemptFinished::new);
  }

  /** The saga stopped (its entity passivated, restarted or moved) with an attempt under way: its queued calls are withdrawn. */
  private Behavior<Command> abandon(CompletableFuture<Void> abandoned) {
    abandoned.complete(null);
    return Behaviors.same();
  }

  private StepContext contextFor(Operation op, StepDefinition def, int attempt, CompletableFuture<Void> abandoned) {
    var request = op.request();
    return new StepContext(request.id(), request.type(), def.name(), attempt, request.pathParams(), request.body(),
        op.outputs(), ctx.getSystem(), ctx.getExecutionContext(), def.timeout(), abandoned);
  }

  private StepDefinition definition(String step) {
    return type.step(step).orElseThrow(() -> new IllegalStateException(
        "operation type " + type.name() + " no longer has step " + step));
  }

  /** Throttled attempts back off by how many were throttled; the others by how many counted. */
  private static Duration backoff(RetryPolicy policy, Failure failure, int attempt, Throttling throttling, Throwable thrown) {
    int throttled = Throttling.attempts(throttling);
    return backoff(policy, failure.throttled() ? throttled + 1 : attempt - throttled, thrown);
  }

  private static Duration backoff(RetryPolicy policy, int failedAttempt, Throwable failure) {
    Duration delay = policy.backoffAfter(failedAttempt);
    if (unwrap(failure) instanceof StepFailure sf && sf.retryAfter().isPresent()
        && sf.retryAfter().get().compareTo(delay) > 0) {
      return sf.retryAfter().get();
    }
    return delay;
  }

  private static Failure gaveUp(Failure last, int attempts, int throttled) {
    String besides = throttled == 0 ? "" : " (besides " + throttled + " throttled one(s))";
    return new Failure(last.kind(), last.code(), "Gave up after " + attempts + " attempt(s)" + besides + "; the last one failed: "
        + last.message(), last.inner(), last.leftEffects(), last.throttled());
  }

  static Failure classify(Throwable thrown, String step, Duration timeout) {
    Throwable t = unwrap(thrown);
    if (t instanceof StepFailure sf) {
      OperationError.Detail inner = sf.inner().map(e -> new OperationError.Detail(e.code(), e.message())).orElse(null);
      return new Failure(sf.kind(), sf.code(), sf.getMessage(), inner, sf.leftEffects(), sf.isThrottled());
    }
    if (t instanceof TimeoutException) {
      return new Failure(FailureKind.TIMEOUT, StepFailure.TIMED_OUT,
          "Step '" + step + "' did not finish within " + timeout.toMillis() + " ms.", null);
    }
    String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    return new Failure(FailureKind.TRANSIENT, "StepError", "Step '" + step + "' failed: " + message, null);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
