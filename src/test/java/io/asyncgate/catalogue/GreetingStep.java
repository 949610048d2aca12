package io.asyncgate.catalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.asyncgate.json.Json;
import io.asyncgate.step.Step;
import io.asyncgate.step.StepContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Java step as a user declares it in configuration ({@code class = "…GreetingStep"}), built from
 * its {@code settings}: greets the request body's {@code name} with {@code settings.greeting}
 * ("Hello" without it).
 */
public final class GreetingStep implements Step {
  private final String greeting;

  public GreetingStep(Config settings) {
    this.greeting = settings.hasPath("greeting") ? settings.getString("greeting") : "Hello";
  }

  @Override
  public CompletionStage<JsonNode> execute(StepContext context) {
    return CompletableFuture.completedFuture(
        Json.object().put("greeting", greeting + ", " + context.body().path("name").asText() + "!"));
  }
}
