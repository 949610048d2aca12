package io.asyncgate.catalogue;

import com.typesafe.config.Config;
import io.asyncgate.operation.OperationDefinition;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The operation types this service accepts, and the matching of requests to them. */
public final class Catalogue implements OperationDefinition.Lookup {
  private final Map<String, OperationType> types;

  private Catalogue(Map<String, OperationType> types) {
    this.types = types;
  }

  public static Catalogue of(OperationType... types) {
    return new Catalogue(Map.of()).with(types);
  }

  /** Reads {@code asyncgate.operations}; an invalid entry stops the start with a message naming the fix. */
  public static Catalogue fromConfig(Config config) {
    return of(CatalogueReader.read(config).toArray(OperationType[]::new));
  }

  /** This catalogue and more types, e.g. registered in Java. */
  public Catalogue with(OperationType... more) {
    Map<String, OperationType> all = new LinkedHashMap<>(types);
    for (OperationType type : more) {
      if (all.containsKey(type.name())) {
        throw new CatalogueException("operation type " + type.name() + " is declared twice: rename one of them");
      }
      for (OperationType existing : all.values()) {
        if (existing.route().overlaps(type.route())) {
          throw new CatalogueException("operation types " + existing.name() + " (" + existing.route() + ") and "
              + type.name() + " (" + type.route() + ") take the same requests: give one of them another route");
        }
      }
      all.put(type.name(), type);
    }
    return new Catalogue(Map.copyOf(all));
  }

  public Optional<OperationType> type(String name) {
    return Optional.ofNullable(types.get(name));
  }

  @Override
  public Optional<OperationType> definition(String operationType) {
    return type(operationType);
  }

  public Collection<OperationType> types() {
    return types.values();
  }

  /** What a request's method and path select. */
  public sealed interface Match {}

  public record Found(OperationType type, Map<String, String> pathParams) implements Match {}

  /** The path exists with other methods. */
  public record MethodNotAllowed(Set<String> allowed) implements Match {}

  public record NoRoute() implements Match {}

  public Match match(String method, List<String> pathSegments) {
    Set<String> allowed = new TreeSet<>();
    for (OperationType type : types.values()) {
      Optional<Map<String, String>> params = type.route().match(pathSegments);
      if (params.isPresent()) {
        if (type.route().method().equals(method)) {
          return new Found(type, params.get());
        }
        allowed.add(type.route().method());
      }
    }
    return allowed.isEmpty() ? new NoRoute() : new MethodNotAllowed(allowed);
  }
}
