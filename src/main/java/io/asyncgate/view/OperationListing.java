package io.asyncgate.view;

import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.OperationView;
import io.asyncgate.view.OperationViewRepository.Cursor;
import io.asyncgate.view.OperationViewRepository.ListQuery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /operations} in the view's terms: its query parameters read into a {@link ListQuery},
 * and the position after a page handed out as an opaque cursor (which only this class reads).
 */
public final class OperationListing {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private OperationListing() {}

  /** A query parameter the listing cannot take; {@code detail} says what it must be. */
  public record InvalidParameter(String name, String detail) {}

  /** The parameters read: the query, or — {@code query} null — every parameter that is wrong. */
  public record Parsed(ListQuery query, List<InvalidParameter> invalid) {}

  /** One page, newest first, and the cursor of the next one when there is more. */
  public record Page(List<OperationView> items, Optional<String> nextCursor) {}

  /** The principal's listing that {@code type, status, createdAfter, limit, cursor} ask for; other parameters are ignored. */
  public static Parsed parse(String principal, Map<String, String> params) {
    List<InvalidParameter> invalid = new ArrayList<>();
    String type = params.get("type");
    OperationStatus status = null;
    if (params.containsKey("status")) {
      try {
        status = OperationStatus.valueOf(params.get("status"));
      } catch (IllegalArgumentException e) {
        invalid.add(invalid("status", "must be one of NotStarted, Running, Succeeded, Failed, Canceled"));
      }
    }
    Instant createdAfter = null;
    if (params.containsKey("createdAfter")) {
      try {
        createdAfter = Instant.parse(params.get("createdAfter"));
      } catch (DateTimeParseException e) {
        invalid.add(invalid("createdAfter", "must be an RFC 3339 UTC time like 2026-11-21T10:00:00Z"));
      }
    }
    int limit = DEFAULT_LIMIT;
    if (params.containsKey("limit")) {
      try {
        limit = Integer.parseInt(params.get("limit"));
        if (limit < 1 || limit > MAX_LIMIT) {
          invalid.add(invalid("limit", "must be between 1 and " + MAX_LIMIT));
        }
      } catch (NumberFormatException e) {
        invalid.add(invalid("limit", "must be a whole number between 1 and " + MAX_LIMIT));
      }
    }
    Cursor after = null;
    if (params.containsKey("cursor")) {
      after = decodeCursor(params.get("cursor"));
      if (after == null) {
        invalid.add(invalid("cursor", "is not a cursor this service handed out; use nextCursor of a previous page"));
      }
    }
    return invalid.isEmpty()
        ? new Parsed(new ListQuery(principal, type, status, createdAfter, limit, after), List.of())
        : new Parsed(null, List.copyOf(invalid));
  }

  static Page page(OperationViewRepository.Page page) {
    return new Page(page.items(), page.next().map(OperationListing::encodeCursor));
  }

  private static InvalidParameter invalid(String parameter, String detail) {
    return new InvalidParameter(parameter, parameter + " " + detail);
  }

  static String encodeCursor(Cursor cursor) {
    String raw = cursor.createdAt() + ":" + cursor.id();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor, or null when {@code cursor} is not one that {@link #encodeCursor} made. */
  static Cursor decodeCursor(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int colon = raw.indexOf(':');
      if (colon < 1) {
        return null;
      }
      String id = raw.substring(colon + 1);
      return OperationLookup.isOperationId(id) ? new Cursor(Long.parseLong(raw.substring(0, colon)), id) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
