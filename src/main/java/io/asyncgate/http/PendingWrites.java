package io.asyncgate.http;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The submits of this node that wait for their durable write: how many, and how long the oldest has
 * waited. A submit is refused (nothing stored) when one more would likely wait past {@code
 * write-timeout} and so end in a 503 that cannot say whether it was stored: when too many wait
 * already, or when the oldest has waited half of {@code write-timeout} — the journal takes them
 * roughly in order, so a new one would wait at least as long. The count bounds a burst; the age
 * adapts to a journal that is slow (a cold JVM, a busy database) however few wait.
 */
final class PendingWrites {
  /** One waiting submit; the sequence number tells apart two that began in the same nanosecond. */
  record Ticket(long sinceNanos, long sequence) {}

  private final int max;
  private final long maxAgeNanos;
  /** The waiting submits, oldest first (the values mean nothing: a concurrent sorted set with firstEntry). */
  private final ConcurrentSkipListMap<Ticket, Boolean> waiting =
      new ConcurrentSkipListMap<>(Comparator.comparingLong(Ticket::sinceNanos).thenComparingLong(Ticket::sequence));
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();

  PendingWrites(int max, Duration writeTimeout) {
    this.max = max;
    this.maxAgeNanos = writeTimeout.toNanos() / 2;
  }

  /** Why a submit arriving now is refused, or empty when it may go ahead. */
  Optional<String> refusal() {
    if (count.get() >= max) {
      return Optional.of("This node has " + max + " requests waiting to be stored");
    }
    // firstEntry, not isEmpty then first: another thread may take the last one in between.
    Map.Entry<Ticket, Boolean> oldest = waiting.firstEntry();
    long waited = oldest == null ? 0 : System.nanoTime() - oldest.getKey().sinceNanos();
    if (waited > maxAgeNanos) {
      return Optional.of("The oldest request waiting to be stored on this node has waited "
          + Duration.ofNanos(waited).toMillis() + " ms");
    }
    return Optional.empty();
  }

  Ticket enter() {
    Ticket ticket = new Ticket(System.nanoTime(), sequence.incrementAndGet());
    waiting.put(ticket, Boolean.TRUE);
    count.incrementAndGet();
    return ticket;
  }

  void leave(Ticket ticket) {
    if (waiting.remove(ticket) != null) {
      count.decrementAndGet();
    }
  }
}
