package io.asyncgate.http;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.headers.Allow;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MethodRejection;
import akka.http.javadsl.server.Rejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.scaladsl.model.EntityStreamSizeException;
import com.typesafe.config.Config;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.view.OperationLookup;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** The public HTTP API of docs/API.md: every route, and every error as problem+json. */
public final class HttpApi extends AllDirectives {
  /** Authentication comes later; until then every caller is this one principal. */
  static final String ANONYMOUS = "anonymous";
  /** Long enough for a pool to reconnect, short enough not to stall clients once it has. */
  private static final long DATABASE_RETRY_AFTER_SECONDS = 2;

  private final ActorSystem<?> system;
  private final PublicUrls urls;
  private final SubmitRoute submit;
  private final OperationRoutes operations;
  private final HealthRoutes health;
  private final RejectionHandler rejections;
  private final ExceptionHandler exceptions;

  public HttpApi(ActorSystem<?> system, Catalogue catalogue, OperationLookup lookup, Config http) {
    this.system = system;
    this.urls = new PublicUrls(http.getString("public-base-url"), http.getBoolean("trust-forwarded-headers"));
    long inlineResultMax = http.getBytes("inline-result-max");
    this.submit = new SubmitRoute(system, catalogue, urls, http);
    this.operations = new OperationRoutes(system, catalogue, lookup, urls, http.getDuration("write-timeout"), inlineResultMax);
    this.health = new HealthRoutes(system, urls);
    this.rejections = rejectionHandler();
    this.exceptions = exceptionHandler();
  }

  public Route routes() {
    return handleExceptions(exceptions, () -> handleRejections(rejections, () -> concat(
        operations.route(ANONYMOUS),
        pathPrefix("problems", () -> path(segment(), slug -> get(() ->
            ProblemKind.bySlug(slug).map(kind -> complete(Problem.page(kind))).orElseGet(this::reject)))),
        pathPrefix("health", health::routes),
        submit.route(ANONYMOUS))));
  }

  /** Built once; a problem is made (and the request read) only when a request is rejected. */
  private RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejected -> extractRequest(request -> {
          HttpMethod[] allowed = rejected.stream().map(MethodRejection::supported).distinct().toArray(HttpMethod[]::new);
          List<String> names = Arrays.stream(allowed).map(HttpMethod::name).toList();
          return complete(Problem.of(urls.base(request), ProblemKind.METHOD_NOT_ALLOWED)
              .detail(request.method().name() + " is not allowed on " + request.getUri().path() + "; it takes " + names + ".")
              .header(Allow.create(allowed))
              .response());
        }))
        .handle(Rejection.class, r -> extractRequest(request -> complete(Problem.of(urls.base(request), ProblemKind.VALIDATION)
            .detail("The request could not be handled: " + r + ".")
            .response())))
        .handleNotFound(extractRequest(request -> complete(Problem.of(urls.base(request), ProblemKind.NOT_FOUND)
            .detail("No route or operation type takes " + request.method().name() + " " + request.getUri().path() + ".")
            .response())))
        .build();
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(Throwable.class, thrown -> extractRequest(request -> {
          String base = urls.base(request);
          Throwable t = StageFailures.cause(thrown);
          if (t instanceof EntityStreamSizeException) {
            return complete(Problem.of(base, ProblemKind.PAYLOAD_TOO_LARGE).detail("The request body is larger than the limit.").response());
          }
          if (databaseUnreachable(t)) {
            system.log().warn("{} {} failed, the database does not answer: {}", request.method().name(), request.getUri().path(), t.toString());
            return complete(Problem.of(base, ProblemKind.UNAVAILABLE)
                .detail("The database does not answer at the moment; retry after " + DATABASE_RETRY_AFTER_SECONDS + " s.")
                .retryAfter(DATABASE_RETRY_AFTER_SECONDS)
                .response());
          }
          if (t instanceof TimeoutException) {
            // Something asked did not answer in time (a node busy recovering its operations): nothing
            // changed, and retrying is right.
            return complete(Problem.of(base, ProblemKind.UNAVAILABLE)
                .detail("The operation's state could not be read in time; retry after " + DATABASE_RETRY_AFTER_SECONDS + " s.")
                .retryAfter(DATABASE_RETRY_AFTER_SECONDS)
                .response());
          }
          String incident = UUID.randomUUID().toString();
          system.log().error("incident " + incident + " on " + request.method().name() + " " + request.getUri().path(), t);
          return complete(Problem.of(base, ProblemKind.INTERNAL)
              .detail("Unexpected error; the node's log has it as incident " + incident + ".")
              .response());
        }))
        .build();
  }

  /**
   * Whether {@code t} comes from a connection to the database that failed or could not be had (a
   * pool timeout, SQL state class 08) — an outage to wait out, not a bug.
   */
  private static boolean databaseUnreachable(Throwable t) {
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLTransientConnectionException
          || cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
        return true;
      }
    }
    return false;
  }
}
