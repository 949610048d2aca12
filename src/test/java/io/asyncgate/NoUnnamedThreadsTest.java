package io.asyncgate;

import static io.asyncgate.support.TestHttpClient.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.json.Json;
import io.asyncgate.support.StubDownstream;
import io.asyncgate.support.StubDownstream.Answer;
import io.asyncgate.support.TestGate;
import io.asyncgate.support.TestHttpClient;
import io.asyncgate.support.TestTypes;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * No asyncgate work on unnamed threads (issue 9, must-have 7). On 2 cores the JDK common pool has
 * parallelism 1, and then every CompletableFuture async stage without an executor — including the
 * plain {@code thenApply}/{@code handle} of a Scala future converted to Java, which Scala turns into
 * {@code *Async} — starts a brand-new {@code Thread-N}. A real node runs the hot paths under an
 * in-process JFR recording, and the test fails, printing the stacks, when a thread was started by
 * that fallback or by the common pool, when our code started a thread with a JDK default name, or
 * when our code was sampled running on such a thread.
 */
class NoUnnamedThreadsTest {
  private static final Duration FINISH_WITHIN = Duration.ofSeconds(60);
  /** The names the JDK gives threads nobody named. */
  private static final Pattern UNNAMED = Pattern.compile(
      "Thread-\\d+|pool-\\d+-thread-\\d+|ForkJoinPool-\\d+-worker-\\d+|ForkJoinPool\\.commonPool-worker-\\d+");
  /**
   * Where our code must not run: unnamed threads, and the JDK's one timer thread behind
   * {@code orTimeout} (started once per JVM, so not counted as a start), which a slow callback
   * would hold up for every timeout of the JVM.
   */
  private static final Pattern FOREIGN = Pattern.compile(UNNAMED.pattern() + "|CompletableFutureDelayScheduler");
  /** The JDK's "no executor given" fallback on a machine whose common pool has parallelism 1. */
  private static final String THREAD_PER_TASK = "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor";
  private static final String COMMON_POOL_WORKER = "ForkJoinPool.commonPool-worker-";
  /** Frames printed per offending stack. */
  private static final int FRAMES_SHOWN = 30;

