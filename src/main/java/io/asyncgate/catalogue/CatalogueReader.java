package io.asyncgate.catalogue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.asyncgate.json.Json;
import io.asyncgate.step.JavaStepKind;
import io.asyncgate.step.RetryPolicy;
import io.asyncgate.step.Step;
import io.asyncgate.step.StepDefinition;
import io.asyncgate.step.StepKind;
import io.asyncgate.step.http.DownstreamLimits;
import io.asyncgate.step.http.FanOutStep;
import io.asyncgate.step.http.HttpCall;
import io.asyncgate.step.http.HttpStep;
import io.asyncgate.template.JsonTemplate;
import io.asyncgate.template.TemplateScope;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the operation types of {@code asyncgate.operations}: keys checked, schemas checked against
 * the meta-schema, templates checked against what they may refer to. An invalid entry stops the
 * start with a message naming the file, the key and the fix.
 */
final class CatalogueReader {
  static final String OPERATIONS = "asyncgate.operations";
  static final String STEP_DEFAULTS = "asyncgate.step-defaults";
  private static final Set<String> TYPE_KEYS =
      Set.of("route", "retry-after", "body-schema", "body-schema-file", "path-parameters", "steps", "result");
  /** Keys of every step; the rest belong to its kind. */
  private static final Set<String> COMMON_STEP_KEYS = Set.of("name", "timeout", "retry", "compensation-retry");
  /** A step does its work in exactly one of these ways; a new way of doing it is one more kind here. */
  private static final List<StepKind> STEP_KINDS = List.of(new JavaStepKind(), HttpStep.KIND, FanOutStep.KIND);
  /** Every key a step may have: the common ones, and each kind's own key and the keys only it takes. */
  private static final Set<String> STEP_KEYS = stepKeys();
  private static final Map<String, Set<String>> RESULT_KEYS = Map.of(
      "last-step", Set.of("kind"),
      "file", Set.of("kind", "step"),
      "template", Set.of("kind", "template"),
      "stream", Set.of("kind", "http", "timeout"));

  private CatalogueReader() {}

  static List<OperationType> read(Config config) {
    checkDownstreams(config);
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
    return types;
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
    List<StepKind> kinds = STEP_KINDS.stream().filter(k -> s.hasPath(k.key())).toList();
    if (kinds.size() != 1) {
      throw new CatalogueException(where + ": a step does its work with exactly one of " + kindKeys() + ", this one has "
          + (kinds.isEmpty() ? "none" : kinds.stream().map(StepKind::key).toList()));
    }
    StepKind kind = kinds.get(0);
    for (StepKind other : STEP_KINDS) {
      if (other != kind) {
        other.ownKeys().forEach((key, hint) -> {
          if (s.hasPath(key)) {
            throw new CatalogueException(where + ": " + hint);
          }
        });
      }
    }
    Config withDefaults = s.withFallback(defaults);
    Duration timeout = withDefaults.getDuration("timeout");
    long maxResponseSize = defaults.getBytes("http.max-response-size");
    Step step;
    try {
      step = kind.read(s, new StepKind.Declaration(timeout, maxResponseSize, scope, compensationScope));
    } catch (IllegalArgumentException | ConfigException e) {
      throw new CatalogueException(where + ", " + e.getMessage(), e);
    }
    RetryPolicy retry = RetryPolicy.fromConfig(withDefaults.getConfig("retry"));
    RetryPolicy compensationRetry = RetryPolicy.fromConfig(withDefaults.getConfig("compensation-retry"));
    return new StepDefinition(s.getString("name"), step, timeout, retry, compensationRetry);
  }

  /** The steps' downstreams are read when the first call goes out; a mistake there stops the start now instead. */
  private static void checkDownstreams(Config config) {
    try {
      DownstreamLimits.fromConfig(config);
    } catch (IllegalArgumentException | ConfigException e) {
      ConfigValue where = config.hasPath(DownstreamLimits.PATH) ? config.getValue(DownstreamLimits.PATH) : null;
      throw new CatalogueException((where != null ? "(" + where.origin().description() + ") " : "") + e.getMessage(), e);
    }
  }

  private static Set<String> stepKeys() {
    Set<String> keys = new TreeSet<>(COMMON_STEP_KEYS);
    for (StepKind kind : STEP_KINDS) {
      keys.add(kind.key());
      keys.addAll(kind.ownKeys().keySet());
    }
    return Set.copyOf(keys);
  }

  private static List<String> kindKeys() {
    return STEP_KINDS.stream().map(StepKind::key).toList();
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
