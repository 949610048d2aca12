package io.asyncgate.operation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The finer, informative lifecycle phase shown beside the five-valued status. */
public enum Phase {
  ACCEPTED("accepted"),
  RUNNING("running"),
  RETRYING("retrying"),
  COMPENSATING("compensating"),
  CANCELLING("cancelling"),
  SUCCEEDED("succeeded"),
  FAILED("failed"),
  CANCELED("canceled"),
  /** A compensation kept failing: the downstream may hold partial effects an operator must undo. */
  COMPENSATION_FAILED("compensation-failed");

  private final String wire;

  Phase(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  // DELEGATING: with parameter names compiled in (Akka's Jackson reads them), a bare @JsonCreator
  // with one argument is taken as properties-based and every state holding a Phase fails to read.
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Phase fromWire(String wire) {
    return Arrays.stream(values())
        .filter(p -> p.wire.equals(wire))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown phase " + wire));
  }
}
