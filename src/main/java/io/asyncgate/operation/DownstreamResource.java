package io.asyncgate.operation;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * A result that stays downstream: fetched with this request at each {@code GET .../result} and
 * streamed through, never stored.
 *
 * @param success the statuses that count as success; empty: any 2xx
 * @param timeout how long the downstream may stay silent before the download is abandoned
 */
public record DownstreamResource(String method, String url, Map<String, String> headers, Set<Integer> success,
    Duration timeout) {

  public DownstreamResource {
    headers = Map.copyOf(headers);
    success = Set.copyOf(success);
  }
}
