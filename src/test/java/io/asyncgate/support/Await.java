package io.asyncgate.support;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting for a state with a bound: read, and read again every so often, until the answer is the
 * one awaited or the time is up. A test waits with this, never with a sleep of a guessed length.
 */
public final class Await {
  /** How long to wait between two reads unless a caller says otherwise. */
  public static final Duration EVERY = Duration.ofMillis(50);

  private Await() {}

  /**
   * The first answer of {@code read} that {@code done} accepts; when {@code within} is up, fails with
   * "{@code what} did not happen within …" and the last answer. An exception or assertion failure of
   * {@code read} or {@code done} ends the wait at once.
   */
  public static <T> T until(String what, Supplier<T> read, Predicate<? super T> done, Duration within) {
    return until(what, read, done, within, EVERY);
  }

  /** The same, reading every {@code every}. */
  public static <T> T until(String what, Supplier<T> read, Predicate<? super T> done, Duration within, Duration every) {
    long deadline = System.nanoTime() + within.toNanos();
    T last = read.get();
    while (!done.test(last)) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(what + " did not happen within " + within + "; last: " + last);
      }
      sleep(every);
      last = read.get();
    }
    return last;
  }

  /**
   * Reads until {@code done} accepts the answer or {@code within} is up, and returns the last answer
   * either way: for tests that report what they saw before they assert on it.
   */
  public static <T> T lastUntil(Supplier<T> read, Predicate<? super T> done, Duration within, Duration every) {
    long deadline = System.nanoTime() + within.toNanos();
    T last = read.get();
    while (!done.test(last) && System.nanoTime() - deadline < 0) {
      sleep(every);
      last = read.get();
    }
    return last;
  }

  /** A pause of a set length, e.g. a phase of load; to wait for a state, use {@link #until}. */
  public static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
