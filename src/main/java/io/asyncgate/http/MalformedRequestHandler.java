package io.asyncgate.http;

import akka.event.LoggingAdapter;
import akka.http.ParsingErrorHandler;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests akka-http cannot even parse (a malformed request target, oversized headers)
 * with problem+json too. There is no request, so no base for an absolute {@code type} URL: such a
 * problem is {@code about:blank} (RFC 9457: nothing more to it than its HTTP status). Set as
 * {@code akka.http.server.parsing.error-handler}.
 */
public final class MalformedRequestHandler extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.debug("unparseable request answered {}: {}", status.intValue(), info.formatPretty());
    return Problem.aboutBlank(status).detail(info.summary().isEmpty() ? status.defaultMessage() : info.summary()).response();
  }
}
