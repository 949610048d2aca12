package io.asyncgate.catalogue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** A method and a path template like {@code /users/{userId}}, and the matching of request paths. */
public record RouteTemplate(String method, String template, List<String> segments) {

  private static final Set<String> METHODS = Set.of("POST", "PUT", "DELETE");
  private static final Pattern PARAM = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)}");
  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~-]+");
  /** Paths the API itself serves; an operation type may not take them. */
  private static final Set<String> RESERVED = Set.of("operations", "problems", "health", "metrics", "openapi.json");

  /** Parses {@code "POST /orders"}; the message of the exception says what is wrong and how to fix it. */
  public static RouteTemplate parse(String route) {
    String[] parts = route.trim().split("\\s+");
    if (parts.length != 2) {
      throw new IllegalArgumentException("route must be \"<METHOD> <path>\", e.g. \"POST /orders\", was \"" + route + "\"");
    }
    String method = parts[0].toUpperCase();
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("route method must be POST, PUT or DELETE, was " + parts[0]);
    }
    String path = parts[1];
    if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/")) {
      throw new IllegalArgumentException("route path must start with / and not end with /, was " + path);
    }
    List<String> segments = List.of(path.substring(1).split("/"));
    Set<String> seen = new HashSet<>();
    for (String segment : segments) {
      var param = PARAM.matcher(segment);
      if (param.matches()) {
        if (!seen.add(param.group(1))) {
          throw new IllegalArgumentException("route path names {" + param.group(1) + "} twice: " + path);
        }
      } else if (!LITERAL.matcher(segment).matches()) {
        throw new IllegalArgumentException(
            "route path segment \"" + segment + "\" must be a literal (letters, digits, . _ ~ -) or a {parameter}: " + path);
      }
    }
    if (RESERVED.contains(segments.get(0))) {
      throw new IllegalArgumentException("route path " + path + " is under /" + segments.get(0) + ", which asyncgate serves itself");
    }
    return new RouteTemplate(method, path, segments);
  }

  public List<String> parameterNames() {
    List<String> names = new ArrayList<>();
    for (String segment : segments) {
      var param = PARAM.matcher(segment);
      if (param.matches()) {
        names.add(param.group(1));
      }
    }
    return names;
  }

  /** The path parameters when the path fits this template (whatever the method). */
  public Optional<Map<String, String>> match(List<String> pathSegments) {
    if (pathSegments.size() != segments.size()) {
      return Optional.empty();
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < segments.size(); i++) {
      String expected = segments.get(i);
      String actual = pathSegments.get(i);
      var param = PARAM.matcher(expected);
      if (param.matches()) {
        params.put(param.group(1), URLDecoder.decode(actual, StandardCharsets.UTF_8));
      } else if (!expected.equals(actual)) {
        return Optional.empty();
      }
    }
    return Optional.of(params);
  }

  /** Two templates that would match the same path with the same method. */
  public boolean overlaps(RouteTemplate other) {
    if (!method.equals(other.method) || segments.size() != other.segments.size()) {
      return false;
    }
    for (int i = 0; i < segments.size(); i++) {
      String a = segments.get(i);
      String b = other.segments.get(i);
      if (!PARAM.matcher(a).matches() && !PARAM.matcher(b).matches() && !a.equals(b)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return method + " " + template;
  }
}
