package io.asyncgate.catalogue;

import io.asyncgate.step.StepDefinition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationDefinition;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.Step;
import io.asyncgate.step.http.FanOutStep;
import io.asyncgate.step.http.HttpCall;
import io.asyncgate.step.http.HttpStep;
import io.asyncgate.template.JsonTemplate;
import io.asyncgate.template.Template;
import io.asyncgate.template.TemplateScope;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.nio.file.Path;
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
public final class Catalogue implements OperationDefinition.Lookup {
  static final String OPERATIONS = "asyncgate.operations";
  static final String STEP_DEFAULTS = "asyncgate.step-defaults";
  private static final Set<String> TYPE_KEYS =
      Set.of("route", "retry-after", "body-schema", "body-schema-file", "path-parameters", "steps", "result");
  private static final Set<String> STEP_KEYS =
      Set.of("name", "class", "settings", "http", "compensation", "fan-out", "timeout", "retry", "compensation-retry");
  /** A step does its work in exactly one of these ways. */
  private static final List<String> STEP_KINDS = List.of("class", "http", "fan-out");
  private static final Set<String> FAN_OUT_KEYS = Set.of("items", "parallelism", "http", "compensation");
  private static final int DEFAULT_PARALLELISM = 4;
  private static final Map<String, Set<String>> RESULT_KEYS = Map.of(
      "last-step", Set.of("kind"),
      "file", Set.of("kind", "step"),
      "template", Set.of("kind", "template"),
      "stream", Set.of("kind", "http", "timeout"));

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

  @Override
  public Optional<OperationType> definition(String operationType) {
    return type(operationType);
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
    checkKeys(c, TYPE_KEYS, where, "an operation type");
    try {
      RouteTemplate route = RouteTemplate.parse(c.getString("route"));
      OperationType.Builder builder = OperationType.builder(name)
          .route(route.toString())
          .stepDefaults(defaults.getDuration("timeout"),
              RetryPolicy.fromConfig(defaults.getConfig("retry")),
              RetryPolicy.fromConfig(defaults.getConfig("compensation-retry")));
      if (c.hasPath("retry-after")) {
        builder.retryAfter(c.getDuration("retry-after"));
      }
      if (c.hasPath("body-schema") && c.hasPath("body-schema-file")) {
        throw new CatalogueException(where + ": declare body-schema or body-schema-file, not both");
      }
      if (c.hasPath("body-schema")) {
        builder.bodySchema(schema(toJson(c.getValue("body-schema")), where + ", body-schema"));
      } else if (c.hasPath("body-schema-file")) {
        builder.bodySchema(schemaFile(c.getValue("body-schema-file"), where + ", body-schema-file"));
      }
      if (c.hasPath("path-parameters")) {
        ConfigObject params = c.getObject("path-parameters");
        for (String param : params.keySet()) {
          builder.pathParamSchema(param, schema(toJson(params.get(param)), where + ", path-parameters." + param));
        }
      }
      List<? extends ConfigObject> steps = c.getObjectList("steps");
      List<String> stepNames = steps.stream().map(step -> step.toConfig().getString("name")).toList();
      Set<String> params = Set.copyOf(route.parameterNames());
      // A step sees the outputs of the steps before it; compensations and the result run later and see all of them.
      TemplateScope anyStep = new TemplateScope(params, stepNames, "a step of this operation type", false);
      for (int i = 0; i < steps.size(); i++) {
        TemplateScope earlierSteps = new TemplateScope(params, stepNames.subList(0, i), "an earlier step", false);
        builder.step(stepFromConfig(steps.get(i).toConfig(), defaults, earlierSteps, anyStep, where + ", steps[" + i + "]"));
      }
      if (c.hasPath("result")) {
        builder.result(resultFromConfig(c.getConfig("result"), stepNames, anyStep, defaults, where + ", result"));
      }
      return builder.build();
    } catch (ConfigException | IllegalArgumentException e) {
      throw new CatalogueException(where + ": " + e.getMessage(), e);
    }
  }

  private static StepDefinition stepFromConfig(Config s, Config defaults, TemplateScope scope, TemplateScope compensationScope,
      String where) {
    checkKeys(s, STEP_KEYS, where, "a step");
    List<String> kinds = STEP_KINDS.stream().filter(s::hasPath).toList();
    if (kinds.size() != 1) {
      throw new CatalogueException(where + ": a step does its work with exactly one of " + STEP_KINDS + ", this one has "
          + (kinds.isEmpty() ? "none" : kinds));
    }
    String kind = kinds.get(0);
    if (s.hasPath("settings") && !kind.equals("class")) {
      throw new CatalogueException(where + ": settings are for a step class; an " + kind + " step is configured in its block");
    }
    if (s.hasPath("compensation") && !kind.equals("http")) {
      throw new CatalogueException(where + ": compensation belongs " + (kind.equals("fan-out")
          ? "inside fan-out (it undoes one item)" : "to an http step; a step class implements CompensableStep"));
    }
    Config withDefaults = s.withFallback(defaults);
    Duration timeout = withDefaults.getDuration("timeout");
    long maxResponseSize = defaults.getBytes("http.max-response-size");
    String name = s.getString("name");
    Step step;
    try {
      step = switch (kind) {
        case "class" -> instantiate(s.getString("class"), s.hasPath("settings") ? s.getConfig("settings") : null, where);
        case "http" -> HttpStep.of(
            HttpCall.fromConfig(s.getConfig("http"), "http", scope, "POST", maxResponseSize),
            s.hasPath("compensation")
                ? HttpCall.fromConfig(s.getConfig("compensation"), "compensation", compensationScope, "POST", maxResponseSize)
                : null,
            timeout);
        default -> fanOutFromConfig(s.getConfig("fan-out"), scope, compensationScope, maxResponseSize, timeout, where);
      };
    } catch (IllegalArgumentException | ConfigException e) {
      throw new CatalogueException(where + ", " + e.getMessage(), e);
    }
    RetryPolicy retry = RetryPolicy.fromConfig(withDefaults.getConfig("retry"));
    RetryPolicy compensationRetry = RetryPolicy.fromConfig(withDefaults.getConfig("compensation-retry"));
    return new StepDefinition(name, step, timeout, retry, compensationRetry);
  }

