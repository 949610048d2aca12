package io.asyncgate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.catalogue.Catalogue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar asyncgate.jar}: a node configured by ./application.conf, ASYNCGATE_* and -D. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    try {
      // A node whose actor system stops (e.g. downed by the split-brain resolver) must not linger.
      Config config = Settings.load(ConfigFactory.parseString("akka.coordinated-shutdown.exit-jvm = on"), System.getenv());
      // SIGTERM or Ctrl-C runs Akka's coordinated shutdown through its JVM shutdown hook.
      AsyncGate.start(config, Catalogue.of());
    } catch (RuntimeException e) {
      log.error("asyncgate cannot start: {}", e.getMessage(), e);
      System.exit(1);
    }
  }
}
