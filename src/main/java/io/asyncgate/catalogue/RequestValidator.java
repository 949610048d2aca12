package io.asyncgate.catalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.asyncgate.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a request against its operation type's JSON Schemas (draft 2019-09, the newest draft this validator version implements fully), for the body and for
 * the path parameters, before anything is stored.
 */
public final class RequestValidator {
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909);
  /** The shape of each keyword's value, checked before a schema is compiled (see the file's comment). */
  private static final JsonSchema SCHEMA_KEYWORDS = compile(readResource("/json-schema/schema-keywords-2019-09.json"));
  private static final Pattern PATH_PART = Pattern.compile("\\.([^.\\[]+)|\\[(\\d+)]|\\['([^']*)']");

  private final JsonSchema body;
  private final JsonSchema pathParams;
  private final boolean bodyRequired;

  private RequestValidator(JsonSchema body, JsonSchema pathParams, boolean bodyRequired) {
    this.body = body;
    this.pathParams = pathParams;
    this.bodyRequired = bodyRequired;
  }

  /**
   * @param bodySchema JSON Schema of the body, or null for "any body, or none"
   * @param pathParamSchemas a JSON Schema per path parameter (its value is a string), may be empty
   * @throws IllegalArgumentException when a schema does not parse
   */
  public static RequestValidator of(JsonNode bodySchema, Map<String, JsonNode> pathParamSchemas) {
    JsonSchema body = bodySchema == null ? null : compile(bodySchema);
    JsonSchema params = null;
    if (!pathParamSchemas.isEmpty()) {
      ObjectNode schema = Json.object().put("type", "object");
      ObjectNode properties = schema.putObject("properties");
      pathParamSchemas.forEach(properties::set);
      params = compile(schema);
    }
    return new RequestValidator(body, params, bodySchema != null);
  }

  private static JsonSchema compile(JsonNode schema) {
    // JSON Schema's "integer" is any number with a zero fractional part: 2.0 is one, as the
    // specification says, and not a "number found, integer expected".
    SchemaValidatorsConfig config = new SchemaValidatorsConfig();
    config.setLosslessNarrowing(true);
    try {
      JsonSchema compiled = FACTORY.getSchema(schema, config);
      compiled.initializeValidators(); // surfaces a broken schema now, not at the first request
      return compiled;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the JSON Schema does not parse: " + e.getMessage(), e);
    }
  }

  /** Each way {@code schema} is not a JSON Schema, as "pointer: what is wrong"; empty when it is one. */
  public static List<String> metaSchemaViolations(JsonNode schema) {
    return violations(SCHEMA_KEYWORDS, schema, "schema").stream()
        .map(v -> (v.pointer().isEmpty() ? "/" : v.pointer()) + ": " + v.detail())
        .toList();
  }

  private static JsonNode readResource(String name) {
    try (InputStream in = RequestValidator.class.getResourceAsStream(name)) {
      return Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + " from the classpath", e);
    }
  }

  public boolean bodyRequired() {
    return bodyRequired;
  }

  /** Every violation in the path parameters, each named by the parameter. */
  public List<Violation> validatePathParams(Map<String, String> params) {
    if (pathParams == null) {
      return List.of();
    }
    ObjectNode node = Json.object();
    params.forEach(node::put);
    return violations(pathParams, node, "path");
  }

  /** Every violation in the body, each located by a JSON pointer. */
  public List<Violation> validateBody(JsonNode json) {
    return body == null ? List.of() : violations(body, json, "body");
  }

  private static List<Violation> violations(JsonSchema schema, JsonNode json, String in) {
    List<Violation> found = new ArrayList<>();
    for (ValidationMessage m : schema.validate(json)) {
      // The message names the offending member ("$.customer: is missing but it is required") where
      // the path names only its parent ("$") for required and additionalProperties: locate by the message.
      String message = m.getMessage();
      int colon = message.startsWith(m.getPath()) ? message.indexOf(": ", m.getPath().length()) : -1;
      String located = colon >= 0 ? message.substring(0, colon) : m.getPath();
      String detail = colon >= 0 ? message.substring(colon + 2) : message;
      found.add(new Violation(in, toPointer(located), detail, m.getType()));
    }
    found.sort(Comparator.comparing(Violation::pointer).thenComparing(Violation::detail));
    return found;
  }

  /** {@code $.items[0].name} becomes {@code /items/0/name} (RFC 6901). */
  static String toPointer(String path) {
    StringBuilder pointer = new StringBuilder();
    Matcher m = PATH_PART.matcher(path.startsWith("$") ? path.substring(1) : path);
    while (m.find()) {
      String token = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      pointer.append('/').append(token.replace("~", "~0").replace("/", "~1"));
    }
    return pointer.toString();
  }
}
