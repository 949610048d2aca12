package io.asyncgate.template;

/**
 * A placeholder found no value at run time (a pointer into a field the request lacks, a step with no
 * output yet, a null used as text). The step that rendered the template decides what it means.
 */
public final class MissingValueException extends RuntimeException {
  MissingValueException(String message) {
    super(message, null, false, false);
  }
}
