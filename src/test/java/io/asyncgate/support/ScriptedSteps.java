package io.asyncgate.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.json.Json;
import io.asyncgate.step.CompensableStep;
import io.asyncgate.step.Step;
import io.asyncgate.step.StepContext;
import io.asyncgate.step.StepDefinition;
import io.asyncgate.step.StepFailure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Test steps that do what a script says, the record of their calls, and attempts held until the test
 * releases them. Calls are kept per operation (by request id), so tests sharing a node — or the
 * nodes of one JVM sharing one instance — never see each other's calls.
 */
public final class ScriptedSteps {
  public enum Kind { EXECUTE, COMPENSATE }

  /** One call of a test step, as the step saw it. */
  public record Call(String step, Kind kind, int attempt, String idempotencyKey, Map<String, JsonNode> outputs, long nanos) {
    @Override
    public String toString() {
      return (kind == Kind.EXECUTE ? "" : "undo ") + step + "#" + attempt;
    }
  }

  private final Map<String, List<Call>> byRequest = new ConcurrentHashMap<>();
  /** Attempts waiting for the test to let them finish, by the key they are held under. */
  private final Map<String, CompletableFuture<JsonNode>> held = new ConcurrentHashMap<>();

  public List<Call> of(String requestId) {
    return List.copyOf(byRequest.getOrDefault(requestId, List.of()));
  }

  /** The calls, written {@code step#attempt} and {@code undo step#attempt}, in order. */
  public List<String> trace(String requestId) {
    return of(requestId).stream().map(Call::toString).toList();
  }

  /** Waits (polling) until the calls of the operation satisfy {@code condition}. */
  public List<Call> await(String requestId, Predicate<List<Call>> condition, Duration within) {
    return Await.until("the calls of " + requestId + " getting there", () -> of(requestId), condition, within, Duration.ofMillis(20));
  }

  /** How many times {@code step} of the operation was executed, on whichever node. */
  public int executions(String requestId, String step) {
    return (int) of(requestId).stream().filter(c -> c.kind() == Kind.EXECUTE && c.step().equals(step)).count();
  }

  /**
   * Lets the attempts held under {@code key} finish with {@code output}: those under way, and from
   * now on every one that starts.
   */
  public void release(String key, JsonNode output) {
    hold(key).complete(output);
  }

  /** Lets the attempts of {@link #held()} at {@code step} of the operation finish with {@code output}. */
  public void release(String requestId, String step, JsonNode output) {
    release(requestId + ":" + step, output);
  }

  private CompletableFuture<JsonNode> hold(String key) {
    return held.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  // ---- step scripts

  /** What an attempt (or compensation attempt) does, given its context. */
  public interface Script<T> extends Function<StepContext, CompletionStage<T>> {}

  public static Script<JsonNode> succeeds() {
    return ctx -> CompletableFuture.completedFuture(output(ctx));
  }

  /** Fails the first {@code times} attempts transiently, then succeeds. */
  public static Script<JsonNode> failsTransiently(int times) {
    return ctx -> ctx.attempt() <= times
        ? CompletableFuture.failedFuture(StepFailure.transientFailure("Unavailable", "attempt " + ctx.attempt() + " failed"))
        : CompletableFuture.completedFuture(output(ctx));
  }

  public static Script<JsonNode> alwaysFailsTransiently(String code) {
    return ctx -> CompletableFuture.failedFuture(StepFailure.transientFailure(code, "attempt " + ctx.attempt() + " failed"));
  }

  public static Script<JsonNode> rejects(String code) {
    return ctx -> CompletableFuture.failedFuture(StepFailure.rejected(code, ctx.step() + " says no"));
  }

  public static Script<JsonNode> neverCompletes() {
    return ctx -> new CompletableFuture<>();
  }

  public static Script<Void> undoes() {
    return ctx -> CompletableFuture.completedFuture(null);
  }

  public static Script<Void> undoFailsTransiently(int times) {
    return ctx -> ctx.attempt() <= times
        ? CompletableFuture.failedFuture(StepFailure.transientFailure("UndoUnavailable", "undo attempt " + ctx.attempt() + " failed"))
        : CompletableFuture.completedFuture(null);
  }

  /** An attempt that runs until the test releases the step of the operation, its idempotency key {@code requestId:step}. */
  public Script<JsonNode> held() {
    return heldUntilReleased(StepContext::idempotencyKey);
  }

  /** An attempt that runs until the test releases the key {@code key} names for it. */
  public Script<JsonNode> heldUntilReleased(Function<StepContext, String> key) {
    return ctx -> hold(key.apply(ctx));
  }

  /** A compensable step that records each call, then does what its scripts say. */
  public CompensableStep step(Script<JsonNode> execute, Script<Void> compensate) {
    return new CompensableStep() {
      @Override
      public CompletionStage<JsonNode> execute(StepContext ctx) {
        record(ctx, Kind.EXECUTE);
        return execute.apply(ctx);
      }

      @Override
      public CompletionStage<Void> compensate(StepContext ctx) {
        record(ctx, Kind.COMPENSATE);
        return compensate.apply(ctx);
      }
    };
  }

  public CompensableStep step(Script<JsonNode> execute) {
    return step(execute, undoes());
  }

  /** A step with nothing to undo, that records each call and then does what its script says. */
  public Step stepWithoutCompensation(Script<JsonNode> execute) {
    return ctx -> {
      record(ctx, Kind.EXECUTE);
      return execute.apply(ctx);
    };
  }

  private void record(StepContext ctx, Kind kind) {
    byRequest.computeIfAbsent(ctx.requestId(), id -> new CopyOnWriteArrayList<>())
        .add(new Call(ctx.step(), kind, ctx.attempt(), ctx.idempotencyKey(), ctx.outputs(), System.nanoTime()));
  }

  /** An operation type of these steps, in order, under the route {@code POST /<name>}. */
  public static OperationType type(String name, StepDefinition... steps) {
    OperationType.Builder builder = OperationType.builder(name).route("POST /" + name);
    for (StepDefinition step : steps) {
      builder.step(step);
    }
    return builder.build();
  }

  /** What a test step outputs: who made it, so later steps can be checked to see it. */
  public static ObjectNode output(StepContext ctx) {
    ObjectNode out = Json.object();
    out.put("by", ctx.step());
    out.put("attempt", ctx.attempt());
    out.put("token", ctx.idempotencyKey() + "/" + ctx.attempt());
    return out;
  }
}
