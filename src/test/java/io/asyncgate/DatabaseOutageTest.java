package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.Await;
import io.asyncgate.support.SubmitLoad;
import io.asyncgate.support.SubmitLoad.Answer;
import io.asyncgate.support.TcpProxy;
import io.asyncgate.support.TestDatabase;
import io.asyncgate.support.TestGate;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL unreachable for a few seconds under a stream of submits, as the node sees it: its
 * connections go through a {@link TcpProxy} that the test cuts and restores. Every submit is
 * answered 202 or 503 problem with Retry-After (a status read too when it needs the view; one of an
 * operation whose entity is in memory is answered as usual), none waits longer than the
 * write timeout, every acknowledged operation succeeds after the database is back, and the node
 * takes submits again by itself.
 */
class DatabaseOutageTest {
  private static final int SUBMITTERS = 8;
  private static final Duration BEFORE = Duration.ofSeconds(3);
  private static final Duration OUTAGE = Duration.ofSeconds(8);
  private static final Duration AFTER = Duration.ofSeconds(8);
  /** Sharding's own stores (remember-entities in the journal) restart with backoffs of up to 10 s. */
  private static final Duration RECOVERY = Duration.ofSeconds(60);
  /** asyncgate.http.write-timeout (5 s) plus room for a loaded 2-core machine. */
  private static final Duration LONGEST_ANSWER = Duration.ofSeconds(5 + 4);
  private static final String ORDER = "{\"customer\":\"outage\",\"items\":[{\"name\":\"widget\",\"quantity\":1}]}";

  @Test
  void submitsAnswer503PromptlyDuringAnOutageAndNothingAcknowledgedIsLost() throws Exception {
    assumeTrue(TestDatabase.isPostgres(), "an embedded H2 database cannot become unreachable: run with"
        + " -Dasyncgate.test.database=postgres");
    try (TestDatabase database = TestDatabase.create();
        TcpProxy proxy = TcpProxy.toServerOf(database.url());
        // The operation read in the outage finished seconds before it: its entity must still be
        // in memory, which a finished one leaves after passivate-after (5 s by default).
        TestGate gate = TestGate.startOn(database, Catalogue.of(),
            "asyncgate.db.url = \"" + proxy.proxiedJdbcUrl(database.url()) + "\"\n"
                + "asyncgate.processing.passivate-after = 60s");
        SubmitLoad load = new SubmitLoad(node -> gate.postJson("/orders", ORDER))) {
      load.startPinned(SUBMITTERS, 1);
      Await.sleep(BEFORE);
      Instant cut = Instant.now();
      proxy.cut();
      Await.sleep(OUTAGE.dividedBy(2));
      String acceptedBeforeTheCut = load.answers().stream().filter(a -> a.status() == 202).findFirst()
          .map(Answer::id).orElseThrow();
      // Answered from the entity's state in memory: no database needed.
      HttpResponse<String> statusRead = gate.get("/operations/" + acceptedBeforeTheCut + "?redirect=false");
      // Not in memory here: it would need the view, which is out of reach.
      HttpResponse<String> viewRead = gate.get("/operations/" + UUID.randomUUID() + "?redirect=false");
      Await.sleep(OUTAGE.dividedBy(2));
      Instant restored = Instant.now();
      proxy.restore();
      Await.sleep(AFTER);
      List<Answer> answers = load.stop();

      Map<Integer, Long> byStatus = answers.stream().collect(Collectors.groupingBy(Answer::status, Collectors.counting()));
      Answer slowest = answers.stream().max((a, b) -> a.took().compareTo(b.took())).orElseThrow();
      List<Answer> during = answers.stream()
          .filter(a -> !a.sentAt().isBefore(cut) && a.sentAt().isBefore(restored)).toList();
      System.out.printf("outage of %d s under %d submitters: answers by status %s; slowest %d ms (%d, sent %d ms"
              + " after the cut); during the outage %d answers, %d of them 503%n",
          OUTAGE.toSeconds(), SUBMITTERS, byStatus, slowest.took().toMillis(), slowest.status(),
          Duration.between(cut, slowest.sentAt()).toMillis(), during.size(),
          during.stream().filter(a -> a.status() == 503).count());

      for (Answer a : answers) {
        SubmitLoad.assertAcceptedOrToldToRetry(a);
        assertTrue(a.took().compareTo(LONGEST_ANSWER) <= 0, () -> "answered within the write timeout: " + a.took());
      }
      assertTrue(during.stream().anyMatch(a -> a.status() == 503), "the outage was seen by the submits");
      assertEquals(200, statusRead.statusCode(), () -> "a status read of a live operation in the outage: " + statusRead.body());
      assertEquals(acceptedBeforeTheCut, TestGate.json(statusRead).path("id").asText());
      assertEquals(503, viewRead.statusCode(), () -> "a status read that needs the view in the outage: " + viewRead.body());
      assertEquals("application/problem+json", viewRead.headers().firstValue("Content-Type").orElse(""));
      assertTrue(viewRead.headers().firstValue("Retry-After").isPresent(), "the status read's 503 says when to retry");

      System.out.println("answers by second since the cut: " + timeline(answers, cut));

      // The node takes submits again by itself, and every acknowledged operation finishes.
      Answer stored = load.firstStoredAfter(0, restored, RECOVERY);
      System.out.printf("first submit stored again %d ms after the database came back%n",
          Duration.between(restored, stored.answeredAt()).toMillis());
      List<String> accepted = load.answers().stream().filter(a -> a.status() == 202).map(Answer::id).toList();
      for (String id : accepted) {
        JsonNode done = gate.awaitTerminal(id, Duration.ofSeconds(120));
        assertEquals("Succeeded", done.get("status").asText(), done::toString);
      }
      System.out.printf("all %d acknowledged operations Succeeded, the last %d ms after the database came back%n",
          accepted.size(), Duration.between(restored, Instant.now()).toMillis());
    }
  }

  /** Statuses answered per second after the cut, to read the course of the outage in the output. */
  private static String timeline(List<Answer> answers, Instant cut) {
    Map<Long, Map<Integer, Long>> bySecond = answers.stream().collect(Collectors.groupingBy(
        a -> Math.floorDiv(Duration.between(cut, a.answeredAt()).toMillis(), 1000L),
        TreeMap::new, Collectors.groupingBy(Answer::status, TreeMap::new, Collectors.counting())));
    return bySecond.toString();
  }
}
