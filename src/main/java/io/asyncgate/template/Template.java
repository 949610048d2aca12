package io.asyncgate.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A string with placeholders, e.g. {@code "http://inventory/reservations/{steps.reserve/id}"}.
 * {@code {{} and {@code }}} stand for literal braces.
 */
public final class Template {
  private final String source;
  /** Each part a literal {@link String} or a {@link Placeholder}, in order. */
  private final List<Object> parts;

  private Template(String source, List<Object> parts) {
    this.source = source;
    this.parts = List.copyOf(parts);
  }

  /** @throws IllegalArgumentException naming the unknown placeholder or the unmatched brace */
  public static Template parse(String source) {
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      boolean doubled = i + 1 < source.length() && source.charAt(i + 1) == c;
      if ((c == '{' || c == '}') && doubled) {
        literal.append(c);
        i += 2;
      } else if (c == '{') {
        int end = source.indexOf('}', i);
        if (end < 0) {
          throw new IllegalArgumentException("'" + source + "' opens a placeholder that is never closed; write {{ for a literal {");
        }
        if (!literal.isEmpty()) {
          parts.add(literal.toString());
          literal.setLength(0);
        }
        parts.add(Placeholder.parse(source.substring(i + 1, end)));
        i = end + 1;
      } else if (c == '}') {
        throw new IllegalArgumentException("'" + source + "' has a } that closes nothing; write }} for a literal }");
      } else {
        literal.append(c);
        i++;
      }
    }
    if (!literal.isEmpty()) {
      parts.add(literal.toString());
    }
    return new Template(source, parts);
  }

  public List<Placeholder> placeholders() {
    return parts.stream().filter(Placeholder.class::isInstance).map(Placeholder.class::cast).toList();
  }

  /** The placeholder when the template is exactly one placeholder and nothing else. */
  public Optional<Placeholder> whole() {
    return parts.size() == 1 && parts.get(0) instanceof Placeholder p ? Optional.of(p) : Optional.empty();
  }

  /** The template with every placeholder's value as text, passed through {@code encode} (e.g. for a URL). */
  public String render(TemplateValues values, UnaryOperator<String> encode) {
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      out.append(part instanceof Placeholder p ? encode.apply(values.text(p)) : (String) part);
    }
    return out.toString();
  }

  /** The template with each placeholder replaced by {@code stand-in}: to check the shape of a URL at start-up. */
  public String sample(String standIn) {
    StringBuilder out = new StringBuilder();
    parts.forEach(part -> out.append(part instanceof Placeholder ? standIn : (String) part));
    return out.toString();
  }

  @Override
  public String toString() {
    return source;
  }
}
