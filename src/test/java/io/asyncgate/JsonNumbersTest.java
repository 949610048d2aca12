package io.asyncgate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.BootstrapSetup;
import akka.actor.setup.ActorSystemSetup;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationEvent.StepSucceeded;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Numbers a client or a downstream sent come back as they were sent, whether read from HTTP, the
 * view, or an event recovered from the journal by the serializer set up as {@link AsyncGate} sets it up.
 */
class JsonNumbersTest {
  private static final String NUMBERS = "{\"amount\":30.00,\"precise\":0.1000000000000000055511151231257827,"
      + "\"big\":123456789012345678901234567890,\"exponent\":1.5E+3,\"whole\":7}";

  private static final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "JsonNumbersTest",
      ActorSystemSetup.create(BootstrapSetup.create(ConfigFactory.parseString("akka.actor.provider = local")
          .withFallback(ConfigFactory.parseResources("serialization.conf"))
          .withFallback(ConfigFactory.load())), Json.serializationSetup()));

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void theHttpMapperKeepsEveryDigitAndTheScale() throws Exception {
    assertEquals(NUMBERS, Json.string(Json.readTreeNoDeeperThan(NUMBERS.getBytes(StandardCharsets.UTF_8), 8)));
  }

  @Test
  void anEventRecoveredFromTheJournalKeepsTheNumbersOfItsOutput() throws Exception {
    JsonNode output = Json.MAPPER.readTree(NUMBERS);
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
    StepSucceeded event = new StepSucceeded("ship", output, Instant.EPOCH);

    byte[] stored = serialization.serialize(event).get();
    StepSucceeded recovered = (StepSucceeded) serialization.deserialize(stored,
        serialization.serializerFor(StepSucceeded.class).identifier(), StepSucceeded.class.getName()).get();

    assertEquals(NUMBERS, Json.string(recovered.output()));
  }
}
