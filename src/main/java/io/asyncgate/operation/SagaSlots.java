package io.asyncgate.operation;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The node's bound on running sagas. An operation whose entity lives on this node holds a slot
 * while its saga runs; beyond the {@link SagaLimit} — {@code max-running-sagas}, less while submits
 * wait long for their writes — operations wait for one, in the order they asked, accepted and
 * durable but {@code NotStarted}. Waiting costs the entity in memory and nothing else: no journal
 * write, no downstream call, no timer.
 *
 * <p>Every operation of this node that is not terminal either holds a slot or waits for one, so
 * {@link #backlog()} is the node's accepted-but-unfinished work that admission control bounds.
 */
public final class SagaSlots implements Extension {
  /** How often the limit moves: a burst cuts it to its minimum within about two seconds. */
  private static final Duration LIMIT_PERIOD = Duration.ofMillis(200);

  private static final ExtensionId<SagaSlots> ID = new ExtensionId<>() {
    @Override
    public SagaSlots createExtension(ActorSystem<?> system) {
      Config processing = system.settings().config().getConfig("asyncgate.processing");
      SagaSlots slots = new SagaSlots(new SagaLimit(processing.getInt("min-running-sagas"),
          processing.getInt("max-running-sagas"), processing.getDuration("submit-write-target")));
      system.scheduler().scheduleAtFixedRate(LIMIT_PERIOD, LIMIT_PERIOD, slots::adjustLimit, system.executionContext());
      return slots;
    }
  };

  public static SagaSlots get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private record Waiter(long ticket, Runnable onGranted) {}

  /** Slots granted in each of the last seconds, for the rate at which waiting operations start. */
  private static final int RATE_WINDOW_SECONDS = 10;

  private final SagaLimit limit;
  private final long[] grantsBySecond = new long[RATE_WINDOW_SECONDS];
  private long newestSecond;
  /** Operations holding a slot. */
  private final Set<String> holders = new HashSet<>();
  /** Operations waiting, in the order they asked; removal by id is O(1). */
  private final LinkedHashMap<String, Waiter> waiting = new LinkedHashMap<>();
  private long nextTicket;

  SagaSlots(SagaLimit limit) {
    this.limit = limit;
  }

  /**
   * Asks for a slot for {@code operation}: {@code onGranted} runs once it is granted — at once
   * when one is free — on the caller's thread or on the thread of the {@link #release} that freed
   * it, so it must only send a message. Asking again while holding or waiting changes nothing.
   */
  void acquire(String operation, Runnable onGranted) {
    boolean granted;
    synchronized (this) {
      if (holders.contains(operation) || waiting.containsKey(operation)) {
        return;
      }
      granted = holders.size() < limit.current() && waiting.isEmpty();
      if (granted) {
        holders.add(operation);
        countGrants(1);
      } else {
        waiting.put(operation, new Waiter(nextTicket++, onGranted));
      }
    }
    if (granted) {
      onGranted.run();
    }
  }

  /** Gives the slot back, or stops waiting for one; the next waiters are granted theirs. */
  void release(String operation) {
    List<Runnable> granted;
    synchronized (this) {
      if (waiting.remove(operation) == null && !holders.remove(operation)) {
        return;
      }
      granted = grantWithinLimit();
    }
    granted.forEach(Runnable::run);
  }

  /** A submit on this node waited this long for its durable write (see {@link SagaLimit}). */
  public synchronized void observeSubmitWrite(Duration took) {
    limit.observeSubmitWrite(took.toNanos());
  }

  /** Moves the limit by the submits' writes since the last call; grants the slots a raise frees. */
  void adjustLimit() {
    List<Runnable> granted;
    synchronized (this) {
      limit.adjust();
      granted = grantWithinLimit();
    }
    granted.forEach(Runnable::run);
  }

  /** Sagas allowed to run at the moment. */
  public synchronized int limit() {
    return limit.current();
  }

  /** The waiters that fit under the limit, taken off the queue as holders; run their callbacks unlocked. */
  private List<Runnable> grantWithinLimit() {
    List<Runnable> granted = new ArrayList<>();
    Iterator<Map.Entry<String, Waiter>> next = waiting.entrySet().iterator();
    while (holders.size() < limit.current() && next.hasNext()) {
      Map.Entry<String, Waiter> waiter = next.next();
      next.remove();
      holders.add(waiter.getKey());
      granted.add(waiter.getValue().onGranted());
    }
    countGrants(granted.size());
    return granted;
  }

  /**
   * How many operations wait ahead of this one, plus one (1: it is next); empty when it is not
   * waiting. Counted from the queue's head by ticket, so it is exact unless operations ahead of it
   * left the queue early (a cancel): then it overstates a little, never understates.
   */
  public synchronized OptionalLong position(String operation) {
    Waiter waiter = waiting.get(operation);
    if (waiter == null) {
      return OptionalLong.empty();
    }
    long head = waiting.values().iterator().next().ticket();
    return OptionalLong.of(waiter.ticket() - head + 1);
  }

  /**
   * About how long until this waiting operation gets its slot, at the rate slots were granted over
   * the last {@value #RATE_WINDOW_SECONDS} s; empty when it is not waiting or nothing started lately.
   */
  public synchronized Optional<Duration> expectedWait(String operation) {
    OptionalLong position = position(operation);
    countGrants(0);
    long granted = Arrays.stream(grantsBySecond).sum();
    if (position.isEmpty() || granted == 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofMillis(position.getAsLong() * RATE_WINDOW_SECONDS * 1000 / granted));
  }

  private void countGrants(int n) {
    long now = System.nanoTime() / 1_000_000_000L;
    for (long second = Math.max(newestSecond + 1, now - RATE_WINDOW_SECONDS + 1); second <= now; second++) {
      grantsBySecond[(int) (second % RATE_WINDOW_SECONDS)] = 0;
    }
    newestSecond = Math.max(newestSecond, now);
    grantsBySecond[(int) (now % RATE_WINDOW_SECONDS)] += n;
  }

  /** Operations of this node that are accepted and not yet finished: running plus waiting. */
  public synchronized int backlog() {
    return holders.size() + waiting.size();
  }
}
