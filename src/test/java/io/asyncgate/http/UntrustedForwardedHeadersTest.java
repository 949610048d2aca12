package io.asyncgate.http;

import static io.asyncgate.support.ApiAssertions.assertAccepted;
import static io.asyncgate.support.ApiAssertions.assertOperationProblem;

import io.asyncgate.support.TestGate;
import java.net.http.HttpRequest;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** By default {@code Forwarded} / {@code X-Forwarded-*} are not trusted: URLs come from {@code Host}. */
class UntrustedForwardedHeadersTest {
  private static TestGate gate;

  @BeforeAll
  static void start() {
    gate = TestGate.start();
  }

  @AfterAll
  static void stop() {
    gate.close();
  }

  @Test
  void forwardedHeadersAreIgnoredWhenNotTrusted() {
    HttpRequest request = HttpRequest.newBuilder(gate.uri("/orders"))
        .header("Content-Type", "application/json")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "gw.example.com")
        .POST(HttpRequest.BodyPublishers.ofString("{\"customer\":\"Ada\",\"items\":[{\"name\":\"widget\",\"quantity\":1}]}"))
        .build();

    assertAccepted(gate.send(request), gate.base(), "orders");
  }

  @Test
  void forwardedIsIgnoredWhenNotTrusted() {
    HttpRequest request = HttpRequest.newBuilder(gate.uri("/users/user-9"))
        .header("Forwarded", "proto=https;host=fw.example.com")
        .DELETE()
        .build();

    assertAccepted(gate.send(request), gate.base(), "users");
  }

  @Test
  void problemsIgnoreThemToo() {
    String id = UUID.randomUUID().toString();
    HttpRequest request = HttpRequest.newBuilder(gate.uri("/operations/" + id))
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "gw.example.com")
        .header("Forwarded", "proto=https;host=fw.example.com")
        .GET()
        .build();

    assertOperationProblem(gate.send(request), gate.base(), 404, "not-found", id);
  }
}