  @Test
  void everyAsyncStageOfTheHotPathsRunsOnANamedThread() throws IOException {
    Path file = Files.createTempFile("thread-starts", ".jfr");
    try {
      try (Recording recording = new Recording()) {
        recording.enable("jdk.ThreadStart").withStackTrace();
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.start();
        exerciseTheHotPaths();
        recording.stop();
        recording.dump(file);
      }
      check(RecordingFile.readAllEvents(file));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Submits, status polls until terminal, result reads (stored and streamed), the listing, a cancel,
   * a purge, a fan-out with its compensation, an HTTP step that fails once and is retried, a step
   * that times out, a Java step answering with an Akka future, rejected requests, readiness, and the
   * node's shutdown.
   */
  private static void exerciseTheHotPaths() {
    String operations = """
        asyncgate.operations.t-retried { route = "POST /t/retried", steps = [
          { name = call, http { url = "BASE/retried" }, retry { max-attempts = 3, initial-backoff = 100ms, max-backoff = 200ms } } ] }
        """;
    try (StubDownstream downstream = new StubDownstream()) {
      downstream.script("POST /retried",
          Answer.json(503, "{\"title\":\"busy\"}"),
          Answer.json(201, "{\"done\":true}"));
      TestGate gate = TestGate.start(Catalogue.of(TestTypes.held(), TestTypes.stuck(), streamed()),
          operations.replace("BASE", downstream.base()));
      try {
        assertEquals(200, gate.get("/health/ready").statusCode(), "ready");

        List<String> orders = List.of(gate.submitOrder("Ada", 1), gate.submitOrder("Grace", 2), gate.submitOrder("Alan", 3));
        String declined = gate.submitOrder("Edsger", 1001);
        String report = submit(gate, "/files", "{\"name\":\"threads\",\"rows\":3}");
        String user = submitDelete(gate, "/users/ann");
        String lockedUser = submitDelete(gate, "/users/locked-bob");
        String retried = submit(gate, "/t/retried", "{}");
        String stuck = submit(gate, "/stuck", "{}");
        String held = TestTypes.submitHeld(gate);
        String streamedStep = submit(gate, "/t/streamed", "{}");

        gate.awaitStatus(held, "Running", FINISH_WITHIN);
        HttpResponse<String> cancel = gate.post("/operations/" + held + "/cancel");
        assertEquals(202, cancel.statusCode(), () -> describe(cancel));
        TestTypes.release(held);

        for (String id : orders) {
          assertEquals("Succeeded", gate.awaitTerminal(id, FINISH_WITHIN).path("status").asText());
          assertEquals(200, gate.get("/operations/" + id + "/result").statusCode());
          assertEquals(303, gate.get("/operations/" + id).statusCode());
        }
        assertEquals("Failed", gate.awaitTerminal(declined, FINISH_WITHIN).path("status").asText());
        assertEquals(422, gate.get("/operations/" + declined + "/result").statusCode());
        assertEquals("Succeeded", gate.awaitTerminal(report, FINISH_WITHIN).path("status").asText());
        HttpResponse<String> csv = gate.get("/operations/" + report + "/result");
        assertEquals(200, csv.statusCode(), () -> describe(csv));
        assertEquals("text/csv", TestHttpClient.mediaType(csv), () -> describe(csv));
        assertEquals("Succeeded", gate.awaitTerminal(user, FINISH_WITHIN).path("status").asText());
        JsonNode locked = gate.awaitTerminal(lockedUser, FINISH_WITHIN);
        assertEquals("Failed", locked.path("status").asText(), locked::toString);
        JsonNode retriedDoc = gate.awaitTerminal(retried, FINISH_WITHIN);
        assertEquals("Succeeded", retriedDoc.path("status").asText(), retriedDoc::toString);
        assertEquals(2, retriedDoc.path("steps").get(0).path("attempts").asInt(), retriedDoc::toString);
        JsonNode stuckDoc = gate.awaitTerminal(stuck, FINISH_WITHIN);
        assertEquals("StepTimedOut", stuckDoc.path("error").path("code").asText(), stuckDoc::toString);
        assertEquals(504, gate.get("/operations/" + stuck + "/result").statusCode());
        assertEquals("Canceled", gate.awaitTerminal(held, FINISH_WITHIN).path("status").asText());
        assertEquals("Succeeded", gate.awaitTerminal(streamedStep, FINISH_WITHIN).path("status").asText());

        HttpResponse<String> listing = gate.get("/operations?limit=50");
        assertEquals(200, listing.statusCode(), () -> describe(listing));
        assertTrue(listing.body().contains(orders.get(0)), listing::body);

        assertEquals(204, gate.delete("/operations/" + orders.get(0)).statusCode());
        assertEquals(410, gate.get("/operations/" + orders.get(0)).statusCode());
        assertEquals(404, gate.get("/operations/" + UUID.randomUUID()).statusCode());
        assertEquals(400, gate.postJson("/orders", "{\"customer\":\"\"}").statusCode());
        assertEquals(415, gate.send(HttpRequest.newBuilder(gate.uri("/orders")).header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString("an order"))).statusCode());
      } finally {
        gate.close();
      }
    }
  }

  /** {@code POST /t/streamed}: a Java step answering with Akka's own kind of future, as one using Akka Streams does. */
  private static OperationType streamed() {
    return OperationType.builder("t-streamed")
        .route("POST /t/streamed")
        .step("stream", ctx -> Source.single((JsonNode) Json.object().put("streamed", true)).runWith(Sink.head(), ctx.system()))
        .build();
  }

  private static String submit(TestGate gate, String path, String body) {
    HttpResponse<String> response = gate.postJson(path, body);
    assertEquals(202, response.statusCode(), () -> describe(response));
    return TestGate.json(response).path("id").asText();
  }

  private static String submitDelete(TestGate gate, String path) {
    HttpResponse<String> response = gate.delete(path);
    assertEquals(202, response.statusCode(), () -> describe(response));
    return TestGate.json(response).path("id").asText();
  }

  private static void check(List<RecordedEvent> events) {
    List<RecordedEvent> starts = events.stream().filter(e -> e.getEventType().getName().equals("jdk.ThreadStart")).toList();
    List<RecordedEvent> samples = events.stream().filter(e -> e.getEventType().getName().equals("jdk.ExecutionSample")).toList();
    // Not vacuous: the recording saw the node start its threads and our code run.
    assertTrue(starts.stream().anyMatch(e -> threadName(e, "thread").contains("akka.actor.default-dispatcher")),
        "the recording saw no dispatcher thread start: " + starts.size() + " thread starts");
    assertTrue(samples.stream().anyMatch(e -> hasMainFrame(e.getStackTrace())),
        "the recording sampled no asyncgate code: " + samples.size() + " samples");
    System.out.println(starts.size() + " thread starts: " + byPool(starts, "thread") + "; asyncgate code sampled on: "
        + byPool(samples.stream().filter(e -> hasMainFrame(e.getStackTrace())).toList(), "sampledThread"));

    List<RecordedEvent> fallbackStarts = starts.stream()
        .filter(e -> hasFrame(e.getStackTrace(), THREAD_PER_TASK) || threadName(e, "thread").startsWith(COMMON_POOL_WORKER))
        .toList();
    List<RecordedEvent> unnamedStartedByUs = starts.stream()
        .filter(e -> UNNAMED.matcher(threadName(e, "thread")).matches() && hasMainFrame(e.getStackTrace()))
        .toList();
    List<RecordedEvent> ourCodeOnUnnamed = samples.stream()
        .filter(e -> FOREIGN.matcher(threadName(e, "sampledThread")).matches() && hasMainFrame(e.getStackTrace()))
        .toList();
    if (!fallbackStarts.isEmpty() || !unnamedStartedByUs.isEmpty() || !ourCodeOnUnnamed.isEmpty()) {
      fail(fallbackStarts.size() + " thread(s) started by the JDK's common-pool fallback (an async stage without an executor), "
          + unnamedStartedByUs.size() + " unnamed thread(s) started by asyncgate code, "
          + ourCodeOnUnnamed.size() + " sample(s) of asyncgate code on an unnamed or JDK timer thread; of "
          + starts.size() + " thread starts and " + samples.size() + " samples.\n"
          + report("Started by the common-pool fallback", fallbackStarts, "thread")
          + report("Unnamed, started by asyncgate code", unnamedStartedByUs, "thread")
          + report("asyncgate code sampled on an unnamed or JDK timer thread", ourCodeOnUnnamed, "sampledThread"));
    }
  }

  /** The events grouped by stack, most frequent first, each stack once with its count and the threads' names. */
  private static String report(String title, List<RecordedEvent> events, String threadField) {
    if (events.isEmpty()) {
      return "";
    }
    Map<String, List<String>> threadsByStack = new LinkedHashMap<>();
    for (RecordedEvent e : events) {
      threadsByStack.computeIfAbsent(stack(e.getStackTrace()), s -> new ArrayList<>()).add(threadName(e, threadField));
    }
    StringBuilder out = new StringBuilder("\n== " + title + ": " + events.size() + " event(s), "
        + threadsByStack.size() + " distinct stack(s) ==\n");
    threadsByStack.entrySet().stream()
        .sorted((a, b) -> b.getValue().size() - a.getValue().size())
        .forEach(entry -> out.append("-- ").append(entry.getValue().size()).append(" × on ")
            .append(entry.getValue().stream().distinct().limit(5).collect(Collectors.joining(", ")))
            .append(entry.getValue().stream().distinct().count() > 5 ? ", …" : "").append('\n')
            .append(entry.getKey()));
    return out.toString();
  }

  /** How many events each pool had, a pool being a thread's name without its number. */
  private static Map<String, Long> byPool(List<RecordedEvent> events, String threadField) {
    return events.stream().collect(Collectors.groupingBy(e -> threadName(e, threadField).replaceAll("\\d+$", "N"),
        TreeMap::new, Collectors.counting()));
  }

  private static String stack(RecordedStackTrace trace) {
    if (trace == null) {
      return "    (no stack trace)\n";
    }
    StringBuilder out = new StringBuilder();
    List<RecordedFrame> frames = trace.getFrames();
    for (RecordedFrame f : frames.subList(0, Math.min(FRAMES_SHOWN, frames.size()))) {
      out.append("    at ").append(f.getMethod().getType().getName()).append('.').append(f.getMethod().getName())
          .append(f.getLineNumber() > 0 ? ":" + f.getLineNumber() : "").append('\n');
    }
    if (frames.size() > FRAMES_SHOWN || trace.isTruncated()) {
      out.append("    …\n");
    }
    return out.toString();
  }

  private static String threadName(RecordedEvent e, String field) {
    RecordedThread thread = e.getThread(field);
    return thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
  }

  private static boolean hasFrame(RecordedStackTrace trace, String type) {
    return trace != null && trace.getFrames().stream().anyMatch(f -> f.getMethod().getType().getName().equals(type));
  }

  private static boolean hasMainFrame(RecordedStackTrace trace) {
    return trace != null && trace.getFrames().stream().anyMatch(f -> isMainCode(f.getMethod().getType().getName()));
  }

  private static final String MAIN_CLASSES = AsyncGate.class.getProtectionDomain().getCodeSource().getLocation().toString();
  private static final Map<String, Boolean> MAIN_CODE = new ConcurrentHashMap<>();

  /** A class of src/main/java (the test's own helpers live in io.asyncgate too); lambdas count as their outer class. */
  private static boolean isMainCode(String className) {
    if (!className.startsWith("io.asyncgate.")) {
      return false;
    }
    String outer = className.split("\\$", 2)[0];
    return MAIN_CODE.computeIfAbsent(outer, name -> {
      URL url = NoUnnamedThreadsTest.class.getClassLoader().getResource(name.replace('.', '/') + ".class");
      return url != null && url.toString().startsWith(MAIN_CLASSES);
    });
  }
}
