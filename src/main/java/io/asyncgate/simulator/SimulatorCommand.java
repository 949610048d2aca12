package io.asyncgate.simulator;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * {@code java -jar asyncgate.jar simulate-downstream [flags]}: the simulator alone, in an actor system
 * of its own. Flags override the {@code asyncgate.simulator} keys (from application.conf, ASYNCGATE_*
 * or -D); SIGTERM stops it through coordinated shutdown.
 */
public final class SimulatorCommand {
  public static final String NAME = "simulate-downstream";
  static final String USAGE = "usage: java -jar asyncgate.jar " + NAME
      + " [--interface 127.0.0.1] [--port 8090] [--latency 50ms] [--latency-jitter 20ms]"
      + " [--failure-rate 0.1] [--retry-after 1s]";
  private static final long BIND_TIMEOUT_SECONDS = 30;

  /** A command line that cannot run: the message says why, the process exits with {@link #EXIT_CODE}. */
  public static final class UsageException extends RuntimeException {
    /** The conventional exit code of a command-line usage error. */
    public static final int EXIT_CODE = 2;

    UsageException(String problem) {
      super(NAME + ": " + problem + "\n" + USAGE);
    }
  }

  /** Each flag, the key it overrides, and how its value is checked. */
  private enum Flag {
    INTERFACE("interface", "a host name or address", Config::getString),
    PORT("port", "a port number", Config::getInt),
    LATENCY("latency", "a duration such as 50ms or 1s", Config::getDuration),
    LATENCY_JITTER("latency-jitter", "a duration such as 50ms or 1s", Config::getDuration),
    FAILURE_RATE("failure-rate", "a fraction such as 0.1", Config::getDouble),
    RETRY_AFTER("retry-after", "a duration such as 1s", Config::getDuration);

    final String key;
    final String expected;
    final BiConsumer<Config, String> check;

    Flag(String key, String expected, BiConsumer<Config, String> check) {
      this.key = key;
      this.expected = expected;
      this.check = check;
    }

    String flag() {
      return "--" + key;
    }
  }

  private SimulatorCommand() {}

  /** Starts the simulator and returns; the actor system keeps the JVM running until SIGTERM. */
  public static void run(List<String> args, Config config) {
    SimulatorSettings settings = parse(args, config.getConfig("asyncgate.simulator"));
    // Only an HTTP server: no cluster, no remoting port, no journal.
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "downstream-simulator",
        ConfigFactory.parseString("akka.actor.provider = local").withFallback(config));
    try {
      ServerBinding binding = DownstreamSimulator.start(system, settings).toCompletableFuture()
          .get(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      system.log().info("downstream simulator serves HTTP on {} ({})", binding.localAddress(), settings);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("the simulator cannot listen on " + settings.host() + ":" + settings.port()
          + ": " + e.getMessage(), e);
    }
  }

  /** The settings of {@code simulatorDefaults} overridden by {@code args}; a bad command line throws {@link UsageException}. */
  static SimulatorSettings parse(List<String> args, Config simulatorDefaults) {
    Map<String, String> overrides = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int equals = arg.indexOf('=');
      String name = equals < 0 ? arg : arg.substring(0, equals);
      Flag flag = Arrays.stream(Flag.values()).filter(f -> f.flag().equals(name)).findFirst()
          .orElseThrow(() -> new UsageException("unknown argument " + arg));
      String value;
      if (equals >= 0) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new UsageException(flag.flag() + " needs a value: " + flag.expected);
      }
      try {
        flag.check.accept(ConfigFactory.parseMap(Map.of(flag.key, value)), flag.key);
      } catch (ConfigException e) {
        throw new UsageException(flag.flag() + " takes " + flag.expected + ", not '" + value + "'");
      }
      overrides.put(flag.key, value);
    }
    try {
      return SimulatorSettings.fromConfig(ConfigFactory.parseMap(overrides, "command line").withFallback(simulatorDefaults));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
