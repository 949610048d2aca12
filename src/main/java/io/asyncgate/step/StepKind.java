package io.asyncgate.step;

import com.typesafe.config.Config;
import io.asyncgate.template.TemplateScope;
import java.time.Duration;
import java.util.Map;

/**
 * One way a step declared in {@code application.conf} does its work, selected by the key of its
 * block ({@code class}, {@code http}, {@code fan-out}). Each kind reads its own block; the catalogue's
 * reader only picks the kind, so a new kind of step is a new {@code StepKind}, not an edit there.
 */
public interface StepKind {
  /** The key of the step's configuration that selects this kind, e.g. {@code http}. */
  String key();

  /**
   * Other keys of a step's configuration that only this kind takes (e.g. an http step's {@code
   * compensation}), each with the hint shown when a step of another kind has it.
   */
  default Map<String, String> ownKeys() {
    return Map.of();
  }

  /**
   * Reads the step from its whole configuration (this kind's block and its own keys).
   *
   * @throws IllegalArgumentException or a {@code ConfigException} naming the key and the fix
   */
  Step read(Config step, Declaration declaration);

  /**
   * What a kind needs besides the step's own keys.
   *
   * @param timeout the step's timeout, its defaults applied
   * @param maxResponseSize the node-wide default limit of a buffered downstream response
   * @param scope what the step's templates may refer to (the earlier steps' outputs)
   * @param compensationScope what its compensation's templates may refer to (every step's output)
   */
  record Declaration(Duration timeout, long maxResponseSize, TemplateScope scope, TemplateScope compensationScope) {}
}
