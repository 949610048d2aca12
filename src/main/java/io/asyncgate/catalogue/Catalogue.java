package io.asyncgate.catalogue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.asyncgate.Json;
import io.asyncgate.saga.RetryPolicy;
import io.asyncgate.saga.Step;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The operation types this service accepts, and the matching of requests to them. */
public final class Catalogue {
  static final String OPERATIONS = "asyncgate.operations";
  static final String STEP_DEFAULTS = "asyncgate.step-defaults";
  private static final Set<String> TYPE_KEYS = Set.of("route", "retry-after", "body-schema", "path-parameters", "steps", "result");
  private static final Set<String> STEP_KEYS = Set.of("name", "class", "timeout", "retry", "compensation-retry", "settings");
  private static final Set<String> RESULT_KINDS = Set.of("last-step", "file");

  private final Map<String, OperationType> types;

  private Catalogue(Map<String, OperationType> types) {
    this.types = types;
  }

  public static Catalogue of(OperationType... types) {
    return new Catalogue(Map.of()).with(types);
  }

  /** Reads {@code asyncgate.operations}; an invalid entry stops the start with a message naming the fix. */
  public static Catalogue fromConfig(Config config) {
    Config defaults = config.getConfig(STEP_DEFAULTS);
    List<OperationType> types = new ArrayList<>();
    ConfigObject operations = config.getObject(OPERATIONS);
    for (String name : new TreeSet<>(operations.keySet())) {
      ConfigValue value = operations.get(name);
      String where = OPERATIONS + "." + name + " (" + value.origin().description() + ")";
      if (!(value instanceof ConfigObject)) {
        throw new CatalogueException(where + ": must be an object with route and steps");
      }
      types.add(typeFromConfig(name, ((ConfigObject) value).toConfig(), defaults, where));
    }
    return new Catalogue(Map.of()).with(types.toArray(OperationType[]::new));
  }

  /** This catalogue and more types, e.g. registered in Java. */
  public Catalogue with(OperationType... more) {
    Map<String, OperationType> all = new LinkedHashMap<>(types);
    for (OperationType type : more) {
      if (all.containsKey(type.name())) {
        throw new CatalogueException("operation type " + type.name() + " is declared twice: rename one of them");
      }
      for (OperationType existing : all.values()) {
        if (existing.route().overlaps(type.route())) {
          throw new CatalogueException("operation types " + existing.name() + " (" + existing.route() + ") and "
              + type.name() + " (" + type.route() + ") take the same requests: give one of them another route");
        }
      }
      all.put(type.name(), type);
    }
    return new Catalogue(Map.copyOf(all));
  }

  public Optional<OperationType> type(String name) {
    return Optional.ofNullable(types.get(name));
  }

  public Collection<OperationType> types() {
    return types.values();
  }

  /** What a request's method and path select. */
  public sealed interface Match {}

  public record Found(OperationType type, Map<String, String> pathParams) implements Match {}

  /** The path exists with other methods. */
  public record MethodNotAllowed(Set<String> allowed) implements Match {}

  public record NoRoute() implements Match {}

  public Match match(String method, List<String> pathSegments) {
    Set<String> allowed = new TreeSet<>();
    for (OperationType type : types.values()) {
      Optional<Map<String, String>> params = type.route().match(pathSegments);
      if (params.isPresent()) {
        if (type.route().method().equals(method)) {
          return new Found(type, params.get());
        }
        allowed.add(type.route().method());
      }
    }
    return allowed.isEmpty() ? new NoRoute() : new MethodNotAllowed(allowed);
  }

