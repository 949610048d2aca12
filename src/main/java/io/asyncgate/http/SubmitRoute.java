package io.asyncgate.http;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Rejection;
import akka.http.javadsl.server.Rejections;
import akka.http.javadsl.server.Route;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.pattern.CircuitBreaker;
import akka.pattern.CircuitBreakerOpenException;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.catalogue.Violation;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationIds;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.RequestBuffer;
import io.asyncgate.operation.SagaSlots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Every configured route: match, read and validate the request, store it durably through its
 * {@link RequestBuffer}, and only then answer {@code 202 Accepted}. Anything wrong is answered
 * before anything is stored.
 */
final class SubmitRoute extends AllDirectives {
  private static final long DRAIN_AT_LEAST = 4L * 1024 * 1024;

  private final ActorSystem<?> system;
  private final Catalogue catalogue;
  private final PublicUrls urls;
  private final long maxBody;
  /**
   * A refused request's body is still read to its end, up to this many bytes, before the answer
   * goes out. Most HTTP clients write the whole body before they read the answer, and one whose
   * upload is cut off by the connection closing reports a broken pipe instead of the 413. A client
   * that declares or sends more than this is answered without being read further, and its
   * connection is closed.
   */
  private final long drainLimit;
  private final Duration writeTimeout;
  private final long inlineResultMax;
  /**
   * Opened by submits that could not be stored in a row (the database away): while it is open,
   * submits are answered 503 at once instead of each waiting out the write timeout.
   */
  private final CircuitBreaker writes;
  private final SagaSlots slots;
  private final PollingInterval polling;
  private final int maxBacklog;
  private final PendingWrites pendingWrites;
  private final Clock clock = Clock.systemUTC();

  /** @param http the {@code asyncgate.http} block */
  SubmitRoute(ActorSystem<?> system, Catalogue catalogue, PublicUrls urls, Config http) {
    this.system = system;
    this.slots = SagaSlots.get(system);
    this.polling = new PollingInterval(catalogue, slots);
    this.maxBacklog = system.settings().config().getInt("asyncgate.processing.max-backlog");
    this.catalogue = catalogue;
    this.urls = urls;
    this.maxBody = http.getBytes("max-request-body");
    this.drainLimit = Math.max(maxBody * 4, maxBody + DRAIN_AT_LEAST);
    this.writeTimeout = http.getDuration("write-timeout");
    this.pendingWrites = new PendingWrites(http.getInt("max-pending-submits"), writeTimeout);
    this.inlineResultMax = http.getBytes("inline-result-max");
    Config writeBreaker = http.getConfig("write-breaker");
    this.writes = CircuitBreaker.create(system.classicSystem().scheduler(), writeBreaker.getInt("max-failures"),
            writeTimeout, writeBreaker.getDuration("reset-timeout"))
        .addOnOpenListener(() -> system.log().warn("submits could not be stored {} times in a row: refusing them"
            + " with 503 for {} before trying again", writeBreaker.getInt("max-failures"), writeBreaker.getDuration("reset-timeout")))
        .addOnCloseListener(() -> system.log().info("submits are stored again"));
  }

  /** Completes for a configured route; rejects for any other path (404) or method (405). */
  Route route(String principal) {
    return extractRequest(request -> {
      List<String> segments = segments(request);
      Catalogue.Match match = catalogue.match(request.method().name(), segments);
      if (match instanceof Catalogue.Found found) {
        return completeWithFuture(submit(request, found, principal));
      }
      if (match instanceof Catalogue.MethodNotAllowed notAllowed) {
        // The API's rejection handler answers 405 with Allow, for these paths as for its own.
        Rejection[] rejections = notAllowed.allowed().stream()
            .map(m -> Rejections.method(HttpMethods.lookup(m).orElseThrow()))
            .toArray(Rejection[]::new);
        return reject(rejections[0], Arrays.copyOfRange(rejections, 1, rejections.length));
      }
      return reject();
    });
  }

