package io.asyncgate.operation;

/**
 * A step as fixed when the request was accepted, so a configuration change cannot reorder the work
 * of an operation already in flight.
 */
public record StepPlan(String name, boolean compensable) {}
