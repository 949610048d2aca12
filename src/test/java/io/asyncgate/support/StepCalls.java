package io.asyncgate.support;

import io.asyncgate.step.Step;

import io.asyncgate.step.StepContext;

import io.asyncgate.step.CompensableStep;

import io.asyncgate.step.StepFailure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.json.Json;
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
 * Scripted test steps and the record of their calls, kept per operation (by request id) so that
 * tests running against one node never see each other's calls.
 */
public final class StepCalls {
  public enum Kind { EXECUTE, COMPENSATE }

  /** One call of a test step, as the step saw it. */
  public record Call(String step, Kind kind, int attempt, String idempotencyKey, Map<String, JsonNode> outputs, long nanos) {
    @Override
    public String toString() {
      return (kind == Kind.EXECUTE ? "" : "undo ") + step + "#" + attempt;
    }
  }

  private final Map<String, List<Call>> byRequest = new ConcurrentHashMap<>();
  /** Attempts waiting for the test to let them finish, by {@code requestId:step}. */
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

  /** Completes an attempt made by {@link #held()}, once it has started. */
  public void release(String requestId, String step, JsonNode output) {
    CompletableFuture<JsonNode> attempt = held.get(requestId + ":" + step);
    if (attempt == null) {
      throw new AssertionError("step " + step + " of " + requestId + " is not being held");
    }
    attempt.complete(output);
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

  /** An attempt that runs until the test calls {@link #release}. */
  public Script<JsonNode> held() {
    return ctx -> held.computeIfAbsent(ctx.requestId() + ":" + ctx.step(), k -> new CompletableFuture<>());
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

  private void record(StepContext ctx, Kind kind) {
    byRequest.computeIfAbsent(ctx.requestId(), id -> new CopyOnWriteArrayList<>())
        .add(new Call(ctx.step(), kind, ctx.attempt(), ctx.idempotencyKey(), ctx.outputs(), System.nanoTime()));
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
