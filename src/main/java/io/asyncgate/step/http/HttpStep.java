package io.asyncgate.step.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.asyncgate.step.CompensableStep;
import io.asyncgate.step.FailureKind;
import io.asyncgate.step.Step;
import io.asyncgate.step.StepContext;
import io.asyncgate.step.StepFailure;
import io.asyncgate.step.StepKind;
import io.asyncgate.template.TemplateValues;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A step declared in configuration as one downstream HTTP call; its output is the response body. Its
 * timeout counts from the moment the call leaves its downstream's queue.
 */
public class HttpStep implements Step {
  private final HttpCall call;

  private HttpStep(HttpCall call) {
    this.call = call;
  }

  /** {@code http { … }}, with an optional {@code compensation { … }} that undoes it. */
  public static final StepKind KIND = new StepKind() {
    @Override
    public String key() {
      return "http";
    }

    @Override
    public Map<String, String> ownKeys() {
      return Map.of(COMPENSATION, "compensation belongs to an http step; a fan-out compensates inside its block"
          + " (it undoes one item), a step class implements CompensableStep");
    }

    @Override
    public Step read(Config step, Declaration d) {
      HttpCall call = HttpCall.fromConfig(step.getConfig("http"), "http", d.scope(), "POST", d.maxResponseSize());
      HttpCall compensation = step.hasPath(COMPENSATION)
          ? HttpCall.fromConfig(step.getConfig(COMPENSATION), COMPENSATION, d.compensationScope(), "POST", d.maxResponseSize())
          : null;
      return of(call, compensation);
    }
  };
  private static final String COMPENSATION = "compensation";

  /** @param compensation the call that undoes it, or null; its key is derived from the step's idempotency key */
  public static Step of(HttpCall call, HttpCall compensation) {
    return compensation == null ? new HttpStep(call) : new Compensable(call, compensation);
  }

  @Override
  public CompletionStage<JsonNode> execute(StepContext context) {
    return send(call, HttpCall.valuesOf(context), context.idempotencyKey(), context);
  }

  @Override
  public boolean enforcesOwnTimeout() {
    return true;
  }

  CompletionStage<JsonNode> send(HttpCall httpCall, TemplateValues values, String idempotencyKey, StepContext context) {
    return DownstreamHttp.get(context.system()).call(httpCall, values, idempotencyKey, context.timeout(), context.abandoned());
  }

  private static final class Compensable extends HttpStep implements CompensableStep {
    private final HttpCall compensation;

    private Compensable(HttpCall call, HttpCall compensation) {
      super(call);
      this.compensation = compensation;
    }

    /**
     * A step compensated without an output had its effect in doubt (an attempt cut off or timed
     * out). When the compensation needs that output (e.g. the id of what was created), the call is
     * first repeated with its idempotency key: a downstream honouring the key answers what the lost
     * attempt did (or does it now), and that is undone. A rejected repeat leaves nothing to undo.
     */
    @Override
    public CompletionStage<Void> compensate(StepContext context) {
      TemplateValues values = HttpCall.valuesOf(context);
      if (context.output(context.step()).isPresent() || !compensation.readsOutputOf(context.step())) {
        return undo(values, context);
      }
      return execute(context).handle((output, failure) -> {
        if (failure == null) {
          return undo(values.withOutput(context.step(), output), context);
        }
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof StepFailure f && f.kind() == FailureKind.REJECTED) {
          return CompletableFuture.<Void>completedFuture(null);
        }
        return CompletableFuture.<Void>failedFuture(cause);
      }).thenCompose(undone -> undone);
    }

    private CompletionStage<Void> undo(TemplateValues values, StepContext context) {
      return send(compensation, values, HttpCall.compensationKey(context.idempotencyKey()), context)
          .thenApply(output -> null);
    }
  }
}
