package io.asyncgate.http;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way errors leave the API: {@code application/problem+json} (RFC 9457), built as
 * {@code Problem.of(base, kind).detail(...).operation(id).with("errors", list).response()}.
 */
final class Problem {
  static final ContentType CONTENT_TYPE =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  private final String base;
  private final String type;
  private final String title;
  private StatusCode status;
  private String detail;
  private String instance;
  private final ObjectNode members = Json.object();
  private final List<HttpHeader> headers = new ArrayList<>();

  private Problem(String base, String type, String title, StatusCode status) {
    this.base = base;
    this.type = type;
    this.title = title;
    this.status = status;
  }

  /** A problem of a kind of ours: its type URL under {@code base}, its title and its usual status. */
  static Problem of(String base, ProblemKind kind) {
    return new Problem(base, PublicUrls.problem(base, kind.slug), kind.title, kind.status);
  }

  /**
   * A problem with no request to take a base from (one akka-http could not parse): {@code about:blank},
   * nothing more to it than its HTTP status (RFC 9457).
   */
  static Problem aboutBlank(StatusCode status) {
    return new Problem(null, "about:blank", status.reason(), status);
  }

  /** Another status than the kind's usual one. */
  Problem status(StatusCode status) {
    this.status = status;
    return this;
  }

  /** What a person can do about it. */
  Problem detail(String detail) {
    this.detail = detail;
    return this;
  }

  /** The operation the problem is about: its status URL becomes the {@code instance}. */
  Problem operation(String id) {
    this.instance = PublicUrls.operation(base, id);
    return this;
  }

  /** An extension member, e.g. "errors" or "error". */
  Problem with(String member, JsonNode value) {
    members.set(member, value);
    return this;
  }

  Problem header(HttpHeader header) {
    headers.add(header);
    return this;
  }

  Problem retryAfter(long seconds) {
    return header(Responses.retryAfter(seconds));
  }

  HttpResponse response() {
    ObjectNode body = Json.object();
    body.put("type", type);
    body.put("title", title);
    body.put("status", status.intValue());
    body.put("detail", detail);
    if (instance != null) {
      body.put("instance", instance);
    }
    body.setAll(members);
    return HttpResponse.create()
        .withStatus(status)
        .addHeaders(headers)
        .withEntity(CONTENT_TYPE, Json.bytes(body));
  }

  /** The page behind a problem's type URL. */
  static HttpResponse page(ProblemKind kind) {
    String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + kind.title + "</title></head><body>"
        + "<h1>" + kind.title + "</h1><p>HTTP status " + kind.status.intValue() + " (usually).</p>"
        + "<p>" + kind.explanation + "</p></body></html>";
    return HttpResponse.create().withEntity(ContentTypes.TEXT_HTML_UTF8, html.getBytes(StandardCharsets.UTF_8));
  }
}
