package io.asyncgate.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OperationIdsTest {
  @Test
  void anIdIsAVersion7UuidThatStartsWithItsCreationTime() {
    Instant created = Instant.parse("2026-12-07T22:40:00.123Z");
    String id = OperationIds.newId(Clock.fixed(created, ZoneOffset.UTC));
    UUID uuid = UUID.fromString(id);
    assertEquals(id, uuid.toString());
    assertEquals(7, uuid.version());
    assertEquals(2, uuid.variant());
    assertEquals(created.toEpochMilli(), uuid.getMostSignificantBits() >>> 16);
  }

  /** Their order is their creation order across milliseconds, which is what keeps index writes together. */
  @Test
  void laterIdsSortAfterEarlierOnes() {
    Instant first = Instant.parse("2026-12-07T22:40:00.123Z");
    String earlier = OperationIds.newId(Clock.fixed(first, ZoneOffset.UTC));
    String later = OperationIds.newId(Clock.fixed(first.plusMillis(1), ZoneOffset.UTC));
    assertTrue(earlier.compareTo(later) < 0, earlier + " before " + later);
  }

  @Test
  void idsOfTheSameMillisecondDiffer() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-07T22:40:00Z"), ZoneOffset.UTC);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      ids.add(OperationIds.newId(clock));
    }
    assertEquals(100_000, ids.size());
  }
}