  private CompletionStage<HttpResponse> submit(HttpRequest request, Catalogue.Found found, String principal) {
    String base = urls.base(request);
    OperationType type = found.type();
    HttpEntity entity = request.entity();
    if (NodeReadiness.shuttingDown(system)) {
      // Nothing new is accepted on a leaving node: its shards are about to move to the others.
      return refuse(entity, Problem.of(base, ProblemKind.LEAVING)
          .detail("This node is shutting down and takes no new requests; nothing was stored. Send the request again.")
          .retryAfter(type.retryAfterSeconds())
          .response());
    }
    if (slots.backlog() >= maxBacklog) {
      // Admission control: past its backlog the node takes nothing more, so a burst beyond what it
      // can hold costs the client a retry, never an operation that fails later for want of room.
      return refuse(entity, Problem.of(base, ProblemKind.BUSY)
          .detail("This node holds " + maxBacklog + " accepted operations that have not finished; nothing was stored."
              + " Send the request again later.")
          .retryAfter(type.retryAfterSeconds())
          .response());
    }
    Optional<String> behind = pendingWrites.refusal();
    if (behind.isPresent()) {
      // The journal is behind: a submit queued after these would likely outlast write-timeout and be
      // answered "may or may not have been stored". Refused now, the client knows it was not.
      return refuse(entity, Problem.of(base, ProblemKind.BUSY)
          .detail(behind.get() + "; this one was not stored. Send it again after the Retry-After delay.")
          .retryAfter(type.retryAfterSeconds())
          .response());
    }
    if (entity.getContentLengthOption().isPresent() && entity.getContentLengthOption().getAsLong() > maxBody) {
      return refuse(entity, tooLarge(base));
    }
    boolean hasBody = !entity.isKnownEmpty() && !(entity.getContentLengthOption().isPresent() && entity.getContentLengthOption().getAsLong() == 0);
    if (hasBody && !Json.isJsonMediaType(entity.getContentType().mediaType().toString())) {
      return refuse(entity, Problem.of(base, ProblemKind.UNSUPPORTED_MEDIA_TYPE)
          .detail("The body was sent as " + entity.getContentType() + "; send it as application/json.")
          .response());
    }
    // Akka's futures, converted to Java, run even a plain thenCompose/handle on the JDK's default
    // executor (on 2 cores a new thread per stage): every stage on one names the dispatcher.
    return read(entity)
        .thenComposeAsync(body -> {
          if (body.tooLarge()) {
            return done(tooLarge(base));
          }
          Checked checked = check(type, found.pathParams(), body.bytes().toArray());
          return checked.violations().isEmpty()
              ? accept(base, request, type, found.pathParams(), checked.body(), principal)
              : done(invalid(base, checked.violations()));
        }, system.executionContext())
        .exceptionally(failure -> {
          if (StageFailures.cause(failure) instanceof EntityStreamSizeException) {
            return tooLarge(base); // more than the drain limit: answered mid-upload
          }
          throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
        });
  }

  /** A request body read to its end: its bytes while within the limit, and how many were sent. */
  private record Body(ByteString bytes, long size, long max) {
    Body plus(ByteString chunk) {
      long total = size + chunk.size();
      return new Body(total <= max ? bytes.concat(chunk) : ByteString.emptyByteString(), total, max);
    }

    boolean tooLarge() {
      return size > max;
    }
  }

  /**
   * The body, read to its end even past {@code maxBody} (keeping no bytes past it) so that a 413
   * reaches the client; failed with {@link EntityStreamSizeException} past {@link #drainLimit}.
   */
  private CompletionStage<Body> read(HttpEntity entity) {
    if (entity instanceof HttpEntity.Strict strict) {
      // Already in memory (akka-http makes a small body strict), and not larger than maxBody (a
      // declared larger one is refused before this): no stream to run for it.
      return CompletableFuture.completedFuture(new Body(ByteString.emptyByteString(), 0, maxBody).plus(strict.getData()));
    }
    return upToDrainLimit(entity).runWith(Sink.fold(new Body(ByteString.emptyByteString(), 0, maxBody), Body::plus), system);
  }

  /** The body's bytes as they arrive, failing past {@link #drainLimit} or the write timeout. */
  private Source<ByteString, Object> upToDrainLimit(HttpEntity entity) {
    return entity.withSizeLimit(drainLimit).getDataBytes().completionTimeout(writeTimeout);
  }

  /**
   * Answers {@code refusal} once the body is read to its end (see {@link #drainLimit}); at once,
   * without reading, when it is declared larger than that.
   */
  private CompletionStage<HttpResponse> refuse(HttpEntity entity, HttpResponse refusal) {
    if (entity.getContentLengthOption().isPresent() && entity.getContentLengthOption().getAsLong() > drainLimit) {
      entity.discardBytes(system);
      return done(refusal);
    }
    return upToDrainLimit(entity).runWith(Sink.ignore(), system)
        .handleAsync((drained, failure) -> refusal, system.executionContext());
  }

