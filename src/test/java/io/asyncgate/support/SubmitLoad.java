package io.asyncgate.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Clients submitting in a loop, each on a thread of its own, until stopped: the load under which the
 * outage and leave tests cut the database or stop a node. Every answer is kept with the node that
 * gave it, when it was sent and how long it took, for the test to check and print.
 */
public final class SubmitLoad implements AutoCloseable {
  /** How long the clients may take to finish their last submit once stopped (each has a 30 s timeout). */
  private static final Duration STOP_WITHIN = Duration.ofSeconds(60);

  /**
   * One submit as a client saw it: which node (0-based) it went to, when, and how long the answer
   * took; no response (status 0) when the connection was refused.
   */
  public record Answer(int node, Instant sentAt, Duration took, HttpResponse<String> response) {
    public int status() {
      return response == null ? 0 : response.statusCode();
    }

    /** The operation id of a 202. */
    public String id() {
      return TestGate.json(response).get("id").asText();
    }

    public Instant answeredAt() {
      return sentAt.plus(took);
    }

    public String describe() {
      return "node " + (node + 1) + " answered " + (response == null ? "with a refused connection" : status() + " " + response.body());
    }
  }

  /** What one client sends: a submit to {@code node}. */
  public interface Submit {
    HttpResponse<String> to(int node);
  }

  /** One client's next submit, chosen from its previous answer (null before the first). */
  public interface Client {
    Answer next(Answer previous);
  }

  private final Submit submit;
  private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean submitting = new AtomicBoolean();
  private final List<Future<?>> running = new ArrayList<>();
  private ExecutorService clients;

  public SubmitLoad(Submit submit) {
    this.submit = submit;
  }

  /** Sends one submit to {@code node} and keeps its answer. */
  public Answer submitTo(int node) {
    Instant sent = Instant.now();
    HttpResponse<String> response;
    try {
      response = submit.to(node);
    } catch (UncheckedIOException refused) {
      response = null;
    }
    Answer answer = new Answer(node, sent, Duration.between(sent, Instant.now()), response);
    answers.add(answer);
    return answer;
  }

  /** Starts {@code count} clients, each looping over its own {@link Client} until {@link #stop()}. */
  public SubmitLoad start(int count, IntFunction<Client> client) {
    submitting.set(true);
    clients = Executors.newFixedThreadPool(count);
    for (int c = 0; c < count; c++) {
      Client each = client.apply(c);
      running.add(clients.submit(() -> {
        Answer previous = null;
        while (submitting.get()) {
          previous = each.next(previous);
        }
      }));
    }
    return this;
  }

  /** Clients that keep sending to one node each, spread over {@code nodes} nodes round-robin. */
  public SubmitLoad startPinned(int count, int nodes) {
    return start(count, c -> previous -> submitTo(c % nodes));
  }

  /** Lets each client finish its submit under way, then returns every answer kept. */
  public List<Answer> stop() throws Exception {
    submitting.set(false);
    for (Future<?> f : running) {
      f.get(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS);
    }
    running.clear();
    if (clients != null) {
      clients.shutdown();
    }
    return answers();
  }

  public List<Answer> answers() {
    return List.copyOf(answers);
  }

  /**
   * The first 202 from {@code node} for a submit sent after {@code since}: among the answers so far,
   * or from submits sent every 200 ms until there is one, for at most {@code within}.
   */
  public Answer firstStoredAfter(int node, Instant since, Duration within) {
    return answers.stream()
        .filter(a -> a.node() == node && a.sentAt().isAfter(since) && a.status() == 202).findFirst()
        .orElseGet(() -> Await.until("node " + (node + 1) + " storing a submit", () -> submitTo(node), a -> a.status() == 202,
            within, Duration.ofMillis(200)));
  }

  /** A 202, or a 503 problem saying when to retry: all a client under load may be answered. Never a 500. */
  public static void assertAcceptedOrToldToRetry(Answer a) {
    assertTrue(a.status() == 202 || a.status() == 503, a::describe);
    if (a.status() == 503) {
      assertEquals("application/problem+json", a.response().headers().firstValue("Content-Type").orElse(""), a::describe);
      assertTrue(a.response().headers().firstValue("Retry-After").isPresent(), () -> "a 503 says when to retry: " + a.describe());
    }
  }

  /** Answers counted by node and status, e.g. {@code {node 1: 202=47, node 1: 503=4}}, for the output. */
  public static Map<String, Long> byNodeAndStatus(List<Answer> answers) {
    return answers.stream().collect(Collectors.groupingBy(
        a -> "node " + (a.node() + 1) + ": " + (a.status() == 0 ? "refused" : a.status()), TreeMap::new, Collectors.counting()));
  }

  /** Never leaves a client running. */
  @Override
  public void close() {
    submitting.set(false);
    if (clients != null) {
      clients.shutdownNow();
    }
  }
}
