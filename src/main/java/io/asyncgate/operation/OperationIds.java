package io.asyncgate.operation;

import java.time.Clock;
import java.util.UUID;

/**
 * New operation ids: UUIDs of version 7 (RFC 9562), whose first 48 bits are the creation time in
 * milliseconds and whose other 74 bits are random (from {@link UUID#randomUUID}'s secure source).
 *
 * <p>Why time-ordered: an operation's journal rows, its view row and their indexes are keyed by
 * its id. With random ids the writes of the operations in flight land on pages spread over the
 * whole of each index, so a journal of millions of operations has to keep (or read back) all of
 * its pages, and H2 rewrites every page a commit touched; with ids that grow with time they share
 * the few pages at the index's end, whatever the history. Ids of earlier versions (random, version
 * 4) stay valid.
 */
public final class OperationIds {
  private OperationIds() {}

  public static String newId(Clock clock) {
    UUID random = UUID.randomUUID();
    long millis = clock.millis();
    // 48 bits of time, the version (7), then 12 of the random bits.
    long high = (millis << 16) | 0x7000L | (random.getMostSignificantBits() & 0x0FFFL);
    // The variant (10) and 62 random bits, as randomUUID made them.
    return new UUID(high, random.getLeastSignificantBits()).toString();
  }
}
