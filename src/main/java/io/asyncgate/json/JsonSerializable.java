package io.asyncgate.json;

/**
 * Marker for every message, event and state that crosses a serialization boundary (journal,
 * snapshot store, cluster). Bound to Jackson JSON in {@code serialization.conf}: never Java
 * serialization, and readable in the database when an operator looks.
 */
public interface JsonSerializable {}
