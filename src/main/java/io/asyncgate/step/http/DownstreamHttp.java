package io.asyncgate.step.http;

import akka.actor.Cancellable;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.ResponseEntity;
import akka.http.javadsl.model.Uri;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.settings.ConnectionPoolSettings;
import akka.stream.StreamLimitReachedException;
import akka.stream.javadsl.Sink;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.json.Json;
import io.asyncgate.operation.DownstreamResource;
import io.asyncgate.step.StepFailure;
import io.asyncgate.template.MissingValueException;
import io.asyncgate.template.TemplateValues;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import scala.concurrent.duration.FiniteDuration;

/**
 * The node's client for downstream services: akka-http's pooled client (pools configured under
 * {@code akka.http.host-connection-pool}) behind a queue per downstream ({@link DownstreamLimiter},
 * {@code asyncgate.downstreams}), turning responses into step outputs or {@link StepFailure}s. One per
 * actor system.
 */
public final class DownstreamHttp implements Extension {
  /** Codes of the failures an HTTP step reports, as seen in {@code error.code}. */
  public static final String REJECTED = "DownstreamRejected";
  public static final String UNAVAILABLE = "DownstreamUnavailable";
  public static final String UNREACHABLE = "DownstreamUnreachable";
  public static final String RESPONSE_TOO_LARGE = "ResponseTooLarge";
  public static final String INVALID_RESPONSE = "InvalidDownstreamResponse";
  /** A call withdrawn from its downstream's queue, unsent, because its attempt was abandoned (a cancel, the saga stopped). */
  public static final String WITHDRAWN = "CallWithdrawn";
  /** A template of the call found no value (a pointer into a field the request lacks): no retry can help. */
  public static final String VALUE_MISSING = "TemplateValueMissing";
  /** How much of an error response is read for its problem details or an excerpt. */
  private static final long ERROR_BODY_LIMIT = 64 * 1024;
  private static final int EXCERPT_CHARS = 500;

  private static final ExtensionId<DownstreamHttp> ID = new ExtensionId<>() {
    @Override
    public DownstreamHttp createExtension(ActorSystem<?> system) {
      return new DownstreamHttp(system);
    }
  };

  private final ActorSystem<?> system;
  private final Http http;
  private final ConnectionPoolSettings poolSettings;
  private final Map<PoolKey, ConnectionPoolSettings> poolSettingsByKey = new ConcurrentHashMap<>();
  private final DownstreamLimiter limiter;

  /** How much longer than the step's timeout a silent connection stays open. */
  private static final Duration IDLE_TIMEOUT_MARGIN = Duration.ofSeconds(1);

  /** Pools differ by connection idle-timeout (after the step's timeout) and by size (the downstream's limit). */
  private record PoolKey(Duration idleTimeout, int maxConnections) {}

  private DownstreamHttp(ActorSystem<?> system) {
    this.system = system;
    this.http = Http.get(system);
    this.poolSettings = ConnectionPoolSettings.create(system.classicSystem());
    this.limiter = new DownstreamLimiter(DownstreamLimits.fromConfig(system.settings().config()), system.scheduler(),
        system.executionContext());
  }

  public static DownstreamHttp get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The same, for a call that is never abandoned. */
  public CompletionStage<JsonNode> call(HttpCall call, TemplateValues values, String idempotencyKey, Duration timeout) {
    return call(call, values, idempotencyKey, timeout, new CompletableFuture<Void>());
  }

  /**
   * Makes the call once its downstream admits it ({@link DownstreamLimiter}) and answers its output,
   * or fails with a {@link StepFailure} saying whether to retry.
   *
   * @param timeout the step's timeout, counted from the moment the call leaves the downstream's queue;
   *     a connection silent that long is closed too, so no request lingers after the attempt gave up
   * @param abandoned when it completes before the call was admitted, the call is withdrawn, never sent
   */
  public CompletionStage<JsonNode> call(HttpCall call, TemplateValues values, String idempotencyKey, Duration timeout,
      CompletionStage<?> abandoned) {
    HttpRequest request;
    String what;
    try {
      request = call.request(values, idempotencyKey);
      what = call.describe(values);
    } catch (MissingValueException e) {
      throw missingValue(e);
    }
    DownstreamLimiter.Origin origin = origin(request);
    return limiter.admit(origin, abandoned).handle((permit, notAdmitted) -> {
      if (notAdmitted != null) {
        return CompletableFuture.<JsonNode>failedFuture(StepFailure.transientFailure(WITHDRAWN,
            what + " was withdrawn before it was sent: its attempt was abandoned"));
      }
      CompletableFuture<JsonNode> exchange;
      try {
        exchange = exchange(call, request, what, timeout).toCompletableFuture();
      } catch (RuntimeException e) {
        exchange = CompletableFuture.failedFuture(e);
      }
      // The permit is held until the exchange is really over, also past a timeout, so akka's pool
      // never has more requests than connections and never queues.
      exchange.whenComplete((output, failure) -> {
        Optional<StepFailure> pushedBack = Optional.ofNullable(failure).map(DownstreamHttp::unwrap)
            .filter(f -> f instanceof StepFailure sf && sf.isThrottled()).map(StepFailure.class::cast);
        // Paused before the permit frees a place, so the next call waits for the Retry-After too.
        pushedBack.flatMap(StepFailure::retryAfter).ifPresent(delay -> limiter.pause(origin, delay));
        permit.release(failure == null ? DownstreamLimiter.Outcome.SUCCEEDED
            : pushedBack.isPresent() ? DownstreamLimiter.Outcome.THROTTLED : DownstreamLimiter.Outcome.OTHER);
      });
      return within(exchange, timeout, what);
    }).thenCompose(bounded -> bounded);
  }

