package io.asyncgate.http;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.ResponseEntity;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.ContentDisposition;
import akka.http.javadsl.model.headers.ContentDispositionTypes;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.json.Json;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.operation.DownstreamResource;
import io.asyncgate.step.FailureKind;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.Progress;
import io.asyncgate.operation.RequestBuffer;
import io.asyncgate.step.http.DownstreamHttp;
import io.asyncgate.operation.RequestBuffer.Change;
import io.asyncgate.view.OperationLookup;
import io.asyncgate.operation.OperationView;
import io.asyncgate.view.OperationViewRepository.Cursor;
import io.asyncgate.view.OperationViewRepository.ListQuery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** {@code /operations}: status, result, cancel, delete and the listing. Reads come from the view. */
final class OperationRoutes extends AllDirectives {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private final ActorSystem<?> system;
  private final Catalogue catalogue;
  private final OperationLookup lookup;
  private final PublicUrls urls;
  private final Duration writeTimeout;
  private final long inlineResultMax;

  OperationRoutes(ActorSystem<?> system, Catalogue catalogue, OperationLookup lookup, PublicUrls urls,
      Duration writeTimeout, long inlineResultMax) {
    this.system = system;
    this.catalogue = catalogue;
    this.lookup = lookup;
    this.urls = urls;
    this.writeTimeout = writeTimeout;
    this.inlineResultMax = inlineResultMax;
  }

  Route route(String principal) {
    return pathPrefix("operations", () -> extractRequest(request -> {
      String base = urls.base(request);
      return concat(
          pathEndOrSingleSlash(() -> get(() -> parameterMap(params -> completeWithFuture(list(base, principal, params))))),
          pathPrefix(segment(), id -> concat(
              pathEnd(() -> concat(
                  get(() -> parameterOptional("redirect", redirect ->
                      completeWithFuture(withOperation(base, id, principal, op -> status(base, op, redirect))))),
                  delete(() -> completeWithFuture(withOperation(base, id, principal, op -> delete(base, op)))))),
              path("result", () -> get(() ->
                  completeWithFuture(withOperation(base, id, principal, op -> result(base, op))))),
              path("cancel", () -> post(() ->
                  completeWithFuture(withOperation(base, id, principal, op -> cancel(base, op))))))));
    }));
  }

  /** Finds the operation (404 when unknown or another principal's, 410 once purged), then acts on it. */
  private CompletionStage<HttpResponse> withOperation(String base, String id, String principal,
      Function<OperationView, CompletionStage<HttpResponse>> action) {
    if (!isOperationId(id)) {
      return done(notFound(base, id));
    }
    return lookup.find(id).thenCompose(found -> {
      if (found.isEmpty() || !found.get().principal().equals(principal)) {
        return done(notFound(base, id));
      }
      if (found.get().progress().purged()) {
        return done(Problem.of(base, ProblemKind.OPERATION_PURGED).detail("Operation " + id + " was purged.").operation(id).response());
      }
      return action.apply(found.get());
    });
  }

  private CompletionStage<HttpResponse> status(String base, OperationView op, Optional<String> redirect) {
    Progress p = op.progress();
    boolean redirects = redirect.map(r -> !r.equalsIgnoreCase("false")).orElse(true);
    if (p.status() == OperationStatus.Succeeded && redirects) {
      return done(Responses.json(StatusCodes.SEE_OTHER, StatusDocument.of(op, base, 0),
          List.of(Location.create(PublicUrls.result(base, op.id())))));
    }
    List<HttpHeader> headers = p.isTerminal() ? List.of() : List.of(Responses.retryAfter(retryAfter(op)));
    return done(Responses.json(StatusCodes.OK, StatusDocument.of(op, base, inlineResultMax), headers));
  }

  private CompletionStage<HttpResponse> result(String base, OperationView op) {
    Optional<DownstreamResource> downstream = op.progress().status() == OperationStatus.Succeeded
        ? op.result().downstreamResource() : Optional.empty();
    return downstream.map(resource -> streamed(base, op, resource)).orElseGet(() -> done(storedResult(base, op)));
  }

