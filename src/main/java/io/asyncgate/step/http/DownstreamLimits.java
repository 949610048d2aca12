package io.asyncgate.step.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code asyncgate.downstreams}: how this node treats each downstream (host and port) it calls. A
 * {@code "host:port"} block overrides {@code default} for that downstream, key by key.
 *
 * @param defaults the settings of every downstream without a block of its own
 * @param byHostPort the settings of each downstream with a block, {@code default} applied
 */
public record DownstreamLimits(Limit defaults, Map<String, Limit> byHostPort) {
  public static final String PATH = "asyncgate.downstreams";
  private static final String DEFAULT = "default";
  private static final String MAX_CONCURRENT_CALLS = "max-concurrent-calls";
  private static final String MAX_PAUSE = "max-pause";
  private static final Set<String> KEYS = Set.of(MAX_CONCURRENT_CALLS, MAX_PAUSE);
  /** A host name or IPv4 address, or an IPv6 address in brackets, then a port. */
  private static final Pattern HOST_PORT = Pattern.compile("([^:\\[\\]/\\s]+|\\[[0-9A-Fa-f:.]+]):\\d{1,5}");

  /**
   * @param maxConcurrentCalls calls in flight to the downstream from this node; more wait in a FIFO
   *     queue in asyncgate, where waiting counts against no step's timeout
   * @param maxPause the longest a {@code Retry-After} of a 429 or 503 pauses the downstream's queue
   */
  public record Limit(int maxConcurrentCalls, Duration maxPause) {}

  public DownstreamLimits {
    byHostPort = Map.copyOf(byHostPort);
  }

  /** The settings of one downstream, e.g. {@code "127.0.0.1:8090"}. */
  public Limit of(String hostPort) {
    return byHostPort.getOrDefault(hostPort, defaults);
  }

  /**
   * Reads {@code asyncgate.downstreams} of the node's whole configuration.
   *
   * @throws IllegalArgumentException naming the key and the fix
   */
  public static DownstreamLimits fromConfig(Config root) {
    ConfigObject blocks = root.getObject(PATH);
    if (!(blocks.get(DEFAULT) instanceof ConfigObject)) {
      throw new IllegalArgumentException(PATH + "." + DEFAULT + ": missing; it holds " + new TreeSet<>(KEYS));
    }
    Config defaultBlock = ((ConfigObject) blocks.get(DEFAULT)).toConfig();
    Limit defaults = limit(defaultBlock, PATH + "." + DEFAULT);
    Map<String, Limit> byHostPort = new HashMap<>();
    for (Map.Entry<String, ConfigValue> entry : blocks.entrySet()) {
      String hostPort = entry.getKey();
      if (hostPort.equals(DEFAULT)) {
        continue;
      }
      String where = PATH + ".\"" + hostPort + "\"";
      if (!HOST_PORT.matcher(hostPort).matches()) {
        throw new IllegalArgumentException(where + ": a downstream is named \"host:port\", the port always given"
            + " (80 for http, 443 for https), e.g. \"payments.internal:443\"");
      }
      if (!(entry.getValue() instanceof ConfigObject block)) {
        throw new IllegalArgumentException(where + ": must be a block of " + new TreeSet<>(KEYS));
      }
      byHostPort.put(hostPort.toLowerCase(), limit(block.toConfig().withFallback(defaultBlock), where));
    }
    return new DownstreamLimits(defaults, byHostPort);
  }

  private static Limit limit(Config block, String where) {
    for (String key : block.root().keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(where + ": unknown key '" + key + "'; a downstream takes " + new TreeSet<>(KEYS));
      }
    }
    try {
      int maxConcurrentCalls = block.getInt(MAX_CONCURRENT_CALLS);
      if (maxConcurrentCalls < 1) {
        throw new IllegalArgumentException(where + "." + MAX_CONCURRENT_CALLS + ": must be at least 1, was " + maxConcurrentCalls);
      }
      Duration maxPause = block.getDuration(MAX_PAUSE);
      if (maxPause.isNegative()) {
        throw new IllegalArgumentException(where + "." + MAX_PAUSE + ": must not be negative, was " + maxPause);
      }
      return new Limit(maxConcurrentCalls, maxPause);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }
}
