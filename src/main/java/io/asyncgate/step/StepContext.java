package io.asyncgate.step;

import akka.actor.typed.ActorSystem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import scala.concurrent.ExecutionContextExecutor;

/**
 * What a step sees of its operation: the request, earlier steps' outputs, its idempotency key, its
 * timeout, and whether the saga has given up on the attempt.
 */
public final class StepContext {
  private final String requestId;
  private final String operationType;
  private final String step;
  private final int attempt;
  private final Map<String, String> pathParams;
  private final JsonNode body;
  private final Map<String, JsonNode> outputs;
  private final ActorSystem<?> system;
  private final ExecutionContextExecutor executor;
  private final Duration timeout;
  private final CompletionStage<Void> abandoned;

  /**
   * @param abandoned completes when the saga gives up on this attempt (see {@link #abandoned()})
   */
  public StepContext(
      String requestId,
      String operationType,
      String step,
      int attempt,
      Map<String, String> pathParams,
      JsonNode body,
      Map<String, JsonNode> outputs,
      ActorSystem<?> system,
      ExecutionContextExecutor executor,
      Duration timeout,
      CompletionStage<Void> abandoned) {
    this.requestId = requestId;
    this.operationType = operationType;
    this.step = step;
    this.attempt = attempt;
    this.pathParams = Map.copyOf(pathParams);
    this.body = body == null ? NullNode.getInstance() : body;
    this.outputs = Map.copyOf(outputs);
    this.system = system;
    this.executor = executor;
    this.timeout = timeout;
    this.abandoned = abandoned;
  }

  public String requestId() {
    return requestId;
  }

  public String operationType() {
    return operationType;
  }

  public String step() {
    return step;
  }

  /** 1 for the first attempt; the compensation counts its own attempts. */
  public int attempt() {
    return attempt;
  }

  /** {@code {requestId}:{step}}: the same for every attempt and for the compensation. */
  public String idempotencyKey() {
    return requestId + ":" + step;
  }

  public Map<String, String> pathParams() {
    return pathParams;
  }

  public String pathParam(String name) {
    String value = pathParams.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no path parameter " + name);
    }
    return value;
  }

  /** The request body as JSON; {@code NullNode} when the request had none. */
  public JsonNode body() {
    return body;
  }

  /** The output of an earlier step that has succeeded. */
  public Optional<JsonNode> output(String stepName) {
    return Optional.ofNullable(outputs.get(stepName));
  }

  public Map<String, JsonNode> outputs() {
    return outputs;
  }

  /** The step's timeout: how long one attempt (or compensation attempt) may take. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Completes when the saga gives up on this attempt: its timeout fired, the operation was canceled,
   * or the saga stopped (its entity passivated, restarted or moved). Work not yet begun should not
   * begin then — an HTTP step withdraws a call still waiting for its downstream, so it is never sent
   * late. Work already under way may finish; after a cancel the saga still waits for its outcome.
   */
  public CompletionStage<Void> abandoned() {
    return abandoned;
  }

  /** A stage that completes after the delay, without holding a thread. */
  public CompletionStage<Void> delay(Duration delay) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    system.scheduler().scheduleOnce(delay, () -> done.complete(null), executor);
    return done;
  }

  /** The node's actor system, e.g. for akka-http's client and its connection pools. */
  public ActorSystem<?> system() {
    return system;
  }

  /** The executor for a step's own asynchronous work (never the JDK common pool: on 2 cores it starts a thread per async stage). */
  public Executor executor() {
    return executor;
  }
}
