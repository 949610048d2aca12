package io.asyncgate.step;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * One unit of downstream work in an operation's saga.
 *
 * <p>Steps run at least once: after a crash an interrupted attempt runs again, and a timed-out
 * attempt is retried even though it may have taken effect. {@link StepContext#idempotencyKey()} is
 * stable across all of them ({@code {requestId}:{step}}) so the downstream can make them
 * effectively-once.
 *
 * <p>Complete the stage with the step's output (any JSON; later steps and the result see it), or
 * fail it with a {@link StepFailure} to say whether a retry can help; any other exception counts
 * as transient. Implement {@link CompensableStep} when the step's effect can be undone.
 */
@FunctionalInterface
public interface Step {
  CompletionStage<JsonNode> execute(StepContext context);

  /**
   * Whether the step bounds its own attempts by {@link StepContext#timeout()}. By default the saga
   * bounds the whole attempt; an HTTP step does it itself, from the moment its call leaves the
   * downstream's queue, so that waiting there never counts against the timeout. A step that says
   * true must finish every attempt (and compensation attempt) within its timeout.
   */
  default boolean enforcesOwnTimeout() {
    return false;
  }
}
