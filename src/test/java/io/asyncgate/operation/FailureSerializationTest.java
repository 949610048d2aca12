package io.asyncgate.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.operation.OperationEvent.StepAttemptFailed;
import io.asyncgate.operation.OperationEvent.StepFailed;
import io.asyncgate.step.FailureKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Events in the journal outlive the version that wrote them: a {@link Failure} stored before
 * {@code leftEffects} or {@code throttled} existed must still be read, as "no effects left" and
 * "not throttled", by the serializer the journal uses.
 */
class FailureSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("akka.actor.provider = local")
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));
  private static final Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aFailureStoredBeforeLeftEffectsExistedReadsAsLeavingNone() throws Exception {
    String stored = "{\"step\":\"charge\",\"failure\":{\"kind\":\"TRANSIENT\",\"code\":\"Unavailable\",\"message\":\"503\"},"
        + "\"at\":\"2026-11-01T10:00:00Z\"}";
    Serializer serializer = serialization.serializerFor(StepFailed.class);

    StepFailed event = (StepFailed) serialization.deserialize(stored.getBytes(StandardCharsets.UTF_8),
        serializer.identifier(), StepFailed.class.getName()).get();

    assertEquals("Unavailable", event.failure().code());
    assertFalse(event.failure().leftEffects());
  }

  @Test
  void leftEffectsIsWrittenOnlyWhenTrueAndSurvivesARoundTrip() throws Exception {
    StepFailed none = new StepFailed("s", new Failure(FailureKind.TRANSIENT, "X", "m", null), Instant.EPOCH);
    StepFailed left = new StepFailed("s", new Failure(FailureKind.TRANSIENT, "X", "m", null, true), Instant.EPOCH);

    assertFalse(json(none).contains("leftEffects"), json(none));
    assertTrue(json(left).contains("\"leftEffects\":true"), json(left));
    Serializer serializer = serialization.serializerFor(StepFailed.class);
    StepFailed read = (StepFailed) serialization.deserialize(serialization.serialize(left).get(),
        serializer.identifier(), StepFailed.class.getName()).get();
    assertEquals(left, read);
  }

  @Test
  void throttledIsWrittenOnlyWhenTrueReadsAsFalseWhenAbsentAndSurvivesARoundTrip() throws Exception {
    StepAttemptFailed plain = new StepAttemptFailed("s", 1, new Failure(FailureKind.TRANSIENT, "X", "m", null), Instant.EPOCH);
    StepAttemptFailed throttled = new StepAttemptFailed("s", 2,
        new Failure(FailureKind.TRANSIENT, "DownstreamUnavailable", "503", null, false, true), Instant.EPOCH);

    assertFalse(json(plain).contains("throttled"), json(plain));
    assertTrue(json(throttled).contains("\"throttled\":true"), json(throttled));
    Serializer serializer = serialization.serializerFor(StepAttemptFailed.class);
    StepAttemptFailed read = (StepAttemptFailed) serialization.deserialize(serialization.serialize(throttled).get(),
        serializer.identifier(), StepAttemptFailed.class.getName()).get();
    assertEquals(throttled, read);
    StepAttemptFailed old = (StepAttemptFailed) serialization.deserialize(serialization.serialize(plain).get(),
        serializer.identifier(), StepAttemptFailed.class.getName()).get();
    assertFalse(old.failure().throttled());
  }

  private static String json(Object event) {
    return new String(serialization.serialize(event).get(), StandardCharsets.UTF_8);
  }
}
