package io.asyncgate.http;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.Uri;
import java.util.Locale;
import java.util.Optional;

/**
 * The absolute base of every URL asyncgate hands out: {@code asyncgate.http.public-base-url} when
 * set; else, when the proxy is trusted, {@code Forwarded} or {@code X-Forwarded-Proto/Host}; else
 * the request's own scheme and {@code Host}.
 */
final class PublicUrls {
  private final String configuredBase;
  private final boolean trustForwarded;

  PublicUrls(String configuredBase, boolean trustForwarded) {
    this.configuredBase = stripSlash(configuredBase.trim());
    this.trustForwarded = trustForwarded;
  }

  /** {@code <base>/operations/{id}}: the status URL, the {@code Location} of a 202, a problem's {@code instance}. */
  static String operation(String base, String id) {
    return base + "/operations/" + id;
  }

  /** The {@code Operation-Location}: the status URL that never redirects. */
  static String operationLocation(String base, String id) {
    return operation(base, id) + "?redirect=false";
  }

  /** {@code <base>/operations/{id}/result}: the {@code resourceLocation}. */
  static String result(String base, String id) {
    return operation(base, id) + "/result";
  }

  /** {@code <base>/problems/<slug>}: a problem's {@code type}, which the API answers with its page. */
  static String problem(String base, String slug) {
    return base + "/problems/" + slug;
  }

  String base(HttpRequest request) {
    if (!configuredBase.isEmpty()) {
      return configuredBase;
    }
    Uri uri = request.getUri();
    String scheme = uri.scheme();
    String host = uri.host().address() + (uri.port() > 0 && !isDefaultPort(scheme, uri.port()) ? ":" + uri.port() : "");
    if (trustForwarded) {
      Optional<String> forwarded = header(request, "Forwarded");
      if (forwarded.isPresent()) {
        String first = forwarded.get().split(",", 2)[0];
        for (String pair : first.split(";")) {
          String[] kv = pair.trim().split("=", 2);
          if (kv.length == 2) {
            String value = kv[1].replace("\"", "").trim();
            if (kv[0].equalsIgnoreCase("proto")) {
              scheme = value.toLowerCase(Locale.ROOT);
            } else if (kv[0].equalsIgnoreCase("host")) {
              host = value;
            }
          }
        }
      } else {
        scheme = header(request, "X-Forwarded-Proto").map(v -> v.split(",", 2)[0].trim()).orElse(scheme);
        host = header(request, "X-Forwarded-Host").map(v -> v.split(",", 2)[0].trim()).orElse(host);
      }
    }
    return scheme + "://" + host;
  }

  private static Optional<String> header(HttpRequest request, String name) {
    return request.getHeader(name).map(h -> h.value());
  }

  private static boolean isDefaultPort(String scheme, int port) {
    return (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
