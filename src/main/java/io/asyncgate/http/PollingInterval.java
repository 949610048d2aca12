package io.asyncgate.http;

import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.SagaSlots;

/**
 * The {@code Retry-After} for a client polling an operation: its type's interval; while the
 * operation waits for a saga slot on this node, about when its turn comes instead (at most {@value
 * #MAX_QUEUED_SECONDS} s), so thousands of queued operations are not polled every second for
 * nothing.
 */
final class PollingInterval {
  static final long MAX_QUEUED_SECONDS = 30;

  private final Catalogue catalogue;
  private final SagaSlots slots;

  PollingInterval(Catalogue catalogue, SagaSlots slots) {
    this.catalogue = catalogue;
    this.slots = slots;
  }

  long seconds(OperationView op) {
    long base = catalogue.type(op.type()).map(OperationType::retryAfterSeconds).orElse(1L);
    if (op.queuePosition() == null) {
      return base;
    }
    return slots.expectedWait(op.id())
        .map(wait -> Math.min(MAX_QUEUED_SECONDS, Math.max(base, (wait.toMillis() + 999) / 1000)))
        .orElse(base);
  }
}
