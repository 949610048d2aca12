package io.asyncgate;

import com.typesafe.config.Config;
import io.asyncgate.catalogue.Catalogue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar asyncgate.jar}: a node configured by ./application.conf, ASYNCGATE_* and -D. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    try {
      Config config = Settings.load();
      AsyncGate gate = AsyncGate.start(config, Catalogue.of());
      // SIGTERM runs Akka's coordinated shutdown (its JVM shutdown hook); the database closes after it.
      gate.system().getWhenTerminated().thenRun(() -> log.info("asyncgate stopped"));
    } catch (RuntimeException e) {
      log.error("asyncgate cannot start: {}", e.getMessage(), e);
      System.exit(1);
    }
  }
}
