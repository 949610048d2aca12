package io.asyncgate.simulator;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.Query;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.Uri;
import akka.http.javadsl.model.headers.Allow;
import akka.http.javadsl.model.headers.ContentDisposition;
import akka.http.javadsl.model.headers.ContentDispositionTypes;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MethodRejection;
import akka.http.javadsl.server.Rejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.pattern.Patterns;
import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The downstream services of the demo — inventory, payments, shipping, users and devices, reports —
 * over real HTTP, with configurable latency and failures, honouring {@code Idempotency-Key}. The
 * endpoints are documented in docs/simulator.md.
 */
public final class DownstreamSimulator extends AllDirectives {
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  /** How many idempotency keys are remembered; the oldest are forgotten first. */
  static final int REMEMBERED_KEYS = 10_000;
  private static final Duration UNBIND_DEADLINE = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final SimulatorSettings settings;
  private final SimulatedServices services = new SimulatedServices();
  private final IdempotencyKeys keys = new IdempotencyKeys(REMEMBERED_KEYS);

  private DownstreamSimulator(ActorSystem<?> system, SimulatorSettings settings) {
    this.system = system;
    this.settings = settings;
  }

  /** Binds the simulator in {@code system}; it unbinds when the system's coordinated shutdown runs. */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, SimulatorSettings settings) {
    Route route = new DownstreamSimulator(system, settings).route();
    return Http.get(system).newServerAt(settings.host(), settings.port()).bind(route)
        .thenApplyAsync(binding -> binding.addToCoordinatedShutdown(UNBIND_DEADLINE, system), system.executionContext());
  }

  private Route route() {
    return handleExceptions(exceptionHandler(), () -> handleRejections(rejectionHandler(), () -> concat(
        path("health", () -> get(() -> complete(Reply.ok(Json.object().put("status", "up")).toResponse()))),
        path("stats", () -> get(() -> complete(Reply.ok(services.stats()).toResponse()))),
        pathPrefix("inventory", () -> pathPrefix("reservations", () -> concat(
            pathEnd(() -> post(() -> mutating(services::reserve))),
            path(segment(), id -> concat(
                get(() -> reading(() -> services.reservation(id)
                    .orElseGet(() -> Reply.notFound("There is no reservation " + id + ".")).toResponse())),
                delete(() -> mutating(ignored -> services.release(id)))))))),
        pathPrefix("payments", () -> concat(
            pathEnd(() -> post(() -> mutating(services::charge))),
            path(segment(), id -> delete(() -> mutating(ignored -> services.refund(id)))))),
        pathPrefix("shipments", () -> concat(
            pathEnd(() -> post(() -> mutating(services::ship))),
            path(segment(), id -> delete(() -> mutating(ignored -> services.cancelShipment(id)))))),
        pathPrefix("users", () -> pathPrefix(segment(), userId -> concat(
            pathEnd(() -> delete(() -> mutating(ignored -> services.deleteUser(userId)))),
            path("devices", () -> get(() -> reading(() -> services.devicesOf(userId).toResponse())))))),
        pathPrefix("devices", () -> pathPrefix(segment(), deviceId -> concat(
            pathEnd(() -> delete(() -> mutating(ignored -> services.deleteDevice(deviceId)))),
            path("restore", () -> post(() -> mutating(ignored -> services.restoreDevice(deviceId))))))),
        pathPrefix("reports", () -> concat(
            pathEnd(() -> post(() -> extractUri(uri -> mutating(body -> services.createReport(body, reportsUrl(uri)))))),
            path(segment(), id -> get(() -> reading(() -> services.report(id).map(DownstreamSimulator::csv)
                .orElseGet(() -> Reply.notFound("There is no report " + id + ".").toResponse())))))))));
  }

  /** A read: only latency applies (failures are injected into writes, where retries matter). */
  private Route reading(Supplier<HttpResponse> read) {
    return completeWithFuture(delayed(() -> CompletableFuture.completedFuture(read.get())));
  }

  /**
   * A write: after the latency, either an injected 503 (nothing done), or the effect — once per
   * {@code Idempotency-Key}, whose repetitions get the first reply.
   */
  private Route mutating(Function<JsonNode, Reply> effect) {
    return extractRequest(request -> entity(Unmarshaller.entityToByteString(), body ->
        optionalHeaderValueByName(IDEMPOTENCY_KEY, key -> completeWithFuture(delayed(() ->
            answer(request, body.toArray(), key, effect).thenApply(Reply::toResponse))))));
  }

  private CompletionStage<Reply> answer(HttpRequest request, byte[] body, Optional<String> key,
      Function<JsonNode, Reply> effect) {
    if (ThreadLocalRandom.current().nextDouble() < settings.failureRate()) {
      services.count(SimulatedServices.Effect.FAILURE_INJECTED);
      long seconds = (settings.retryAfter().toMillis() + 999) / 1000;
      return CompletableFuture.completedFuture(Reply.problem(StatusCodes.SERVICE_UNAVAILABLE, "unavailable",
          "ServiceUnavailable", "Simulated outage (failure-rate " + settings.failureRate() + "); nothing was done.",
          List.of(RetryAfter.create(seconds))));
    }
    Supplier<Reply> once = () -> parse(body).map(effect).orElseGet(() -> Reply.invalid("The body is not valid JSON."));
    return key.map(k -> keys.once(k, request.method().name(), request.getUri().path(), body, once))
        .orElseGet(() -> CompletableFuture.completedFuture(once.get()));
  }

  /** The configured latency plus jitter, waited for on the scheduler, never on a thread. */
  private <T> CompletionStage<T> delayed(Supplier<CompletionStage<T>> answer) {
    long jitterMillis = settings.latencyJitter().toMillis();
    Duration delay = settings.latency().plusMillis(jitterMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitterMillis + 1));
    if (delay.isZero()) {
      return answer.get();
    }
    return Patterns.after(delay, system.classicSystem().scheduler(), system.executionContext(), answer::get);
  }

  /** An empty body (a DELETE) reads as an empty object. */
  private static Optional<JsonNode> parse(byte[] body) {
    if (body.length == 0) {
      return Optional.of(Json.object());
    }
    try {
      return Optional.of(Json.readTreeNoDeeperThan(body, Json.MAX_NESTING));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String reportsUrl(Uri requestUri) {
    return requestUri.path("/reports").query(Query.EMPTY).toString();
  }

  /** The report's CSV, generated row by row as the client reads it. */
  private static HttpResponse csv(SimulatedServices.Report report) {
    return HttpResponse.create()
        .addHeader(ContentDisposition.create(ContentDispositionTypes.ATTACHMENT, Map.of("filename", report.name() + ".csv")))
        .withEntity(HttpEntities.create(ContentTypes.TEXT_CSV_UTF8, report.csv()));
  }

  private RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejected -> extractRequest(request -> {
          HttpMethod[] allowed = rejected.stream().map(MethodRejection::supported).distinct().toArray(HttpMethod[]::new);
          Reply reply = Reply.problem(StatusCodes.METHOD_NOT_ALLOWED, "method-not-allowed", "MethodNotAllowed",
              request.method().name() + " is not allowed on " + request.getUri().path() + "; it takes "
                  + Arrays.stream(allowed).map(HttpMethod::name).toList() + ".", List.of(Allow.create(allowed)));
          return complete(reply.toResponse());
        }))
        .handle(Rejection.class, rejection -> complete(Reply.invalid("The request was rejected: " + rejection + ".").toResponse()))
        .handleNotFound(extractRequest(request -> complete(Reply.notFound(
            "The simulator has no " + request.method().name() + " " + request.getUri().path() + ".").toResponse())))
        .build();
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(Throwable.class, thrown -> extractRequest(request -> {
          Throwable cause = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
          system.log().error("simulator failed on " + request.method().name() + " " + request.getUri().path(), cause);
          return complete(Reply.problem(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "InternalError",
              "The simulator failed: " + cause).toResponse());
        }))
        .build();
  }
}
