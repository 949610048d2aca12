package io.asyncgate;

import static io.asyncgate.support.GatedProbes.attempts;
import static io.asyncgate.support.GatedProbes.awaitMidSaga;
import static io.asyncgate.support.GatedProbes.executions;
import static io.asyncgate.support.GatedProbes.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncgate.support.GatedProbes;
import io.asyncgate.support.TestDatabase;
import io.asyncgate.support.TestGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guarantee that every accepted operation finishes (docs/guarantees.md), across a graceful
 * restart, in this JVM: sagas stopped in the middle resume on a new node on the same files by
 * themselves (only status reads here), the steps that had succeeded do not run again, and the step
 * that was cut off runs once more. The {@code kill -9} case is {@link KillRestartIT}.
 */
class RestartTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);

  /** Shared by the node stopped and the one started after it. */
  private TestDatabase database;

  @BeforeEach
  void createDatabase() {
    database = TestDatabase.create();
  }

  @AfterEach
  void dropDatabase() {
    database.close();
  }

  @Test
  void sagasStoppedMidwayResumeAfterRestartWithoutClientAction() {
    String gate = UUID.randomUUID().toString();
    List<String> ids = new ArrayList<>();
    try (TestGate first = TestGate.startOn(database, GatedProbes.catalogue(), "")) {
      for (int i = 0; i < 4; i++) {
        ids.add(submit(first, gate));
      }
      // Mid-saga: prepare succeeded, work running (its attempt under way) for every operation.
      for (String id : ids) {
        awaitMidSaga(first, id, AWAIT);
      }
    }
    ids.forEach(id -> assertEquals(1, executions(id, "work"), "work ran once before the stop"));
    GatedProbes.release(gate); // from now on work finishes at once

    try (TestGate second = TestGate.startOn(database, GatedProbes.catalogue(), "")) {
      for (String id : ids) {
        JsonNode done = second.awaitTerminal(id, AWAIT);
        assertEquals("Succeeded", done.get("status").asText(), () -> "after the restart: " + done);
        assertEquals(1, attempts(done, "prepare"), () -> "prepare had succeeded before the stop: " + done);
        assertEquals(2, attempts(done, "work"), () -> "work was cut off by the stop and runs again: " + done);
        assertEquals(1, attempts(done, "finish"), () -> done.toString());
        assertEquals(1, executions(id, "prepare"), "a step that had succeeded never runs again");
        assertEquals(2, executions(id, "work"), "the interrupted step ran again, once");
        assertEquals(1, executions(id, "finish"));
      }
    }
  }

  @Test
  void operationAcceptedJustBeforeStopFinishesAfterRestart() {
    String gate = UUID.randomUUID().toString();
    String id;
    try (TestGate first = TestGate.startOn(database, GatedProbes.catalogue(), "")) {
      id = submit(first, gate); // the 202, then the stop at once
    }
    GatedProbes.release(gate);

    try (TestGate second = TestGate.startOn(database, GatedProbes.catalogue(), "")) {
      JsonNode done = second.awaitTerminal(id, AWAIT);
      assertEquals("Succeeded", done.get("status").asText(), () -> "after the restart: " + done);
      for (String step : List.of("prepare", "work", "finish")) {
        assertTrue(executions(id, step) >= 1, step + " ran");
        // An attempt the stop cut off between its record and its start counts without an execution.
        assertTrue(executions(id, step) <= attempts(done, step), () -> "every execution of " + step + " is a recorded attempt: " + done);
      }
      assertEquals(1, executions(id, "finish"), "nothing ran the last step before the stop");
    }
  }
}
