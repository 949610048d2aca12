package io.asyncgate.step;

/** Why a step attempt failed; decides retries and the HTTP status of a failed result. */
public enum FailureKind {
  /** The step said no for good (a business rule, a downstream 4xx): never retried; 422. */
  REJECTED,
  /** Might work next time (a downstream 5xx, a connection error, an exception): retried; 502. */
  TRANSIENT,
  /** The attempt did not finish within the step's timeout: retried; 504. Its effect is in doubt. */
  TIMEOUT
}
