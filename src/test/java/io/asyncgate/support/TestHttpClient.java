package io.asyncgate.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real JDK {@link HttpClient} talking over a socket to one server, whose base URL relative paths
 * are resolved against; answers are read as strings. It runs on a small executor of its own with
 * named threads: on 2 cores the JDK's default starts a thread per call. The statics read an answer
 * the way assertions need it: its JSON body, its media type, a one-line description.
 */
public class TestHttpClient implements AutoCloseable {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final String base;
  private final Optional<Duration> requestTimeout;
  private final ExecutorService executor;
  private final HttpClient client;

  /**
   * @param name names the executor's threads, {@code name-http-1} and so on
   * @param requestTimeout how long any request built here may take; empty: as long as it takes
   */
  protected TestHttpClient(String base, String name, int threads, Optional<Duration> requestTimeout) {
    this(base, name, threads, requestTimeout, HttpClient.Redirect.NEVER);
  }

  private TestHttpClient(String base, String name, int threads, Optional<Duration> requestTimeout, HttpClient.Redirect redirect) {
    this.base = base;
    this.requestTimeout = requestTimeout;
    AtomicInteger count = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + "-http-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder().executor(executor).connectTimeout(CONNECT_TIMEOUT).followRedirects(redirect).build();
  }

  /** A client of {@code base} on two threads, each request given 30 s. */
  public static TestHttpClient to(String base, String name) {
    return new TestHttpClient(base, name, 2, Optional.of(Duration.ofSeconds(30)));
  }

  /** The same, following redirects as a browser does (a {@code 303} to the result), each request as long as it takes. */
  public static TestHttpClient followingRedirects(String base, String name) {
    return new TestHttpClient(base, name, 2, Optional.empty(), HttpClient.Redirect.NORMAL);
  }

  public String base() {
    return base;
  }

  /** A path on this server, or a whole URL as it is (e.g. a {@code Location} header). */
  public URI uri(String pathOrUrl) {
    return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
  }

  /** {@code POST} of a JSON body, to add headers to before {@link #send(HttpRequest.Builder)}. */
  public HttpRequest.Builder postJsonRequest(String pathOrUrl, String json) {
    return HttpRequest.newBuilder(uri(pathOrUrl))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  /** Sends the request as it is; I/O failures (a refused connection, a timeout) are unchecked. */
  public HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Builds the request with this client's request timeout, and sends it. */
  public HttpResponse<String> send(HttpRequest.Builder request) {
    requestTimeout.ifPresent(request::timeout);
    return send(request.build());
  }

  public HttpResponse<String> get(String pathOrUrl) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl)).GET());
  }

  /** {@code POST} without a body. */
  public HttpResponse<String> post(String pathOrUrl) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  public HttpResponse<String> postJson(String pathOrUrl, String json) {
    return send(postJsonRequest(pathOrUrl, json));
  }

  public HttpResponse<String> delete(String pathOrUrl) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl)).DELETE());
  }

  /** The body as JSON; fails the test, showing the body, when it is not JSON. */
  public static JsonNode json(HttpResponse<String> response) {
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  /** The media type without parameters, lower case; empty without a {@code Content-Type}. */
  public static String mediaType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("").split(";", 2)[0].trim().toLowerCase();
  }

  /** Request, status, headers and body on one line, for assertion messages. */
  public static String describe(HttpResponse<String> response) {
    return response.request().method() + " " + response.uri() + " -> " + response.statusCode() + " " + response.headers().map()
        + " " + response.body();
  }

  /**
   * Stops the executor. Until then requests keep working, also to a server that has gone: a JDK
   * client whose executor is shut down never completes a request, and load drivers still try it.
   */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
