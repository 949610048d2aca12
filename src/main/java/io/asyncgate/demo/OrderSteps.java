package io.asyncgate.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.asyncgate.Json;
import io.asyncgate.saga.CompensableStep;
import io.asyncgate.saga.StepContext;
import io.asyncgate.saga.StepFailure;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo order saga ({@code POST /orders}): reserve inventory, charge payment, ship. Each step
 * simulates its work; the payment is declined for good when more than 1000 items are ordered, so
 * the reservation is compensated and the order fails.
 */
public final class OrderSteps {
  private static final Logger log = LoggerFactory.getLogger(OrderSteps.class);
  static final int MAX_PAYABLE_QUANTITY = 1000;

  private OrderSteps() {}

  static int totalQuantity(JsonNode order) {
    int total = 0;
    for (JsonNode item : order.path("items")) {
      total += item.path("quantity").asInt();
    }
    return total;
  }

  public static final class ReserveInventory implements CompensableStep {
    private final Duration work;

    public ReserveInventory(Config settings) {
      this.work = SimulatedWork.duration(settings);
    }

    @Override
    public CompletionStage<JsonNode> execute(StepContext ctx) {
      return ctx.delay(work).thenApply(v -> {
        ObjectNode out = Json.object();
        out.put("reservationId", "res-" + ctx.idempotencyKey().hashCode());
        out.put("items", totalQuantity(ctx.body()));
        return out;
      });
    }

    @Override
    public CompletionStage<Void> compensate(StepContext ctx) {
      return ctx.delay(work).thenRun(() -> log.info("released inventory reservation of {}", ctx.idempotencyKey()));
    }
  }

  public static final class ChargePayment implements CompensableStep {
    private final Duration work;

    public ChargePayment(Config settings) {
      this.work = SimulatedWork.duration(settings);
    }

    @Override
    public CompletionStage<JsonNode> execute(StepContext ctx) {
      return ctx.delay(work).thenApply(v -> {
        int quantity = totalQuantity(ctx.body());
        if (quantity > MAX_PAYABLE_QUANTITY) {
          throw StepFailure.rejected("PaymentDeclined",
              "Payment declined: " + quantity + " items exceed the limit of " + MAX_PAYABLE_QUANTITY + " per order.");
        }
        ObjectNode out = Json.object();
        out.put("paymentId", "pay-" + ctx.idempotencyKey().hashCode());
        out.put("amount", quantity * 10);
        out.put("currency", "EUR");
        return out;
      });
    }

    @Override
    public CompletionStage<Void> compensate(StepContext ctx) {
      return ctx.delay(work).thenRun(() -> log.info("refunded payment of {}", ctx.idempotencyKey()));
    }
  }

  /** The last step: its output is the order confirmation, the operation's result. */
  public static final class ShipOrder implements CompensableStep {
    private final Duration work;

    public ShipOrder(Config settings) {
      this.work = SimulatedWork.duration(settings);
    }

    @Override
    public CompletionStage<JsonNode> execute(StepContext ctx) {
      return ctx.delay(work).thenApply(v -> {
        ObjectNode confirmation = Json.object();
        confirmation.put("orderId", ctx.requestId());
        confirmation.put("status", "confirmed");
        confirmation.set("customer", ctx.body().path("customer"));
        confirmation.set("items", ctx.body().path("items"));
        confirmation.put("reservationId", ctx.output("reserve-inventory").map(o -> o.path("reservationId").asText()).orElse(null));
        confirmation.set("payment", ctx.output("charge-payment").orElse(Json.object()));
        confirmation.put("trackingNumber", "TRK-" + Integer.toHexString(ctx.idempotencyKey().hashCode()).toUpperCase());
        return confirmation;
      });
    }

    @Override
    public CompletionStage<Void> compensate(StepContext ctx) {
      return ctx.delay(work).thenRun(() -> log.info("canceled shipment of {}", ctx.idempotencyKey()));
    }
  }
}
