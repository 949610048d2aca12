package io.asyncgate.operation;

/**
 * The status vocabulary of docs/API.md: exactly these five values, spelled exactly so ("Canceled" with
 * one "l"), because Azure SDK pollers understand nothing else.
 */
public enum OperationStatus {
  NotStarted,
  Running,
  Succeeded,
  Failed,
  Canceled;

  public boolean isTerminal() {
    return this == Succeeded || this == Failed || this == Canceled;
  }
}
