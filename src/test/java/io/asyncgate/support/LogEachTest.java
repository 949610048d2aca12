package io.asyncgate.support;

import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Frames each test's lines in the class's log ({@code target/surefire-reports/<class>-output.txt})
 * and tags the test thread's lines with the test's name, so a failure's wire trace reads on its own.
 */
public final class LogEachTest implements BeforeEachCallback, TestWatcher {
  private static final Logger log = LoggerFactory.getLogger("test");
  public static final String MDC_KEY = "test";

  @Override
  public void beforeEach(ExtensionContext context) {
    MDC.put(MDC_KEY, context.getRequiredTestMethod().getName());
    log.info("===== start {}", context.getDisplayName());
  }

  @Override
  public void testSuccessful(ExtensionContext context) {
    end(context, "PASSED", Optional.empty());
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    end(context, "FAILED", Optional.of(cause));
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    end(context, "ABORTED", Optional.ofNullable(cause));
  }

  private static void end(ExtensionContext context, String outcome, Optional<Throwable> cause) {
    if (cause.isPresent()) {
      log.error("===== {} {}: {}", outcome, context.getDisplayName(), cause.get().toString());
    } else {
      log.info("===== {} {}", outcome, context.getDisplayName());
    }
    MDC.remove(MDC_KEY);
  }
}