  /** The body as JSON (null when there is none), and everything wrong with the request. */
  private record Checked(JsonNode body, List<Violation> violations) {}

  private static Checked check(OperationType type, Map<String, String> pathParams, byte[] bytes) {
    List<Violation> violations = new ArrayList<>(type.validator().validatePathParams(pathParams));
    if (bytes.length == 0) {
      if (type.validator().bodyRequired()) {
        violations.add(new Violation("body", "", "a JSON body is required", "required"));
      }
      return new Checked(null, violations);
    }
    try {
      JsonNode body = Json.readTreeNoDeeperThan(bytes, Json.MAX_NESTING);
      violations.addAll(type.validator().validateBody(body));
      return new Checked(body, violations);
    } catch (JsonProcessingException e) {
      violations.add(new Violation("body", "", "malformed JSON: " + e.getOriginalMessage()
          + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", "json"));
      return new Checked(null, violations);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a byte array: does not happen
    }
  }

  private CompletionStage<HttpResponse> accept(String base, HttpRequest http, OperationType type,
      Map<String, String> pathParams, JsonNode body, String principal) {
    String id = OperationIds.newId(clock);
    OperationRequest request = new OperationRequest(id, type.name(), http.method().name(), http.getUri().path(),
        pathParams, body, principal, clock.instant(), type.plan());
    // Left again however the write ends: a ticket that stayed would look older and older, and refuse every submit.
    PendingWrites.Ticket pending = pendingWrites.enter();
    CompletionStage<OperationView> stored;
    try {
      stored = writes.callWithCircuitBreakerCS(() -> RequestBuffer.entityRef(system, id)
          .<OperationView>askWithStatus(replyTo -> new RequestBuffer.Submit(request, replyTo), writeTimeout));
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    return stored
        .handleAsync((view, failure) -> {
          pendingWrites.leave(pending);
          if (StageFailures.cause(failure) instanceof CircuitBreakerOpenException open) {
            long retryAfter = Math.max(1, (open.remainingDuration().toMillis() + 999) / 1000);
            return Problem.of(base, ProblemKind.UNAVAILABLE)
                .detail("Requests cannot be stored at the moment (the last ones could not); this one was not stored."
                    + " Retry it after " + retryAfter + " s.")
                .retryAfter(retryAfter)
                .response();
          }
          // Slow writes make the node's sagas yield the journal to submits (SagaLimit).
          slots.observeSubmitWrite(Duration.ofNanos(System.nanoTime() - pending.sinceNanos()));
          if (failure != null) {
            system.log().warn("submit of {} {} (operation {}) not confirmed: {}", http.method().name(), http.getUri().path(), id, failure.toString());
            return Problem.of(base, ProblemKind.UNAVAILABLE)
                .detail("The request could not be confirmed as stored within " + writeTimeout.toSeconds()
                    + " s; it may or may not have been accepted. Retry it.")
                .retryAfter(type.retryAfterSeconds())
                .response();
          }
          return Responses.json(StatusCodes.ACCEPTED,
              StatusDocument.of(view, base, inlineResultMax),
              Responses.pollingHeaders(base, id, polling.seconds(view)));
        }, system.executionContext());
  }

  private HttpResponse tooLarge(String base) {
    return Problem.of(base, ProblemKind.PAYLOAD_TOO_LARGE)
        .detail("The request body is larger than the limit of " + maxBody + " bytes.")
        .response();
  }

  private static HttpResponse invalid(String base, List<Violation> violations) {
    ArrayNode errors = Json.MAPPER.createArrayNode();
    for (Violation v : violations) {
      ObjectNode e = errors.addObject();
      e.put("in", v.in());
      e.put("pointer", v.pointer());
      e.put("detail", v.detail());
      e.put("keyword", v.keyword());
    }
    String detail = violations.size() == 1
        ? "1 violation: " + describe(violations.get(0))
        : violations.size() + " violations: " + String.join("; ", violations.stream().map(SubmitRoute::describe).toList());
    return Problem.of(base, ProblemKind.VALIDATION).detail(detail).with("errors", errors).response();
  }

  private static String describe(Violation v) {
    String where = v.pointer().isEmpty() ? v.in() : v.in() + " " + v.pointer();
    return where + ": " + v.detail();
  }

  private static List<String> segments(HttpRequest request) {
    String path = request.getUri().path();
    if (path.startsWith("/")) {
      path = path.substring(1);
    }
    return path.isEmpty() ? List.of() : List.of(path.split("/", -1));
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
