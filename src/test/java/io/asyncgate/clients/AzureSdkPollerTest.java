package io.asyncgate.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.exception.AzureException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.rest.Response;
import com.azure.core.http.rest.SimpleResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncDefaultPollingStrategy;
import com.azure.core.util.polling.SyncPoller;
import com.azure.core.util.serializer.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.support.LogEachTest;
import io.asyncgate.support.TestGate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An Operation-Location client of the Microsoft REST API guidelines: azure-core's long-running
 * operation poller with its default polling strategy ({@link SyncDefaultPollingStrategy}: the
 * {@code Operation-Location} strategy first, then {@code Location}, then status check), over a
 * plain azure-core pipeline on the JDK HTTP client. Nothing in it knows asyncgate.
 */
@ExtendWith(LogEachTest.class)
class AzureSdkPollerTest {
  private static final Logger log = LoggerFactory.getLogger(AzureSdkPollerTest.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WITHIN = Duration.ofSeconds(45);
  private static final TypeReference<BinaryData> BINARY = TypeReference.createInstance(BinaryData.class);

  private static TestGate gate;
  private static ExecutorService executor;
  private static HttpPipeline pipeline;
  private static final List<Exchange> wire = new CopyOnWriteArrayList<>();

  /** One request as the pipeline sent it, the status it got back and the body's "status" member. */
  record Exchange(String method, String url, int status, String location, String operationLocation, String retryAfter,
      String body) {
    String bodyStatus() {
      try {
        return MAPPER.readTree(body).path("status").asText("");
      } catch (IOException e) {
        return "";
      }
    }

    @Override
    public String toString() {
      return method + " " + url + " -> " + status
          + (operationLocation == null ? "" : " Operation-Location: " + operationLocation)
          + (location == null ? "" : " Location: " + location)
          + (retryAfter == null ? "" : " Retry-After: " + retryAfter)
          + " body: " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }
  }

  /**
   * Records every request the pipeline sends (the poller's included), with its response read in
   * full, as a body-logging policy does; the rest of the pipeline gets the same bytes. (Without
   * buffering, azure-core's operation-resource strategy reads a streamed poll body once for
   * "status" and hands an empty {@link PollResponse#getValue()} on.)
   */
  static final class RecordingPolicy implements HttpPipelinePolicy {
    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
      return next.process().flatMap(response -> response.getBodyAsByteArray().defaultIfEmpty(new byte[0])
          .map(bytes -> record(context.getHttpRequest(), response, bytes)));
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
      try (HttpResponse response = next.processSync()) {
        return record(context.getHttpRequest(), response, response.getBodyAsBinaryData().toBytes());
      }
    }

    private static HttpResponse record(HttpRequest request, HttpResponse response, byte[] body) {
      Exchange exchange = new Exchange(request.getHttpMethod().name(), request.getUrl().toString(), response.getStatusCode(),
          response.getHeaderValue(HttpHeaderName.LOCATION), response.getHeaderValue(HttpHeaderName.fromString("Operation-Location")),
          response.getHeaderValue(HttpHeaderName.RETRY_AFTER), new String(body, StandardCharsets.UTF_8));
      log.info("azure-core pipeline: {}", exchange);
      wire.add(exchange);
      return new ReadResponse(request, response.getStatusCode(), response.getHeaders(), body);
    }
  }

  /** A response whose body has been read. */
  static final class ReadResponse extends HttpResponse {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;

