package io.asyncgate.step;

import java.util.concurrent.CompletionStage;

/**
 * A step whose effect can be undone. When a later step fails for good, or the operation is
 * canceled, the saga compensates the completed steps in reverse order — and a step whose outcome is
 * in doubt (interrupted, timed out) too, so compensation must tolerate "nothing to undo". It gets
 * the same idempotency key as the step.
 */
public interface CompensableStep extends Step {
  CompletionStage<Void> compensate(StepContext context);
}
