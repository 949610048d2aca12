package io.asyncgate.view;

import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.Progress;

/** What the HTTP API reads about one operation: from the view, or folded from the journal. */
public record OperationView(String id, String type, String principal, Progress progress, OperationResult result) {

  public static OperationView of(Operation op) {
    return new OperationView(op.id(), op.request().type(), op.request().principal(), op.progress(), op.result());
  }
}
