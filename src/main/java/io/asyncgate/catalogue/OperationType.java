package io.asyncgate.catalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.operation.OperationDefinition;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.StepPlan;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.Step;
import io.asyncgate.step.StepDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A kind of request asyncgate accepts: its route, its validation, the steps that do the work and
 * how the result is made. Declared in {@code application.conf} or registered in Java with {@link
 * #builder}.
 */
public record OperationType(
    String name,
    RouteTemplate route,
    RequestValidator validator,
    Duration retryAfter,
    List<StepDefinition> steps,
    ResultComposer result) implements OperationDefinition {

  public OperationType {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("operation type " + name + " needs at least one step");
    }
    Set<String> names = new HashSet<>();
    for (StepDefinition s : steps) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException("operation type " + name + " names step " + s.name() + " twice");
      }
    }
    if (retryAfter.toSeconds() < 1) {
      throw new IllegalArgumentException("retry-after of " + name + " must be at least 1s (Retry-After is in whole seconds)");
    }
    steps = List.copyOf(steps);
  }

  /** The steps as fixed into an accepted request. */
  public List<StepPlan> plan() {
    return steps.stream().map(s -> new StepPlan(s.name(), s.compensable())).toList();
  }

  @Override
  public OperationResult composeResult(OperationRequest request, Map<String, JsonNode> outputs) {
    return result.compose(request, outputs);
  }

  @Override
  public Optional<StepDefinition> step(String stepName) {
    return steps.stream().filter(s -> s.name().equals(stepName)).findFirst();
  }

  /** {@code Retry-After} in whole seconds, at least 1. */
  public long retryAfterSeconds() {
    return Math.max(1, retryAfter.toSeconds());
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Registers an operation type in Java; the step defaults are the library's {@code asyncgate.step-defaults}. */
  public static final class Builder {
    private static final Config LIBRARY_DEFAULTS =
        ConfigFactory.parseResources(OperationType.class.getClassLoader(), "asyncgate.conf").resolve()
            .getConfig(CatalogueReader.STEP_DEFAULTS);

    private final String name;
    private RouteTemplate route;
    private JsonNode bodySchema;
    private final Map<String, JsonNode> pathParamSchemas = new LinkedHashMap<>();
    private Duration retryAfter = Duration.ofSeconds(1);
    private final List<StepDefinition> steps = new ArrayList<>();
    private ResultComposer result;
    private Duration defaultTimeout = LIBRARY_DEFAULTS.getDuration("timeout");
    private RetryPolicy defaultRetry = RetryPolicy.fromConfig(LIBRARY_DEFAULTS.getConfig("retry"));
    private RetryPolicy defaultCompensationRetry = RetryPolicy.fromConfig(LIBRARY_DEFAULTS.getConfig("compensation-retry"));

    private Builder(String name) {
      this.name = name;
    }

    /** E.g. {@code "POST /orders"} or {@code "DELETE /users/{userId}"}. */
    public Builder route(String route) {
      this.route = RouteTemplate.parse(route);
      return this;
    }

    public Builder bodySchema(JsonNode schema) {
      this.bodySchema = schema;
      return this;
    }

    public Builder pathParamSchema(String param, JsonNode schema) {
      pathParamSchemas.put(param, schema);
      return this;
    }

    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = retryAfter;
      return this;
    }

    public Builder stepDefaults(Duration timeout, RetryPolicy retry, RetryPolicy compensationRetry) {
      this.defaultTimeout = timeout;
      this.defaultRetry = retry;
      this.defaultCompensationRetry = compensationRetry;
      return this;
    }

    public Builder step(String stepName, Step step) {
      return step(new StepDefinition(stepName, step, defaultTimeout, defaultRetry, defaultCompensationRetry));
    }

    public Builder step(String stepName, Step step, Duration timeout, RetryPolicy retry) {
      return step(new StepDefinition(stepName, step, timeout, retry, defaultCompensationRetry));
    }

    public Builder step(StepDefinition definition) {
      steps.add(definition);
      return this;
    }

    public Builder result(ResultComposer result) {
      this.result = result;
      return this;
    }

    public OperationType build() {
      if (route == null) {
        throw new IllegalArgumentException("operation type " + name + " needs a route");
      }
      for (String param : pathParamSchemas.keySet()) {
        if (!route.parameterNames().contains(param)) {
          throw new IllegalArgumentException(
              "operation type " + name + " has a schema for path parameter " + param + ", which route " + route + " does not have");
        }
      }
      List<String> stepNames = steps.stream().map(StepDefinition::name).toList();
      ResultComposer composer = result != null ? result : stepNames.isEmpty() ? null : ResultComposer.lastStepOutput(stepNames);
      return new OperationType(
          name, route, RequestValidator.of(bodySchema, pathParamSchemas), retryAfter, steps, composer);
    }
  }
}
