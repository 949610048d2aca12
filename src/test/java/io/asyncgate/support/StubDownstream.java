package io.asyncgate.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP downstream for tests, scripted per "METHOD /path": each request takes the next scripted
 * answer, the last one repeating; unscripted requests get 200 {}. Every request is recorded.
 */
public final class StubDownstream implements AutoCloseable {
  /**
   * What the stub answers; {@code delay} before answering simulates a slow downstream; a chunked body
   * has no Content-Length, so its size shows only while it is read.
   */
  public record Answer(int status, String contentType, byte[] body, Map<String, String> headers, Duration delay, boolean chunked) {
    public Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
      this(status, contentType, body, headers, Duration.ZERO, false);
    }

    public static Answer json(int status, String json) {
      return new Answer(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public Answer withHeader(String name, String value) {
      Map<String, String> more = new HashMap<>(headers);
      more.put(name, value);
      return new Answer(status, contentType, body, more, delay, chunked);
    }

    public Answer after(Duration wait) {
      return new Answer(status, contentType, body, headers, wait, chunked);
    }

    public Answer inChunks() {
      return new Answer(status, contentType, body, headers, delay, true);
    }
  }

  /** One request as the downstream saw it. */
  public record Seen(String method, String path, Map<String, List<String>> headers, String body, Instant at) {
    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  public StubDownstream() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Scripts the answers to {@code "METHOD /path"}, in order; the last one repeats. */
  public void script(String request, Answer... answers) {
    scripts.put(request, new ArrayDeque<>(List.of(answers)));
  }

  public List<Seen> seen(String method, String path) {
    return seen.stream().filter(s -> s.method().equals(method) && s.path().equals(path)).toList();
  }

  public List<Seen> seenUnder(String pathPrefix) {
    return seen.stream().filter(s -> s.path().startsWith(pathPrefix)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String path = exchange.getRequestURI().getRawPath();
    seen.add(new Seen(exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()), body, Instant.now()));
    Answer answer = next(exchange.getRequestMethod() + " " + path);
    try {
      Thread.sleep(answer.delay().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exchange.getResponseHeaders().set("Content-Type", answer.contentType());
    answer.headers().forEach(exchange.getResponseHeaders()::set);
    try (OutputStream out = exchange.getResponseBody()) {
      long length = answer.chunked() ? 0 : answer.body().length == 0 ? -1 : answer.body().length;
      exchange.sendResponseHeaders(answer.status(), length);
      out.write(answer.body());
    } catch (IOException e) {
      // The client gave up (a step timeout): nothing to answer.
    }
  }

  private Answer next(String request) {
    Deque<Answer> script = scripts.get(request);
    if (script == null) {
      return Answer.json(200, "{}");
    }
    synchronized (script) {
      return script.size() > 1 ? script.poll() : script.peek();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
