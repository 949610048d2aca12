package io.asyncgate.http;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import java.util.Arrays;
import java.util.Optional;

/**
 * Every kind of problem the API answers with: the stable {@code type} ({@code <base>/problems/<slug>}),
 * its title, its usual status, and the page served at that URL explaining the fix.
 */
enum ProblemKind {
  VALIDATION("validation", StatusCodes.BAD_REQUEST, "The request is not valid",
      "The body, a path parameter or a query parameter breaks the rules of this operation type. The problem's"
          + " \"errors\" list each violation with where it is (a JSON pointer) and what is wrong. Nothing was stored:"
          + " fix the request and send it again."),
  NOT_FOUND("not-found", StatusCodes.NOT_FOUND, "Not found",
      "There is no such route, or no operation with this id visible to you. Check the URL; status URLs are the"
          + " Location of the 202 that accepted the request."),
  METHOD_NOT_ALLOWED("method-not-allowed", StatusCodes.METHOD_NOT_ALLOWED, "Method not allowed",
      "This URL exists but not with this HTTP method. The Allow header lists the methods it takes."),
  PAYLOAD_TOO_LARGE("payload-too-large", StatusCodes.PAYLOAD_TOO_LARGE, "Request body too large",
      "The request body is larger than this service accepts (asyncgate.http.max-request-body). Nothing was"
          + " stored. Send a smaller body, or hand over a reference to the data instead of the data."),
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", StatusCodes.UNSUPPORTED_MEDIA_TYPE, "Unsupported content type",
      "Request bodies must be JSON: send them with Content-Type: application/json. Nothing was stored."),
  OPERATION_FAILED("operation-failed", StatusCodes.UNPROCESSABLE_ENTITY, "The operation failed",
      "The operation ended in status Failed, so it has no result. \"error\" says why; its completed steps were"
          + " compensated. The status is 422 when a step rejected the request, 502 when a downstream service kept"
          + " failing, 504 when a step kept timing out."),
  OPERATION_CANCELED("operation-canceled", StatusCodes.CONFLICT, "The operation was canceled",
      "The operation was canceled, so it has no result; its completed steps were compensated."),
  RESULT_UNAVAILABLE("result-unavailable", StatusCodes.BAD_GATEWAY, "The result could not be fetched",
      "The operation succeeded and its result stays with the downstream service that made it; asyncgate fetches it"
          + " at each read, and this time the downstream failed or could not be reached. Try again later."),
  OPERATION_FINISHED("operation-finished", StatusCodes.CONFLICT, "The operation has already finished",
      "An operation that Succeeded or Failed can no longer be canceled. Delete it instead to purge it."),
  OPERATION_PURGED("operation-purged", StatusCodes.GONE, "The operation was purged",
      "The operation existed but was deleted; its status and result are gone."),
  UNAVAILABLE("unavailable", StatusCodes.SERVICE_UNAVAILABLE, "Service unavailable",
      "asyncgate could not confirm in time that it stored the request or change. It may or may not have"
          + " been taken: retry after the Retry-After delay (a cancel or delete may be repeated safely)."),
  BUSY("busy", StatusCodes.SERVICE_UNAVAILABLE, "This node has as much work as it takes",
      "The node has as many accepted operations waiting or running as it is configured to hold"
          + " (asyncgate.processing.max-backlog), or as many requests waiting to be stored"
          + " (asyncgate.http.max-pending-submits); nothing was stored. Send the request again after the Retry-After"
          + " delay, when some of that work has finished."),
  LEAVING("leaving", StatusCodes.SERVICE_UNAVAILABLE, "This node is shutting down",
      "The node is leaving its cluster and takes no new requests; nothing was stored. Send the request again"
          + " after the Retry-After delay: it will reach a node that takes it."),
  UNHEALTHY("unhealthy", StatusCodes.SERVICE_UNAVAILABLE, "The node is not healthy",
      "A health check of this node failed. It is not ready while it is not an Up member of its cluster, while its"
          + " database does not answer, and from the moment it starts shutting down. Send requests to another node,"
          + " or retry later."),
  INTERNAL("internal", StatusCodes.INTERNAL_SERVER_ERROR, "Internal error",
      "Something went wrong inside asyncgate. The log of the node has the details under the problem's instance.");

  final String slug;
  final StatusCode status;
  final String title;
  final String explanation;

  ProblemKind(String slug, StatusCode status, String title, String explanation) {
    this.slug = slug;
    this.status = status;
    this.title = title;
    this.explanation = explanation;
  }

  static Optional<ProblemKind> bySlug(String slug) {
    return Arrays.stream(values()).filter(k -> k.slug.equals(slug)).findFirst();
  }
}