    ReadResponse(HttpRequest request, int status, HttpHeaders headers, byte[] body) {
      super(request);
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    @Override
    public int getStatusCode() {
      return status;
    }

    @Override
    @Deprecated
    public String getHeaderValue(String name) {
      return headers.getValue(HttpHeaderName.fromString(name));
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public Flux<ByteBuffer> getBody() {
      return Flux.just(ByteBuffer.wrap(body));
    }

    @Override
    public BinaryData getBodyAsBinaryData() {
      return BinaryData.fromBytes(body);
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
      return Mono.just(body);
    }

    @Override
    public Mono<String> getBodyAsString() {
      return Mono.just(new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public Mono<String> getBodyAsString(Charset charset) {
      return Mono.just(new String(body, charset));
    }
  }

  @BeforeAll
  static void start() {
    // Slow enough downstream calls (3 × 500 ms per order) that a cancel sent right after the 202 finds the order running.
    gate = TestGate.start(Catalogue.of(), "asyncgate.simulator.latency = 500ms");
    executor = Executors.newFixedThreadPool(2);
    pipeline = new HttpPipelineBuilder()
        .httpClient(new JdkHttpClientBuilder().executor(executor).connectionTimeout(Duration.ofSeconds(5)).build())
        .policies(new RetryPolicy(), new RecordingPolicy())
        .build();
  }

  @AfterAll
  static void stop() {
    if (gate != null) {
      gate.close();
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  @BeforeEach
  void clearWire() {
    wire.clear();
  }

  @Test
  void aSucceededOrderCompletesAndItsResultIsTheOrderConfirmation() throws IOException {
    String customer = "ada-" + UUID.randomUUID();
    SyncPoller<BinaryData, BinaryData> poller = poller(customer, 2);
    String id = operationId(poller);

    PollResponse<BinaryData> done = poller.waitForCompletion(WITHIN);
    assertEquals(LongRunningOperationStatus.SUCCESSFULLY_COMPLETED, done.getStatus(), this::trace);
    JsonNode confirmation = MAPPER.readTree(poller.getFinalResult().toBytes());
    assertEquals(id, confirmation.path("orderId").asText(), confirmation::toString);
    assertEquals("confirmed", confirmation.path("status").asText(), confirmation::toString);
    assertEquals(customer, confirmation.path("customer").asText(), confirmation::toString);

    assertPolledOperationLocation(id, "Succeeded");
    Exchange last = wire.get(wire.size() - 1);
    assertEquals("GET " + gate.base() + "/operations/" + id + "/result -> 200", last.method() + " " + last.url() + " -> " + last.status(),
        "the final result is fetched from resourceLocation\n" + trace());
  }

  @Test
  void aDeclinedOrderEndsFailed() {
    SyncPoller<BinaryData, BinaryData> poller = poller("grace-" + UUID.randomUUID(), 1001);
    String id = operationId(poller);

    PollResponse<BinaryData> done = poller.waitForCompletion(WITHIN);
    assertEquals(LongRunningOperationStatus.FAILED, done.getStatus(), this::trace);
    assertEquals("PaymentDeclined", json(done.getValue()).path("error").path("innererror").path("code").asText(), done.getValue()::toString);
    assertThrows(AzureException.class, poller::getFinalResult);
    assertPolledOperationLocation(id, "Failed");
  }

  @Test
  void anOrderCanceledRightAfterSubmitEndsUserCancelled() {
    SyncPoller<BinaryData, BinaryData> poller = poller("linus-" + UUID.randomUUID(), 3);
    String id = operationId(poller);
    // The user cancels through the API (azure-core's strategies do not implement cancel).
    assertEquals(202, gate.post("/operations/" + id + "/cancel").statusCode());

    PollResponse<BinaryData> done = poller.waitForCompletion(WITHIN);
    assertEquals(LongRunningOperationStatus.USER_CANCELLED, done.getStatus(), this::trace);
    assertEquals("Canceled", json(done.getValue()).path("status").asText(), done.getValue()::toString);
    assertTrue(json(done.getValue()).path("error").hasNonNull("code"), done.getValue()::toString);
    assertThrows(AzureException.class, poller::getFinalResult);
    assertPolledOperationLocation(id, "Canceled");
  }

  /** Submits {@code POST /orders} through the pipeline; the poller takes it from the initial response on. */
  private SyncPoller<BinaryData, BinaryData> poller(String customer, int quantity) {
    String body = "{\"customer\":\"" + customer + "\",\"items\":[{\"name\":\"widget\",\"quantity\":" + quantity + "}]}";
    return SyncPoller.createPoller(Duration.ofSeconds(1), () -> submit(body),
        new SyncDefaultPollingStrategy<BinaryData, BinaryData>(pipeline), BINARY, BINARY);
  }

  private static Response<BinaryData> submit(String body) {
    HttpRequest request = new HttpRequest(HttpMethod.POST, gate.base() + "/orders")
        .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
        .setBody(BinaryData.fromString(body));
    try (HttpResponse response = pipeline.sendSync(request, Context.NONE)) {
      return new SimpleResponse<>(request, response.getStatusCode(), response.getHeaders(), response.getBodyAsBinaryData());
    }
  }

  /** The id, from the submit's 202 as the pipeline recorded it (the poller sent it when built). */
  private String operationId(SyncPoller<BinaryData, BinaryData> poller) {
    assertEquals(1, wire.size(), this::trace);
    Exchange submit = wire.get(0);
    assertEquals("POST " + gate.base() + "/orders -> 202", submit.method() + " " + submit.url() + " -> " + submit.status(), this::trace);
    String location = submit.location();
    String id = location.substring(location.lastIndexOf('/') + 1);
    assertEquals(gate.base() + "/operations/" + id + "?redirect=false", submit.operationLocation(), this::trace);
    return id;
  }

  /**
   * Every status poll went to the Operation-Location URL and read a running status document until
   * the last, which read {@code finalStatus}; nothing answered 303.
   */
  private void assertPolledOperationLocation(String id, String finalStatus) {
    log.info("wire trace:\n{}", trace());
    String operationLocation = gate.base() + "/operations/" + id + "?redirect=false";
    List<Exchange> polls = wire.stream().filter(e -> e.url().startsWith(gate.base() + "/operations/" + id)
        && !e.url().endsWith("/result")).toList();
    assertFalse(polls.isEmpty(), "no poll\n" + trace());
    polls.forEach(p -> assertEquals("GET " + operationLocation, p.method() + " " + p.url(), this::trace));
    polls.subList(0, polls.size() - 1).forEach(p -> {
      assertTrue(Set.of("NotStarted", "Running").contains(p.bodyStatus()), this::trace);
      assertTrue(p.retryAfter() != null, () -> "running poll without Retry-After\n" + trace());
    });
    assertEquals(finalStatus, polls.get(polls.size() - 1).bodyStatus(), this::trace);
    assertTrue(wire.stream().noneMatch(e -> e.status() == 303), "the poller received a 303\n" + trace());
    assertTrue(wire.stream().allMatch(e -> e.status() == 200 || e.status() == 202), "unexpected status\n" + trace());
  }

  private String trace() {
    StringBuilder s = new StringBuilder();
    wire.forEach(e -> s.append("  ").append(e).append('\n'));
    return s.toString();
  }

  private static JsonNode json(BinaryData data) {
    try {
      return MAPPER.readTree(data.toBytes());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + data, e);
    }
  }
}
