package io.asyncgate.step.http;

import akka.actor.typed.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Admits this node's calls to each downstream (scheme, host and port): at most its {@code
 * max-concurrent-calls} in flight, the others waiting here in FIFO order rather than in akka-http's
 * pool. Here waiting counts against no timeout, a waiting call whose attempt is abandoned is
 * withdrawn unsent, and a downstream's {@code Retry-After} pauses its queue for every operation.
 *
 * <p>A downstream that pushes back (429, 503, a refused connection) gets fewer calls at once: its
 * limit halves (to at least one), at most once per round of calls in flight, and grows by one with
 * each call that succeeds, back up to {@code max-concurrent-calls}.
 */
final class DownstreamLimiter {
  /** How a call's exchange ended, as far as the downstream's load goes. */
  enum Outcome {
    SUCCEEDED,
    /** The downstream pushed back: it is overloaded. */
    THROTTLED,
    /** Anything else (a rejection, a timeout, a 500): says nothing about load. */
    OTHER
  }

  /** One call's place in flight, released once, when its exchange is over. */
  interface Permit {
    void release(Outcome outcome);
  }

  /** Where calls go: one queue per origin. */
  record Origin(String scheme, String host, int port) {
    String hostPort() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private final DownstreamLimits limits;
  private final Scheduler scheduler;
  private final ExecutionContextExecutor executor;
  private final Map<Origin, Queue> queues = new ConcurrentHashMap<>();

  DownstreamLimiter(DownstreamLimits limits, Scheduler scheduler, ExecutionContextExecutor executor) {
    this.limits = limits;
    this.scheduler = scheduler;
    this.executor = executor;
  }

  /** The configured limit of calls in flight to the origin. */
  int limitOf(Origin origin) {
    return limits.of(origin.hostPort()).maxConcurrentCalls();
  }

  /**
   * A permit once the call may be sent. The stage fails with a {@link CancellationException}, the
   * call never sent, when {@code abandoned} completes before that.
   */
  CompletableFuture<Permit> admit(Origin origin, CompletionStage<?> abandoned) {
    return queue(origin).admit(abandoned);
  }

  /** No call to the origin is sent before {@code delay} is up (at most its {@code max-pause}). */
  void pause(Origin origin, Duration delay) {
    queue(origin).pause(delay);
  }

  private Queue queue(Origin origin) {
    return queues.computeIfAbsent(origin, o -> new Queue(limits.of(o.hostPort())));
  }

  private final class Queue {
    private final int maxLimit;
    private final long maxPauseNanos;
    /** The limit now: lower than {@code maxLimit} while the downstream pushes back. */
    private int limit;
    /** Counts the halvings; a call admitted before the last one cannot halve the limit again. */
    private long generation;
    /** Insertion-ordered, so FIFO, and a withdrawn call leaves it in constant time. */
    private final LinkedHashSet<CompletableFuture<Permit>> waiting = new LinkedHashSet<>();
    private int inFlight;
    private boolean paused;
    private long pausedUntil;
    private boolean wakeScheduled;

    Queue(DownstreamLimits.Limit settings) {
      this.maxLimit = settings.maxConcurrentCalls();
      this.limit = maxLimit;
      this.maxPauseNanos = settings.maxPause().toNanos();
    }

    CompletableFuture<Permit> admit(CompletionStage<?> abandoned) {
      CompletableFuture<Permit> admitted = new CompletableFuture<>();
      if (abandoned.toCompletableFuture().isDone()) {
        admitted.cancel(false);
        return admitted;
      }
      Slot slot = null;
      synchronized (this) {
        if (waiting.isEmpty() && inFlight < limit && !pausedAt(System.nanoTime())) {
          inFlight++;
          slot = new Slot(generation);
        } else {
          waiting.add(admitted);
        }
      }
      if (slot != null) {
        admitted.complete(slot);
      } else {
        abandoned.whenComplete((done, failure) -> withdraw(admitted));
      }
      return admitted;
    }

    void pause(Duration delay) {
      long nanos = Math.min(delay.toNanos(), maxPauseNanos);
      if (nanos <= 0) {
        return;
      }
      synchronized (this) {
        long until = System.nanoTime() + nanos;
        if (!paused || until - pausedUntil > 0) {
          paused = true;
          pausedUntil = until;
        }
        scheduleWake();
      }
    }

    private void withdraw(CompletableFuture<Permit> waiter) {
      boolean removed;
      synchronized (this) {
        removed = waiting.remove(waiter);
      }
      if (removed) {
        waiter.cancel(false);
      }
    }

    private void release(long admittedIn, Outcome outcome) {
      synchronized (this) {
        inFlight--;
        if (outcome == Outcome.THROTTLED && admittedIn == generation) {
          limit = Math.max(1, limit / 2);
          generation++;
        } else if (outcome == Outcome.SUCCEEDED && limit < maxLimit) {
          limit++;
        }
      }
      dispatch();
    }

    private void wake() {
      synchronized (this) {
        wakeScheduled = false;
      }
      dispatch();
    }

    /** Admits waiting calls while there is room and no pause. */
    private void dispatch() {
      List<CompletableFuture<Permit>> admitted = new ArrayList<>();
      long admittedIn;
      synchronized (this) {
        admittedIn = generation;
        if (pausedAt(System.nanoTime())) {
          scheduleWake();
          return;
        }
        Iterator<CompletableFuture<Permit>> next = waiting.iterator();
        while (inFlight < limit && next.hasNext()) {
          admitted.add(next.next());
          next.remove();
          inFlight++;
        }
      }
      // On the executor: a call admitted here must not run (and perhaps end, and admit the next) inside this one.
      for (CompletableFuture<Permit> waiter : admitted) {
        executor.execute(() -> {
          Slot slot = new Slot(admittedIn);
          if (!waiter.complete(slot)) {
            slot.release(Outcome.OTHER);
          }
        });
      }
    }

    /** Under the lock. */
    private boolean pausedAt(long now) {
      if (paused && pausedUntil - now <= 0) {
        paused = false;
      }
      return paused;
    }

    /** Under the lock: one timer per queue at a time; it re-arms itself while the pause lasts. */
    private void scheduleWake() {
      if (!wakeScheduled) {
        wakeScheduled = true;
        Duration delay = Duration.ofNanos(Math.max(0, pausedUntil - System.nanoTime()));
        scheduler.scheduleOnce(delay, this::wake, executor);
      }
    }

    private final class Slot implements Permit {
      private final long admittedIn;
      private final AtomicBoolean released = new AtomicBoolean();

      Slot(long admittedIn) {
        this.admittedIn = admittedIn;
      }

      @Override
      public void release(Outcome outcome) {
        if (released.compareAndSet(false, true)) {
          Queue.this.release(admittedIn, outcome);
        }
      }
    }
  }
}