  /** The downstream's body passes through as it arrives (never buffered), with its content type and disposition. */
  private CompletionStage<HttpResponse> streamed(String base, OperationView op, DownstreamResource resource) {
    return DownstreamHttp.get(system).open(resource).handle((response, failure) -> {
      if (failure != null) {
        String reason = StageFailures.cause(failure).getMessage();
        return Problem.of(base, ProblemKind.RESULT_UNAVAILABLE)
            .detail("The result of operation " + op.id() + " is kept by a downstream service, which did not deliver it: " + reason)
            .operation(op.id())
            .response();
      }
      // The client's max-content-length guards buffered step outputs; a streamed result may be larger.
      // (The Java API types withoutSizeLimit() as HttpEntity; on a response entity it is one.)
      HttpResponse passed = HttpResponse.create().withEntity((ResponseEntity) response.entity().withoutSizeLimit());
      return response.getHeader(ContentDisposition.class).map(passed::addHeader).orElse(passed);
    });
  }

  private HttpResponse storedResult(String base, OperationView op) {
    Progress p = op.progress();
    switch (p.status()) {
      case Succeeded -> {
        OperationResult result = op.result();
        ContentType contentType = ContentTypes.parse(result.contentType());
        HttpResponse response = HttpResponse.create().withEntity(contentType, result.body());
        if (result.fileName() != null) {
          response = response.addHeader(ContentDisposition.create(ContentDispositionTypes.ATTACHMENT,
              Map.of("filename", result.fileName())));
        }
        return response;
      }
      case Failed -> {
        return Problem.of(base, ProblemKind.OPERATION_FAILED)
            .status(failedStatus(p.failureKind()))
            .detail(p.error().message())
            .operation(op.id())
            .with("error", Json.tree(p.error()))
            .response();
      }
      case Canceled -> {
        return Problem.of(base, ProblemKind.OPERATION_CANCELED)
            .detail("Operation " + op.id() + " was canceled; it has no result.")
            .operation(op.id())
            .with("error", Json.tree(p.error()))
            .response();
      }
      default -> {
        List<HttpHeader> headers = new ArrayList<>();
        headers.add(Location.create(PublicUrls.operation(base, op.id())));
        headers.add(Responses.retryAfter(retryAfter(op)));
        return Responses.json(StatusCodes.ACCEPTED, StatusDocument.of(op, base, 0), headers);
      }
    }
  }

  private CompletionStage<HttpResponse> cancel(String base, OperationView op) {
    return change(base, op, RequestBuffer.Cancel::new);
  }

  private CompletionStage<HttpResponse> delete(String base, OperationView op) {
    return change(base, op, RequestBuffer.Delete::new);
  }

  /** Asks the operation's entity for a change; a write not confirmed in time is a 503, never a 500. */
  private CompletionStage<HttpResponse> change(String base, OperationView op,
      akka.japi.function.Function<ActorRef<Change>, RequestBuffer.Command> command) {
    return RequestBuffer.entityRef(system, op.id())
        .<Change>ask(command, writeTimeout)
        .handle((change, failure) -> failure == null
            ? changed(base, op, change)
            : Problem.of(base, ProblemKind.UNAVAILABLE)
                .detail("The change to operation " + op.id() + " could not be confirmed within " + writeTimeout.toSeconds()
                    + " s. Repeat it.")
                .retryAfter(retryAfter(op))
                .response());
  }

  private HttpResponse changed(String base, OperationView seen, Change change) {
    return switch (change.outcome()) {
      case CANCELING -> {
        OperationView now = change.operation();
        yield Responses.json(StatusCodes.ACCEPTED, StatusDocument.of(now, base, inlineResultMax),
            Responses.pollingHeaders(base, now.id(), retryAfter(now)));
      }
      case PURGED -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
      case CONFLICT -> Problem.of(base, ProblemKind.OPERATION_FINISHED)
          .detail("Operation " + seen.id() + " has already " + change.operation().progress().status() + "; it cannot be canceled.")
          .operation(seen.id())
          .response();
      case NOT_FOUND -> notFound(base, seen.id());
    };
  }

