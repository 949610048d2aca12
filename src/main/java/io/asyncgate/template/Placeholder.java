package io.asyncgate.template;

/**
 * One {@code {...}} of a template: where its value comes from and, for JSON sources, the JSON
 * pointer (RFC 6901) into it ({@code ""} for the whole value).
 */
public record Placeholder(Source source, String name, String pointer) {

  public enum Source { REQUEST_ID, OPERATION_TYPE, PATH, BODY, STEPS, ITEM }

  static final String FORMS =
      "{requestId}, {operationType}, {path.NAME}, {body}, {body/json/pointer}, {steps.STEP}, {steps.STEP/json/pointer},"
          + " {item} or {item/json/pointer}";

  /** Parses what stands between the braces, e.g. {@code steps.list-devices/devices}. */
  static Placeholder parse(String expression) {
    if (expression.equals("requestId")) {
      return new Placeholder(Source.REQUEST_ID, null, "");
    }
    if (expression.equals("operationType")) {
      return new Placeholder(Source.OPERATION_TYPE, null, "");
    }
    if (expression.startsWith("path.") && expression.length() > "path.".length()) {
      return new Placeholder(Source.PATH, expression.substring("path.".length()), "");
    }
    if (expression.startsWith("steps.") && expression.length() > "steps.".length()) {
      String rest = expression.substring("steps.".length());
      int slash = rest.indexOf('/');
      return slash < 0
          ? new Placeholder(Source.STEPS, rest, "")
          : new Placeholder(Source.STEPS, rest.substring(0, slash), rest.substring(slash));
    }
    for (Source source : new Source[] {Source.BODY, Source.ITEM}) {
      String prefix = source == Source.BODY ? "body" : "item";
      if (expression.equals(prefix)) {
        return new Placeholder(source, null, "");
      }
      if (expression.startsWith(prefix + "/")) {
        return new Placeholder(source, null, expression.substring(prefix.length()));
      }
    }
    throw new IllegalArgumentException("unknown placeholder {" + expression + "}; use one of " + FORMS
        + " (write {{ and }} for literal braces)");
  }

  @Override
  public String toString() {
    String head = switch (source) {
      case REQUEST_ID -> "requestId";
      case OPERATION_TYPE -> "operationType";
      case PATH -> "path." + name;
      case BODY -> "body";
      case STEPS -> "steps." + name;
      case ITEM -> "item";
    };
    return "{" + head + pointer + "}";
  }
}
