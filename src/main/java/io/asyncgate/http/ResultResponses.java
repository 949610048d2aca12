package io.asyncgate.http;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.ResponseEntity;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.ContentDisposition;
import akka.http.javadsl.model.headers.ContentDispositionTypes;
import akka.http.javadsl.model.headers.Location;
import io.asyncgate.json.Json;
import io.asyncgate.operation.DownstreamResource;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.Progress;
import io.asyncgate.step.FailureKind;
import io.asyncgate.step.http.DownstreamHttp;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What {@code GET /operations/{id}/result} answers: the result once succeeded (stored, or streamed
 * from the downstream that keeps it), a problem once failed or canceled, {@code 202} until then.
 */
final class ResultResponses {
  private final ActorSystem<?> system;

  ResultResponses(ActorSystem<?> system) {
    this.system = system;
  }

  CompletionStage<HttpResponse> of(String base, OperationView op, long retryAfterSeconds) {
    Optional<DownstreamResource> downstream = op.progress().status() == OperationStatus.Succeeded
        ? op.result().downstreamResource() : Optional.empty();
    return downstream.map(resource -> streamed(base, op, resource))
        .orElseGet(() -> CompletableFuture.completedFuture(stored(base, op, retryAfterSeconds)));
  }

  /** The downstream's body passes through as it arrives (never buffered), with its content type and disposition. */
  private CompletionStage<HttpResponse> streamed(String base, OperationView op, DownstreamResource resource) {
    return DownstreamHttp.get(system).open(resource).handle((response, failure) -> {
      if (failure != null) {
        return Problem.of(base, ProblemKind.RESULT_UNAVAILABLE)
            .detail("The result of operation " + op.id() + " is kept by a downstream service, which did not deliver it: "
                + StageFailures.cause(failure).getMessage())
            .operation(op.id())
            .response();
      }
      // The client's max-content-length guards buffered step outputs; a streamed result may be larger.
      // (The Java API types withoutSizeLimit() as HttpEntity; on a response entity it is one.)
      HttpResponse passed = HttpResponse.create().withEntity((ResponseEntity) response.entity().withoutSizeLimit());
      return response.getHeader(ContentDisposition.class).map(passed::addHeader).orElse(passed);
    });
  }

  private static HttpResponse stored(String base, OperationView op, long retryAfterSeconds) {
    Progress p = op.progress();
    return switch (p.status()) {
      case Succeeded -> {
        OperationResult result = op.result();
        HttpResponse response = HttpResponse.create().withEntity(ContentTypes.parse(result.contentType()), result.body());
        yield result.fileName() == null ? response : response.addHeader(
            ContentDisposition.create(ContentDispositionTypes.ATTACHMENT, Map.of("filename", result.fileName())));
      }
      case Failed -> Problem.of(base, ProblemKind.OPERATION_FAILED)
          .status(failedStatus(p.failureKind()))
          .detail(p.error().message())
          .operation(op.id())
          .with("error", Json.tree(p.error()))
          .response();
      case Canceled -> Problem.of(base, ProblemKind.OPERATION_CANCELED)
          .detail("Operation " + op.id() + " was canceled; it has no result.")
          .operation(op.id())
          .with("error", Json.tree(p.error()))
          .response();
      default -> Responses.json(StatusCodes.ACCEPTED, StatusDocument.of(op, base, 0),
          List.of(Location.create(PublicUrls.operation(base, op.id())), Responses.retryAfter(retryAfterSeconds)));
    };
  }

  /** 422 when a step rejected the request for good, 502 when a downstream kept failing, 504 when it kept timing out. */
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
}
