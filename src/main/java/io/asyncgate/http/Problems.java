package io.asyncgate.http;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The one way errors leave the API: {@code application/problem+json} (RFC 9457). */
final class Problems {
  static final ContentType PROBLEM_JSON =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  private Problems() {}

  static HttpResponse response(String base, ProblemKind kind, String detail) {
    return response(base, kind, kind.status, detail, null, Json.object(), List.of());
  }

  /**
   * @param instance the operation's status URL, or null
   * @param extensions extra members, e.g. "errors" or "error"
   */
  static HttpResponse response(String base, ProblemKind kind, StatusCode status, String detail, String instance,
      ObjectNode extensions, List<HttpHeader> headers) {
    ObjectNode body = Json.object();
    body.put("type", PublicUrls.problem(base, kind.slug));
    body.put("title", kind.title);
    body.put("status", status.intValue());
    body.put("detail", detail);
    if (instance != null) {
      body.put("instance", instance);
    }
    body.setAll(extensions);
    return HttpResponse.create()
        .withStatus(status)
        .addHeaders(headers)
        .withEntity(PROBLEM_JSON, Json.bytes(body));
  }

  /** 503: a write was not confirmed in time; the client should retry after a while. */
  static HttpResponse unconfirmed(String base, String detail, long retryAfterSeconds) {
    return response(base, ProblemKind.UNAVAILABLE, StatusCodes.SERVICE_UNAVAILABLE, detail, null, Json.object(),
        List.of(Responses.retryAfter(retryAfterSeconds)));
  }

  /** The page behind a problem's type URL. */
  static HttpResponse page(ProblemKind kind) {
    String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + kind.title + "</title></head><body>"
        + "<h1>" + kind.title + "</h1><p>HTTP status " + kind.status.intValue() + " (usually).</p>"
        + "<p>" + kind.explanation + "</p></body></html>";
    return HttpResponse.create().withEntity(ContentTypes.TEXT_HTML_UTF8, html.getBytes(StandardCharsets.UTF_8));
  }
}
