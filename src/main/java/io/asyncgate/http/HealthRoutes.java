package io.asyncgate.http;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.management.HealthCheckSettings;
import akka.management.javadsl.CheckResult;
import akka.management.javadsl.HealthChecks;
import akka.management.javadsl.ManagementRouteProvider;
import akka.management.javadsl.ManagementRouteProviderSettings;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * {@code alive} and {@code ready}: served by Akka Management on its port (this class replaces the
 * library's own health routes, which answer 500 instead of 503 and plain text instead of a
 * problem) and under {@code /health} on the public port. Both run the readiness checks registered
 * with Akka Management, among them {@link NodeReadiness}.
 */
public final class HealthRoutes extends AllDirectives implements ManagementRouteProvider {
  /** Akka Management names each failed check by its generated lambda class; the reason after it is what helps. */
  private static final Pattern CHECK_NAME = Pattern.compile("Check \\[[^\\]]*\\] failed: ");

  private final HealthChecks checks;
  private final PublicUrls urls;
  private final Executor dispatcher;

  /** Akka Management creates it by reflection; problem URLs there follow the request's Host. */
  public HealthRoutes(ExtendedActorSystem system) {
    this(Adapter.toTyped(system), new PublicUrls("", false));
  }

  HealthRoutes(ActorSystem<?> system, PublicUrls urls) {
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
    this.checks = new HealthChecks(classic,
        HealthCheckSettings.create(system.settings().config().getConfig("akka.management.health-checks")));
    this.urls = urls;
    this.dispatcher = system.executionContext();
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return routes();
  }

  Route routes() {
    return concat(
        path("alive", () -> get(() -> extractRequest(request ->
            completeWithFuture(answer(checks.aliveResult(), "alive", urls.base(request)))))),
        path("ready", () -> get(() -> extractRequest(request ->
            completeWithFuture(answer(checks.readyResult(), "ready", urls.base(request)))))));
  }

  /** 200 with {@code healthy} as the body, or 503 problem+json saying which check failed and why. */
  private CompletionStage<HttpResponse> answer(CompletionStage<CheckResult> result, String healthy, String base) {
    // The checks' stage is one of Akka's converted futures: without an executor, handle() starts a thread.
    return result.handleAsync((checked, failure) -> {
      if (failure == null && checked.isSuccess()) {
        return HttpResponse.create().withEntity(healthy);
      }
      String failed = failure != null ? StageFailures.cause(failure).getMessage() : checked.failure().orElse("a check failed");
      String reason = CHECK_NAME.matcher(failed).replaceAll("");
      return Problem.of(base, ProblemKind.UNHEALTHY).detail("This node is not " + healthy + ": " + reason + ".").response();
    }, dispatcher);
  }
}
