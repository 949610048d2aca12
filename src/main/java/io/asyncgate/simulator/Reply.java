package io.asyncgate.simulator;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Location;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.json.Json;
import java.util.List;

/**
 * A complete answer of the simulator, kept as plain values so that the idempotency store can hand
 * the very same status, headers and body to a repeated request.
 */
record Reply(StatusCode status, List<HttpHeader> headers, ContentType contentType, byte[] body) {
  static final ContentType PROBLEM_JSON =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));
  /** RFC 9457 lets a problem type be any URI; a URN names the kind without promising a page. */
  static final String PROBLEM_TYPE_PREFIX = "urn:asyncgate:simulator:problem:";

  static Reply created(String location, ObjectNode body) {
    return new Reply(StatusCodes.CREATED, List.of(Location.create(location)), ContentTypes.APPLICATION_JSON, Json.bytes(body));
  }

  static Reply ok(ObjectNode body) {
    return new Reply(StatusCodes.OK, List.of(), ContentTypes.APPLICATION_JSON, Json.bytes(body));
  }

  static Reply noContent() {
    return new Reply(StatusCodes.NO_CONTENT, List.of(), ContentTypes.NO_CONTENT_TYPE, new byte[0]);
  }

  /** An RFC 9457 problem whose {@code type} is {@link #PROBLEM_TYPE_PREFIX} + {@code slug}. */
  static Reply problem(StatusCode status, String slug, String title, String detail, List<HttpHeader> headers) {
    ObjectNode body = Json.object();
    body.put("type", PROBLEM_TYPE_PREFIX + slug);
    body.put("title", title);
    body.put("status", status.intValue());
    body.put("detail", detail);
    return new Reply(status, headers, PROBLEM_JSON, Json.bytes(body));
  }

  static Reply problem(StatusCode status, String slug, String title, String detail) {
    return problem(status, slug, title, detail, List.of());
  }

  static Reply invalid(String detail) {
    return problem(StatusCodes.BAD_REQUEST, "invalid-request", "InvalidRequest", detail);
  }

  static Reply notFound(String detail) {
    return problem(StatusCodes.NOT_FOUND, "not-found", "NotFound", detail);
  }

  HttpResponse toResponse() {
    HttpResponse response = HttpResponse.create().withStatus(status).addHeaders(headers);
    return body.length == 0 ? response : response.withEntity(contentType, body);
  }
}
