package io.asyncgate.http;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.Progress;
import io.asyncgate.operation.RequestBuffer;
import io.asyncgate.operation.RequestBuffer.Change;
import io.asyncgate.operation.SagaSlots;
import io.asyncgate.view.OperationListing;
import io.asyncgate.view.OperationLookup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** {@code /operations}: status, result, cancel, delete and the listing. Reads come from the view. */
final class OperationRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final OperationLookup lookup;
  private final PublicUrls urls;
  private final ResultResponses results;
  private final Duration writeTimeout;
  private final long inlineResultMax;
  private final PollingInterval polling;

  OperationRoutes(ActorSystem<?> system, Catalogue catalogue, OperationLookup lookup, PublicUrls urls,
      Duration writeTimeout, long inlineResultMax) {
    this.system = system;
    this.lookup = lookup;
    this.urls = urls;
    this.results = new ResultResponses(system);
    this.writeTimeout = writeTimeout;
    this.inlineResultMax = inlineResultMax;
    this.polling = new PollingInterval(catalogue, SagaSlots.get(system));
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
                  completeWithFuture(withOperation(base, id, principal, op -> results.of(base, op, retryAfter(op)))))),
              path("cancel", () -> post(() ->
                  completeWithFuture(withOperation(base, id, principal, op -> cancel(base, op))))))));
    }));
  }

  /** Finds the operation (404 when unknown or another principal's, 410 once purged), then acts on it. */
  private CompletionStage<HttpResponse> withOperation(String base, String id, String principal,
      Function<OperationView, CompletionStage<HttpResponse>> action) {
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
        .handleAsync((change, failure) -> failure == null
            ? changed(base, op, change)
            : done(Problem.of(base, ProblemKind.UNAVAILABLE)
                .detail("The change to operation " + op.id() + " could not be confirmed within " + writeTimeout.toSeconds()
                    + " s. Repeat it.")
                .retryAfter(retryAfter(op))
                .response()), system.executionContext())
        .thenCompose(response -> response);
  }

  private CompletionStage<HttpResponse> changed(String base, OperationView seen, Change change) {
    return switch (change.outcome()) {
      case CANCELING -> {
        OperationView now = change.operation();
        yield done(Responses.json(StatusCodes.ACCEPTED, StatusDocument.of(now, base, inlineResultMax),
            Responses.pollingHeaders(base, now.id(), retryAfter(now))));
      }
      // The view row says so before the 204: a read on a node where the entity does not live answers
      // from that row, and must answer 410 from now on however far the projection lags. If that
      // fails (the database away) the answer is a 503, and the DELETE may be repeated.
      case PURGED -> lookup.purged(change.operation()).thenApply(marked -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
      case CONFLICT -> done(Problem.of(base, ProblemKind.OPERATION_FINISHED)
          .detail("Operation " + seen.id() + " has already " + change.operation().progress().status() + "; it cannot be canceled.")
          .operation(seen.id())
          .response());
      case NOT_FOUND -> done(notFound(base, seen.id()));
    };
  }

  private CompletionStage<HttpResponse> list(String base, String principal, Map<String, String> params) {
    OperationListing.Parsed parsed = OperationListing.parse(principal, params);
    if (!parsed.invalid().isEmpty()) {
      ArrayNode errors = Json.MAPPER.createArrayNode();
      for (OperationListing.InvalidParameter invalid : parsed.invalid()) {
        errors.addObject().put("in", "query").put("pointer", "/" + invalid.name()).put("detail", invalid.detail());
      }
      return done(Problem.of(base, ProblemKind.VALIDATION)
          .detail(errors.size() + " invalid query parameter(s).")
          .with("errors", errors)
          .response());
    }
    return lookup.list(parsed.query()).thenApply(page -> {
      ObjectNode body = Json.object();
      ArrayNode items = body.putArray("items");
      page.items().forEach(op -> items.add(StatusDocument.of(op, base, 0)));
      body.put("nextCursor", page.nextCursor().orElse(null));
      return Responses.json(StatusCodes.OK, body, List.of());
    });
  }

  private long retryAfter(OperationView op) {
    return polling.seconds(op);
  }

  private HttpResponse notFound(String base, String id) {
    return Problem.of(base, ProblemKind.NOT_FOUND).detail("There is no operation " + id + ".").operation(id).response();
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