  private CompletionStage<JsonNode> exchange(HttpCall call, HttpRequest request, String what, Duration timeout) {
    return send(request, what, timeout).thenComposeAsync(response -> {
      boolean succeeded = call.succeeded(response.status().intValue());
      long limit = succeeded ? call.maxResponseSize() : ERROR_BODY_LIMIT;
      ContentType contentType = response.entity().getContentType();
      return readAtMost(response.entity(), limit, timeout).handleAsync((body, failure) -> {
        if (!succeeded) {
          // An error body past the limit only loses its excerpt; the status decides.
          throw failed(response, failure == null ? Optional.of(body) : Optional.empty(), what);
        }
        if (failure != null) {
          throw readFailed(failure, what, limit);
        }
        return output(contentType, body, what);
      }, system.executionContext());
    }, system.executionContext());
  }

  /** The outcome of {@code exchange}, or a timeout failure once {@code timeout} is up, whichever comes first. */
  private CompletableFuture<JsonNode> within(CompletableFuture<JsonNode> exchange, Duration timeout, String what) {
    CompletableFuture<JsonNode> bounded = new CompletableFuture<>();
    Cancellable timer = system.scheduler().scheduleOnce(timeout, () -> bounded.completeExceptionally(
        StepFailure.timedOut(what + " did not answer within " + timeout.toMillis() + " ms")), system.executionContext());
    exchange.whenComplete((output, failure) -> {
      timer.cancel();
      if (failure != null) {
        bounded.completeExceptionally(unwrap(failure));
      } else {
        bounded.complete(output);
      }
    });
    return bounded;
  }

