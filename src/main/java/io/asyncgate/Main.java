package io.asyncgate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.simulator.SimulatorCommand;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar asyncgate.jar}: a node configured by ./application.conf, ASYNCGATE_* and -D;
 * {@code java -jar asyncgate.jar simulate-downstream [flags]}: the downstream simulator alone.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    try {
      // A node whose actor system stops (e.g. downed by the split-brain resolver) must not linger.
      Config config = Settings.load(ConfigFactory.parseString("akka.coordinated-shutdown.exit-jvm = on"), System.getenv());
      // SIGTERM or Ctrl-C runs Akka's coordinated shutdown through its JVM shutdown hook.
      if (args.length == 0) {
        AsyncGate.start(config, Catalogue.of());
      } else if (args[0].equals(SimulatorCommand.NAME)) {
        SimulatorCommand.run(Arrays.asList(args).subList(1, args.length), config);
      } else {
        System.err.println("asyncgate: unknown command " + args[0] + "; run the service without arguments, or "
            + SimulatorCommand.NAME + " [flags]");
        System.exit(SimulatorCommand.UsageException.EXIT_CODE);
      }
    } catch (SimulatorCommand.UsageException e) {
      System.err.println(e.getMessage());
      System.exit(SimulatorCommand.UsageException.EXIT_CODE);
    } catch (RuntimeException e) {
      log.error("asyncgate cannot start: {}", e.getMessage(), e);
      System.exit(1);
    }
  }
}