  private static Step fanOutFromConfig(Config f, TemplateScope scope, TemplateScope compensationScope, long maxResponseSize,
      Duration timeout, String where) {
    checkKeys(f, FAN_OUT_KEYS, where + ", fan-out", "a fan-out");
    Template items = Template.parse(f.getString("items"));
    if (items.whole().isEmpty()) {
      throw new IllegalArgumentException("fan-out.items: '" + items + "' must be exactly one placeholder naming a JSON array,"
          + " e.g. \"{body/devices}\" or \"{steps.list-devices/devices}\"");
    }
    try {
      scope.check(items.placeholders());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("fan-out.items: " + e.getMessage(), e);
    }
    int parallelism = f.hasPath("parallelism") ? f.getInt("parallelism") : DEFAULT_PARALLELISM;
    if (parallelism < 1) {
      throw new IllegalArgumentException("fan-out.parallelism: must be at least 1, was " + parallelism);
    }
    HttpCall call = HttpCall.fromConfig(f.getConfig("http"), "fan-out.http", scope.withItem(), "POST", maxResponseSize);
    HttpCall compensation = f.hasPath("compensation")
        ? HttpCall.fromConfig(f.getConfig("compensation"), "fan-out.compensation", compensationScope.withItem(), "POST", maxResponseSize)
        : null;
    return FanOutStep.of(items, parallelism, call, compensation, timeout);
  }

  private static ResultComposer resultFromConfig(Config r, List<String> stepNames, TemplateScope scope, Config defaults,
      String where) {
    String kind = r.hasPath("kind") ? r.getString("kind") : "last-step";
    if (!RESULT_KEYS.containsKey(kind)) {
      throw new CatalogueException(where + ": unknown kind '" + kind + "'; use one of " + new TreeSet<>(RESULT_KEYS.keySet()));
    }
    checkKeys(r, RESULT_KEYS.get(kind), where, "a result of kind " + kind);
    try {
      return switch (kind) {
        case "file" -> {
          String step = r.getString("step");
          if (!stepNames.contains(step)) {
            throw new CatalogueException(where + ": step '" + step + "' is not a step of this operation type; use one of " + stepNames);
          }
          yield ResultComposer.file(step);
        }
        case "template" -> {
          JsonTemplate template = JsonTemplate.of(toJson(r.getValue("template")));
          scope.check(template.placeholders());
          yield ResultComposer.template(template);
        }
        case "stream" -> {
          HttpCall download = HttpCall.fromConfig(r.getConfig("http"), "http", scope, "GET", 0);
          if (!download.method().equals("GET") || r.hasPath("http.body") || r.hasPath("http.max-response-size")) {
            throw new IllegalArgumentException("http: a streamed result is downloaded with GET, without a body, and never"
                + " buffered (so without max-response-size)");
          }
          yield ResultComposer.stream(download, r.hasPath("timeout") ? r.getDuration("timeout") : defaults.getDuration("timeout"));
        }
        default -> ResultComposer.lastStepOutput(stepNames);
      };
    } catch (IllegalArgumentException e) {
      throw new CatalogueException(where + ", " + e.getMessage(), e);
    }
  }

  private static void checkKeys(Config c, Set<String> allowed, String where, String what) {
    for (String key : c.root().keySet()) {
      if (!allowed.contains(key)) {
        throw new CatalogueException(where + ": unknown key '" + key + "'; " + what + " takes " + new TreeSet<>(allowed));
      }
    }
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

  /** The schema, once it is known to be a JSON Schema at all (the validator itself would accept {"type": 12}). */
  private static JsonNode schema(JsonNode schema, String where) {
    List<String> violations = RequestValidator.metaSchemaViolations(schema);
    if (!violations.isEmpty()) {
      throw new CatalogueException(where + ": not a valid JSON Schema (draft 2019-09): " + String.join("; ", violations));
    }
    return schema;
  }

  /** A schema in a JSON file, its path relative to the directory of the file that declares it. */
  private static JsonNode schemaFile(ConfigValue value, String where) {
    String file = value.unwrapped().toString();
    URL declaredIn = value.origin().url();
    try {
      URL url = declaredIn != null ? new URL(declaredIn, file) : Path.of(file).toUri().toURL();
      try (InputStream in = url.openStream()) {
        return schema(Json.MAPPER.readTree(in), where + " " + url);
      }
    } catch (JsonProcessingException e) {
      throw new CatalogueException(where + ": " + file + " is not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new CatalogueException(where + ": cannot read " + file + " (" + e + "); the path is relative to the directory of "
          + value.origin().description(), e);
    }
  }
}
