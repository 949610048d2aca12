package io.asyncgate.template;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What a template may refer to where it is declared, checked at start-up so that a typo stops the
 * start instead of failing requests.
 *
 * @param pathParams the route's parameters
 * @param steps the steps whose outputs exist when the template is rendered (the earlier ones for a
 *     step, all of them for a compensation or the result)
 * @param stepsDescription how to name that set in a message, e.g. "an earlier step"
 * @param item whether {@code {item}} exists (inside a fan-out only)
 */
public record TemplateScope(Set<String> pathParams, List<String> steps, String stepsDescription, boolean item) {

  public TemplateScope {
    pathParams = Set.copyOf(pathParams);
    steps = List.copyOf(steps);
  }

  public TemplateScope withItem() {
    return new TemplateScope(pathParams, steps, stepsDescription, true);
  }

  /** @throws IllegalArgumentException naming the placeholder and what it may refer to instead */
  public void check(Collection<Placeholder> placeholders) {
    for (Placeholder p : placeholders) {
      switch (p.source()) {
        case PATH -> {
          if (!pathParams.contains(p.name())) {
            throw new IllegalArgumentException(p + " names no parameter of the route; its parameters are " + pathParams);
          }
        }
        case STEPS -> {
          if (!steps.contains(p.name())) {
            throw new IllegalArgumentException(p + " must name " + stepsDescription + "; those are " + steps);
          }
        }
        case ITEM -> {
          if (!item) {
            throw new IllegalArgumentException(p + " exists only inside a fan-out (its http and compensation)");
          }
        }
        default -> { }
      }
    }
  }
}
