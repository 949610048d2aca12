package io.asyncgate.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.model.headers.RawHeader;
import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.json.Json;
import java.util.ArrayList;
import java.util.List;

/** Small builders for the API's successful responses. */
final class Responses {
  private Responses() {}

  static HttpResponse json(StatusCode status, JsonNode body, List<HttpHeader> headers) {
    return HttpResponse.create()
        .withStatus(status)
        .addHeaders(headers)
        .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(body));
  }

  static HttpHeader retryAfter(long seconds) {
    return RawHeader.create("Retry-After", Long.toString(Math.max(1, seconds)));
  }

  /** Location (status URL), Operation-Location (the same, never redirecting) and Retry-After. */
  static List<HttpHeader> pollingHeaders(String base, String id, long retryAfterSeconds) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(Location.create(PublicUrls.operation(base, id)));
    headers.add(RawHeader.create("Operation-Location", PublicUrls.operationLocation(base, id)));
    headers.add(retryAfter(retryAfterSeconds));
    return headers;
  }
}