  private CompletionStage<HttpResponse> list(String base, String principal, Map<String, String> params) {
    List<ObjectNode> errors = new ArrayList<>();
    String type = params.get("type");
    OperationStatus status = null;
    if (params.containsKey("status")) {
      try {
        status = OperationStatus.valueOf(params.get("status"));
      } catch (IllegalArgumentException e) {
        errors.add(queryError("status", "must be one of NotStarted, Running, Succeeded, Failed, Canceled"));
      }
    }
    Instant createdAfter = null;
    if (params.containsKey("createdAfter")) {
      try {
        createdAfter = Instant.parse(params.get("createdAfter"));
      } catch (DateTimeParseException e) {
        errors.add(queryError("createdAfter", "must be an RFC 3339 UTC time like 2026-11-21T10:00:00Z"));
      }
    }
    int limit = DEFAULT_LIMIT;
    if (params.containsKey("limit")) {
      try {
        limit = Integer.parseInt(params.get("limit"));
        if (limit < 1 || limit > MAX_LIMIT) {
          errors.add(queryError("limit", "must be between 1 and " + MAX_LIMIT));
        }
      } catch (NumberFormatException e) {
        errors.add(queryError("limit", "must be a whole number between 1 and " + MAX_LIMIT));
      }
    }
    Cursor after = null;
    if (params.containsKey("cursor")) {
      after = decodeCursor(params.get("cursor"));
      if (after == null) {
        errors.add(queryError("cursor", "is not a cursor this service handed out; use nextCursor of a previous page"));
      }
    }
    if (!errors.isEmpty()) {
      ArrayNode list = Json.MAPPER.createArrayNode();
      errors.forEach(list::add);
      return done(Problem.of(base, ProblemKind.VALIDATION)
          .detail(errors.size() + " invalid query parameter(s).")
          .with("errors", list)
          .response());
    }
    return lookup.list(new ListQuery(principal, type, status, createdAfter, limit, after)).thenApply(page -> {
      ObjectNode body = Json.object();
      ArrayNode items = body.putArray("items");
      page.items().forEach(op -> items.add(StatusDocument.of(op, base, 0)));
      if (page.next().isPresent()) {
        body.put("nextCursor", encodeCursor(page.next().get()));
      } else {
        body.putNull("nextCursor");
      }
      return Responses.json(StatusCodes.OK, body, List.of());
    });
  }

  private static ObjectNode queryError(String parameter, String detail) {
    ObjectNode e = Json.object();
    e.put("in", "query");
    e.put("pointer", "/" + parameter);
    e.put("detail", parameter + " " + detail);
    return e;
  }

  static String encodeCursor(Cursor cursor) {
    String raw = cursor.createdAt() + ":" + cursor.id();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static Cursor decodeCursor(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int colon = raw.indexOf(':');
      if (colon < 1) {
        return null;
      }
      String id = raw.substring(colon + 1);
      return isOperationId(id) ? new Cursor(Long.parseLong(raw.substring(0, colon)), id) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private long retryAfter(OperationView op) {
    return catalogue.type(op.type()).map(OperationType::retryAfterSeconds).orElse(1L);
  }

  private static StatusCode failedStatus(FailureKind kind) {
    if (kind == null) {
      return StatusCodes.BAD_GATEWAY;
    }
    return switch (kind) {
      case REJECTED -> StatusCodes.UNPROCESSABLE_ENTITY;
      case TRANSIENT -> StatusCodes.BAD_GATEWAY;
      case TIMEOUT -> StatusCodes.GATEWAY_TIMEOUT;
    };
  }

  private HttpResponse notFound(String base, String id) {
    return Problem.of(base, ProblemKind.NOT_FOUND).detail("There is no operation " + id + ".").operation(id).response();
  }

  /** Ids are UUIDs; anything else cannot name an operation (and never reaches the journal). */
  static boolean isOperationId(String id) {
    try {
      return UUID.fromString(id).toString().equals(id);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
