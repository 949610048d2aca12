package io.asyncgate.http;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What a failed {@code CompletionStage} failed with: the cause, not the wrapper a composed stage adds. */
final class StageFailures {
  private StageFailures() {}

  /** {@code failure} without the {@link CompletionException}s and {@link ExecutionException}s around it. */
  static Throwable cause(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