  private static OperationType typeFromConfig(String name, Config c, Config defaults, String where) {
    for (String key : c.root().keySet()) {
      if (!TYPE_KEYS.contains(key)) {
        throw new CatalogueException(where + ": unknown key '" + key + "'; an operation type takes " + new TreeSet<>(TYPE_KEYS));
      }
    }
    try {
      OperationType.Builder builder = OperationType.builder(name)
          .route(c.getString("route"))
          .stepDefaults(defaults.getDuration("timeout"),
              RetryPolicy.fromConfig(defaults.getConfig("retry")),
              RetryPolicy.fromConfig(defaults.getConfig("compensation-retry")));
      if (c.hasPath("retry-after")) {
        builder.retryAfter(c.getDuration("retry-after"));
      }
      if (c.hasPath("body-schema")) {
        builder.bodySchema(toJson(c.getValue("body-schema")));
      }
      if (c.hasPath("path-parameters")) {
        ConfigObject params = c.getObject("path-parameters");
        for (String param : params.keySet()) {
          builder.pathParamSchema(param, toJson(params.get(param)));
        }
      }
      List<String> stepNames = new ArrayList<>();
      List<? extends ConfigObject> steps = c.getObjectList("steps");
      for (int i = 0; i < steps.size(); i++) {
        StepDefinition step = stepFromConfig(steps.get(i).toConfig(), defaults, where + ", steps[" + i + "]");
        stepNames.add(step.name());
        builder.step(step);
      }
      if (c.hasPath("result")) {
        builder.result(resultFromConfig(c.getConfig("result"), stepNames, where + ", result"));
      }
      return builder.build();
    } catch (ConfigException e) {
      throw new CatalogueException(where + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CatalogueException(where + ": " + e.getMessage(), e);
    }
  }

  private static StepDefinition stepFromConfig(Config s, Config defaults, String where) {
    for (String key : s.root().keySet()) {
      if (!STEP_KEYS.contains(key)) {
        throw new CatalogueException(where + ": unknown key '" + key + "'; a step takes " + new TreeSet<>(STEP_KEYS));
      }
    }
    Config withDefaults = s.withFallback(defaults);
    String name = s.getString("name");
    Step step = instantiate(s.getString("class"), s.hasPath("settings") ? s.getConfig("settings") : null, where);
    Duration timeout = withDefaults.getDuration("timeout");
    RetryPolicy retry = RetryPolicy.fromConfig(withDefaults.getConfig("retry"));
    RetryPolicy compensationRetry = RetryPolicy.fromConfig(withDefaults.getConfig("compensation-retry"));
    return new StepDefinition(name, step, timeout, retry, compensationRetry);
  }

  private static ResultComposer resultFromConfig(Config r, List<String> stepNames, String where) {
    String kind = r.hasPath("kind") ? r.getString("kind") : "last-step";
    if (!RESULT_KINDS.contains(kind)) {
      throw new CatalogueException(where + ": unknown kind '" + kind + "'; use one of " + new TreeSet<>(RESULT_KINDS));
    }
    if (kind.equals("file")) {
      String step = r.getString("step");
      if (!stepNames.contains(step)) {
        throw new CatalogueException(where + ": step '" + step + "' is not a step of this operation type; use one of " + stepNames);
      }
      return ResultComposer.file(step);
    }
    return ResultComposer.lastStepOutput(stepNames);
  }

  /** A {@link Step} class with a public constructor taking its {@code settings} Config, or none. */
  private static Step instantiate(String className, Config settings, String where) {
    try {
      Class<?> cls = Class.forName(className);
      if (!Step.class.isAssignableFrom(cls)) {
        throw new CatalogueException(where + ": class " + className + " does not implement " + Step.class.getName());
      }
      try {
        Constructor<?> withSettings = cls.getConstructor(Config.class);
        return (Step) withSettings.newInstance(settings != null ? settings : ConfigFactory.empty());
      } catch (NoSuchMethodException e) {
        if (settings != null) {
          throw new CatalogueException(where + ": class " + className + " has settings but no public constructor taking a Config");
        }
        return (Step) cls.getConstructor().newInstance();
      }
    } catch (ClassNotFoundException e) {
      throw new CatalogueException(where + ": class " + className + " is not on the classpath; check the name (nested classes use $)", e);
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
      throw new CatalogueException(where + ": class " + className + " needs a public no-argument or Config constructor", e);
    } catch (InvocationTargetException e) {
      throw new CatalogueException(where + ": constructing " + className + " failed: " + e.getCause(), e.getCause());
    }
  }

  private static JsonNode toJson(ConfigValue value) {
    try {
      return Json.MAPPER.readTree(value.render(ConfigRenderOptions.concise()));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot read the JSON Schema: " + e.getOriginalMessage(), e);
    }
  }
}
