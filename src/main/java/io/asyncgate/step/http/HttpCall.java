package io.asyncgate.step.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.headers.RawHeader;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.asyncgate.json.Json;
import io.asyncgate.operation.DownstreamResource;
import io.asyncgate.step.StepContext;
import io.asyncgate.template.JsonTemplate;
import io.asyncgate.template.Placeholder;
import io.asyncgate.template.Template;
import io.asyncgate.template.TemplateScope;
import io.asyncgate.template.TemplateValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One declared downstream call ({@code http { method, url, headers, body, success, max-response-size }}),
 * its templates checked at start-up and rendered per attempt.
 *
 * @param body null: the request has no body
 * @param success the statuses that count as success; empty: any 2xx
 */
public record HttpCall(String method, Template url, Map<String, Template> headers, JsonTemplate body,
    Set<Integer> success, long maxResponseSize) {

  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final Set<String> KEYS = Set.of("method", "url", "headers", "body", "success", "max-response-size");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final Set<String> METHODS_WITH_BODY = Set.of("POST", "PUT", "PATCH");
  /** The body sent when none is declared: the request's own. */
  private static final String REQUEST_BODY = "{body}";

  public HttpCall {
    headers = Map.copyOf(headers);
    success = Set.copyOf(success);
  }

  /** What a step's templates are rendered from: its request and the outputs of the steps before it. */
  static TemplateValues valuesOf(StepContext context) {
    return TemplateValues.of(context.requestId(), context.operationType(), context.pathParams(), context.body(),
        context.outputs());
  }

  /**
   * Reads an {@code http} block.
   *
   * @param key where the block is, e.g. "http" or "fan-out.http", for messages
   * @param defaultMethod POST for a call, GET for a streamed result
   * @throws IllegalArgumentException naming the key and the fix
   */
  public static HttpCall fromConfig(Config c, String key, TemplateScope scope, String defaultMethod, long defaultMaxResponseSize) {
    for (String k : c.root().keySet()) {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException(key + ": unknown key '" + k + "'; an http call takes " + new TreeSet<>(KEYS));
      }
    }
    String method = c.hasPath("method") ? c.getString("method").toUpperCase() : defaultMethod;
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException(key + ".method: '" + method + "' is not supported; use one of " + new TreeSet<>(METHODS));
    }
    Template url = checked(key + ".url", c.getString("url"), scope);
    checkUrl(key + ".url", url);
    Map<String, Template> headers = new LinkedHashMap<>();
    if (c.hasPath("headers")) {
      for (String name : c.getObject("headers").keySet()) {
        if (name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase(IDEMPOTENCY_KEY)) {
          throw new IllegalArgumentException(key + ".headers: asyncgate sets " + name + " itself (JSON bodies,"
              + " {requestId}:{step} keys); remove it");
        }
        headers.put(name, checked(key + ".headers." + name, c.getObject("headers").get(name).unwrapped().toString(), scope));
      }
    }
    JsonTemplate body = null;
    if (c.hasPath("body")) {
      body = jsonTemplate(key + ".body", c.getValue("body").render(ConfigRenderOptions.concise()), scope);
    } else if (METHODS_WITH_BODY.contains(method)) {
      body = JsonTemplate.of(TextNode.valueOf(REQUEST_BODY));
    }
    Set<Integer> success = Set.of();
    if (c.hasPath("success")) {
      success = new TreeSet<>(c.getIntList("success"));
      for (int status : success) {
        if (status < 100 || status > 599) {
          throw new IllegalArgumentException(key + ".success: " + status + " is not an HTTP status; use codes like [200, 201]");
        }
      }
    }
    long maxResponseSize = c.hasPath("max-response-size") ? c.getBytes("max-response-size") : defaultMaxResponseSize;
    return new HttpCall(method, url, headers, body, success, maxResponseSize);
  }

  boolean succeeded(int status) {
    return succeeds(success, status);
  }

  static boolean succeeds(Set<Integer> success, int status) {
    return success.isEmpty() ? status >= 200 && status < 300 : success.contains(status);
  }

  /** Whether a placeholder of the URL, a header or the body reads {@code step}'s output. */
  boolean readsOutputOf(String step) {
    Stream<Placeholder> all = Stream.concat(Stream.concat(url.placeholders().stream(),
        headers.values().stream().flatMap(h -> h.placeholders().stream())),
        body == null ? Stream.empty() : body.placeholders().stream());
    return all.anyMatch(p -> p.source() == Placeholder.Source.STEPS && p.name().equals(step));
  }

  /**
   * The idempotency key of the call undoing one sent with {@code callKey}. It must differ: a service
   * that checks keys (as the IETF Idempotency-Key draft asks, and the simulator does) refuses a key
   * reused for another method or path with 422. It is stable, so a repeated compensation is replayed.
   */
  static String compensationKey(String callKey) {
    return callKey + ":compensation";
  }

  /** The request for these values, with its idempotency key. */
  HttpRequest request(TemplateValues values, String idempotencyKey) {
    HttpRequest request = HttpRequest.create(url.render(values, HttpCall::encodeForUrl)).withMethod(httpMethod());
    for (Map.Entry<String, Template> header : headers.entrySet()) {
      request = request.addHeader(RawHeader.create(header.getKey(), header.getValue().render(values, v -> v)));
    }
    request = request.addHeader(RawHeader.create(IDEMPOTENCY_KEY, idempotencyKey));
    if (body != null) {
      request = request.withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(body.render(values)));
    }
    return request;
  }

  /** The call as a download to repeat at each read of the result (no idempotency key: reads are safe). */
  public DownstreamResource resource(TemplateValues values, Duration timeout) {
    Map<String, String> rendered = new LinkedHashMap<>();
    headers.forEach((name, value) -> rendered.put(name, value.render(values, v -> v)));
    return new DownstreamResource(method, url.render(values, HttpCall::encodeForUrl), rendered, success, timeout);
  }

  String describe(TemplateValues values) {
    return method + " " + url.render(values, HttpCall::encodeForUrl);
  }

  private HttpMethod httpMethod() {
    return HttpMethods.lookup(method).orElseThrow();
  }

  /** Safe inside a path segment and a query value alike: everything but unreserved characters is escaped. */
  private static String encodeForUrl(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Template checked(String key, String text, TemplateScope scope) {
    try {
      Template template = Template.parse(text);
      scope.check(template.placeholders());
      return template;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /** A JSON template from HOCON: an object, an array, or a string such as "{body}". */
  private static JsonTemplate jsonTemplate(String key, String json, TemplateScope scope) {
    try {
      JsonNode shape = Json.MAPPER.readTree(json);
      JsonTemplate template = JsonTemplate.of(shape);
      scope.check(template.placeholders());
      return template;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(key + ": not JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static void checkUrl(String key, Template url) {
    try {
      URI uri = new URI(url.sample("x"));
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new URISyntaxException(url.toString(), "needs http:// or https:// and a host");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(key + ": '" + url + "' is not an absolute http(s) URL (" + e.getReason()
          + "); e.g. \"http://127.0.0.1:8090/inventory/{path.id}\"");
    }
  }
}
