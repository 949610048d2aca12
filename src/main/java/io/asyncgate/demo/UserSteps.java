package io.asyncgate.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.asyncgate.Json;
import io.asyncgate.saga.CompensableStep;
import io.asyncgate.saga.Step;
import io.asyncgate.saga.StepContext;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The demo {@code DELETE /users/{userId}}: delete the user's devices, then the user. */
public final class UserSteps {
  private static final Logger log = LoggerFactory.getLogger(UserSteps.class);

  private UserSteps() {}

  /** Every user of the demo has a few devices, derived from the id so repeated runs agree. */
  static int devicesOf(String userId) {
    return 1 + Math.floorMod(userId.hashCode(), 4);
  }

  public static final class DeleteDevices implements CompensableStep {
    private final Duration work;

    public DeleteDevices(Config settings) {
      this.work = SimulatedWork.duration(settings);
    }

    @Override
    public CompletionStage<JsonNode> execute(StepContext ctx) {
      return ctx.delay(work).thenApply(v -> {
        ObjectNode out = Json.object();
        out.put("devicesDeleted", devicesOf(ctx.pathParam("userId")));
        return out;
      });
    }

    /** Devices are soft-deleted first, so they can be restored if the user cannot be deleted. */
    @Override
    public CompletionStage<Void> compensate(StepContext ctx) {
      return ctx.delay(work).thenRun(() -> log.info("restored devices of user {}", ctx.pathParam("userId")));
    }
  }

  public static final class DeleteUser implements Step {
    private final Duration work;

    public DeleteUser(Config settings) {
      this.work = SimulatedWork.duration(settings);
    }

    @Override
    public CompletionStage<JsonNode> execute(StepContext ctx) {
      return ctx.delay(work).thenApply(v -> {
        ObjectNode summary = Json.object();
        summary.put("userId", ctx.pathParam("userId"));
        summary.put("deleted", true);
        summary.put("devicesDeleted", ctx.output("delete-devices").map(o -> o.path("devicesDeleted").asInt()).orElse(0));
        return summary;
      });
    }
  }
}