  /** The body, read only up to {@code limit} bytes whether its length was declared or not. */
  private CompletionStage<ByteString> readAtMost(ResponseEntity entity, long limit, Duration timeout) {
    if (entity instanceof HttpEntity.Strict strict && strict.getData().size() <= limit) {
      // The whole body arrived with the response (as small ones do): no stream to run for it.
      return CompletableFuture.completedFuture(strict.getData());
    }
    return entity.withoutSizeLimit().getDataBytes()
        .limitWeighted(limit, bytes -> (long) bytes.size())
        .completionTimeout(timeout)
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);
  }

  /**
   * The downstream's response to a result download, its body still streaming; a failure status is
   * answered as a {@link StepFailure} and its body discarded. Not queued behind the steps' calls: a
   * client is waiting for it.
   */
  public CompletionStage<HttpResponse> open(DownstreamResource resource) {
    HttpRequest request = HttpRequest.create(resource.url()).withMethod(HttpMethods.lookup(resource.method()).orElseThrow());
    for (Map.Entry<String, String> header : resource.headers().entrySet()) {
      request = request.addHeader(RawHeader.create(header.getKey(), header.getValue()));
    }
    String what = resource.method() + " " + resource.url();
    return send(request, what, resource.timeout()).thenApplyAsync(response -> {
      if (!HttpCall.succeeds(resource.success(), response.status().intValue())) {
        response.discardEntityBytes(system);
        throw failed(response, Optional.empty(), what);
      }
      return response;
    }, system.executionContext());
  }

  private CompletionStage<HttpResponse> send(HttpRequest request, String what, Duration timeout) {
    // At least as many connections as the downstream's limit of calls, so that admitted calls never queue in the pool.
    int maxConnections = Math.max(poolSettings.getMaxConnections(), limiter.limitOf(origin(request)));
    // The connection's idle-timeout outlasts the step's timeout: were they equal, a silent downstream
    // could have its connection closed before the attempt times out, and that failure reads as a call
    // that never arrived — not in doubt, so neither repeated nor compensated although it may have acted.
    Duration idleTimeout = timeout.plus(IDLE_TIMEOUT_MARGIN);
    ConnectionPoolSettings pool = poolSettingsByKey.computeIfAbsent(new PoolKey(idleTimeout, maxConnections), key -> poolSettings
        .withMaxConnections(key.maxConnections())
        .withConnectionSettings(poolSettings.getConnectionSettings()
            .withIdleTimeout(FiniteDuration.create(key.idleTimeout().toMillis(), "ms"))));
    return http.singleRequest(request, http.defaultClientHttpsContext(), pool, system.classicSystem().log())
        // Stages on Akka's (converted Scala) futures name the dispatcher: without it each runs on a new thread.
        .exceptionallyAsync(e -> {
          StepFailure unreachable = StepFailure.transientFailure(UNREACHABLE, what + " failed: " + describe(e));
          // A downstream refusing connections is overloaded or restarting: slow down, do not fail.
          throw refusedConnection(e) ? unreachable.throttled() : unreachable;
        }, system.executionContext());
  }

  private static DownstreamLimiter.Origin origin(HttpRequest request) {
    Uri uri = request.getUri();
    String scheme = uri.getScheme().toLowerCase();
    int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return new DownstreamLimiter.Origin(scheme, uri.getHost().address().toLowerCase(), port);
  }

  /** akka-http reports a refused connection as a StreamTcpException naming the ConnectException in its message. */
  private static boolean refusedConnection(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || (t.getMessage() != null && t.getMessage().contains("Connection refused"))) {
        return true;
      }
    }
    return false;
  }

  /** JSON bodies as JSON; an empty body as null; any other body as {"contentType", "content"} (text). */
  private static JsonNode output(ContentType contentType, ByteString body, String what) {
    byte[] bytes = body.toArray();
    if (bytes.length == 0) {
      return NullNode.getInstance();
    }
    String mediaType = contentType.mediaType().toString();
    if (isJson(mediaType)) {
      try {
        return Json.MAPPER.readTree(bytes);
      } catch (IOException e) {
        throw StepFailure.rejected(INVALID_RESPONSE, what + " answered " + mediaType + " that is not JSON: " + e.getMessage());
      }
    }
    ObjectNode text = Json.object();
    text.put("contentType", contentType.toString());
    text.put("content", new String(bytes, StandardCharsets.UTF_8));
    return text;
  }

  static StepFailure missingValue(MissingValueException e) {
    return StepFailure.rejected(VALUE_MISSING, e.getMessage());
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static StepFailure readFailed(Throwable failure, String what, long limit) {
    Throwable cause = unwrap(failure);
    if (cause instanceof StreamLimitReachedException) {
      return tooLarge(what, limit);
    }
    return StepFailure.transientFailure(UNREACHABLE, what + ": reading the response failed: " + describe(cause));
  }

  private static StepFailure tooLarge(String what, long limit) {
    return StepFailure.rejected(RESPONSE_TOO_LARGE, what + " answered a body larger than max-response-size ("
        + limit + " bytes); raise max-response-size or have the downstream answer less");
  }

  /**
   * 408, 429 and 5xx may pass: retried, after the downstream's Retry-After when it gives one; 429 and
   * 503 say the downstream is overloaded, so those attempts are throttled ones. Any other status is a
   * rejection carrying the downstream's problem details (or an excerpt of its body).
   */
  private static StepFailure failed(HttpResponse response, Optional<ByteString> body, String what) {
    int status = response.status().intValue();
    String statusLine = status + " " + response.status().reason();
    if (status == 408 || status == 429 || status >= 500) {
      StepFailure transientFailure = StepFailure.transientFailure(UNAVAILABLE, what + " answered " + statusLine + excerpt(body));
      StepFailure failure = status == 429 || status == 503 ? transientFailure.throttled() : transientFailure;
      return retryAfter(response).map(failure::retryAfter).orElse(failure);
    }
    JsonNode problem = body.filter(b -> isJson(response.entity().getContentType().mediaType().toString()))
        .map(b -> {
          try {
            return Json.MAPPER.readTree(b.toArray());
          } catch (IOException e) {
            return null;
          }
        })
        .filter(JsonNode::isObject)
        .orElse(null);
    String innerCode = problem != null && problem.path("title").isTextual() ? problem.get("title").asText()
        : problem != null && problem.path("type").isTextual() ? problem.get("type").asText() : "HTTP " + status;
    String innerMessage = problem != null && problem.path("detail").isTextual() ? problem.get("detail").asText()
        : statusLine + excerpt(body);
    return StepFailure.rejected(REJECTED, what + " answered " + statusLine, innerCode, innerMessage);
  }

  private static String excerpt(Optional<ByteString> body) {
    return body.map(b -> b.utf8String().strip())
        .filter(text -> !text.isEmpty())
        .map(text -> ": " + (text.length() > EXCERPT_CHARS ? text.substring(0, EXCERPT_CHARS) + "…" : text))
        .orElse("");
  }

  /** {@code Retry-After} as delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
  static Optional<Duration> retryAfter(HttpResponse response) {
    return response.getHeader("Retry-After").map(HttpHeader::value).map(String::trim).flatMap(value -> {
      if (value.matches("\\d+")) {
        return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
      }
      try {
        Duration until = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    });
  }

  private static boolean isJson(String mediaType) {
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  /** The failure's message, cut short: akka-http's pool overflow message alone carries kilobytes of settings. */
  private static String describe(Throwable e) {
    Throwable cause = unwrap(e);
    String message = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    return message.length() > EXCERPT_CHARS ? message.substring(0, EXCERPT_CHARS) + "…" : message;
  }
}
