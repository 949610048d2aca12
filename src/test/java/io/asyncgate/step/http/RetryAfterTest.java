package io.asyncgate.step.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A downstream's Retry-After, in both forms RFC 9110 allows. */
class RetryAfterTest {
  private static Optional<Duration> retryAfter(String value) {
    return DownstreamHttp.retryAfter(HttpResponse.create().addHeader(RawHeader.create("Retry-After", value)));
  }

  @Test
  void deltaSecondsAreTakenAsTheDelay() {
    assertEquals(Optional.of(Duration.ofSeconds(7)), retryAfter("7"));
  }

  @Test
  void anHttpDateIsTheDelayUntilThenAndAPastDateIsNoDelay() {
    String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
    Duration delay = retryAfter(inAMinute).orElseThrow();
    assertTrue(delay.compareTo(Duration.ofSeconds(55)) > 0 && delay.compareTo(Duration.ofSeconds(60)) <= 0, delay::toString);
    assertEquals(Optional.of(Duration.ZERO), retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
  }

  @Test
  void anUnreadableValueIsIgnored() {
    assertEquals(Optional.empty(), retryAfter("soon"));
    assertEquals(Optional.empty(), DownstreamHttp.retryAfter(HttpResponse.create()));
  }
}
