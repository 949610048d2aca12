package io.asyncgate.simulator;

import akka.NotUsed;
import akka.http.javadsl.model.StatusCodes;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.json.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The in-memory state and rules of the simulated inventory, payment, shipping, user/device and report
 * services. Each effect counts itself, so tests can see that it happened exactly once.
 */
final class SimulatedServices {
  /** Payments decline orders of more units than this. */
  static final int MAX_PAYABLE_QUANTITY = 1000;
  static final BigDecimal UNIT_PRICE = new BigDecimal("10.00");
  static final int MAX_REPORT_ROWS = 1_000_000;
  /** Deleting a device whose id ends so answers 409, always: the failure a fan-out must compensate. */
  static final String LOCKED_DEVICE_SUFFIX = "-locked";
  /** Users whose id starts so own, besides their usual devices, one locked device. */
  static final String LOCKED_USER_PREFIX = "locked-";
  private static final Pattern REPORT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  /** The effects counted by {@code GET /stats}. */
  enum Effect {
    RESERVED("inventory.reserved"), RELEASED("inventory.released"),
    CHARGED("payments.charged"), DECLINED("payments.declined"), REFUNDED("payments.refunded"),
    SHIPPED("shipments.created"), SHIPMENT_CANCELED("shipments.canceled"),
    DEVICE_DELETED("devices.deleted"), DEVICE_RESTORED("devices.restored"), USER_DELETED("users.deleted"),
    REPORT_CREATED("reports.created"), FAILURE_INJECTED("failures.injected");

    final String statName;

    Effect(String statName) {
      this.statName = statName;
    }
  }

  /** A report is its name and size: its content follows from them, so the same request gives the same file. */
  record Report(String name, int rows) {
    static final String HEADER = "row,item,quantity\n";

    Source<ByteString, NotUsed> csv() {
      return Source.single(HEADER).concat(Source.range(1, rows).map(this::line)).map(ByteString::fromString);
    }

    String line(int row) {
      // SplittableRandom's sequence for a seed is specified, so every JVM writes the same file.
      return row + "," + name + "-" + row + "," + new SplittableRandom(Objects.hash(name, row)).nextInt(1, 101) + "\n";
    }
  }

  private final Map<String, ObjectNode> reservations = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> payments = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> shipments = new ConcurrentHashMap<>();
  private final Set<String> deletedDevices = ConcurrentHashMap.newKeySet();
  private final Set<String> deletedUsers = ConcurrentHashMap.newKeySet();
  private final Map<String, Report> reports = new ConcurrentHashMap<>();
  private final Map<Effect, AtomicLong> counts = new ConcurrentHashMap<>();

  // --- inventory

  Reply reserve(JsonNode request) {
    Optional<String> invalid = requireText(request, "orderId").or(() -> invalidItems(request.path("items")));
    if (invalid.isPresent()) {
      return Reply.invalid(invalid.get());
    }
    String id = "res-" + UUID.randomUUID();
    ObjectNode reservation = Json.object().put("reservationId", id).put("orderId", request.get("orderId").asText());
    reservation.set("items", request.get("items"));
    reservations.put(id, reservation);
    count(Effect.RESERVED);
    return Reply.created("/inventory/reservations/" + id, reservation);
  }

  Optional<Reply> reservation(String id) {
    return Optional.ofNullable(reservations.get(id)).map(Reply::ok);
  }

  /** Idempotent: releasing what is not (or no longer) reserved is done already. */
  Reply release(String id) {
    if (reservations.remove(id) != null) {
      count(Effect.RELEASED);
    }
    return Reply.noContent();
  }

  // --- payments

  Reply charge(JsonNode request) {
    Optional<String> invalid = requireText(request, "orderId").or(() -> requireText(request, "customer"));
    if (invalid.isPresent()) {
      return Reply.invalid(invalid.get());
    }
    BigDecimal amount;
    String tooMuch;
    if (request.hasNonNull("amount")) {
      if (!request.get("amount").isNumber() || request.get("amount").decimalValue().signum() <= 0) {
        return Reply.invalid("amount must be a positive number");
      }
      amount = request.get("amount").decimalValue();
      BigDecimal limit = UNIT_PRICE.multiply(BigDecimal.valueOf(MAX_PAYABLE_QUANTITY));
      tooMuch = amount.compareTo(limit) > 0 ? "the amount " + amount.toPlainString() + " exceeds the limit of " + limit.toPlainString() : null;
    } else {
      Optional<String> badItems = invalidItems(request.path("items"));
      if (badItems.isPresent()) {
        return Reply.invalid(badItems.get() + " (or give an amount)");
      }
      long quantity = totalQuantity(request.get("items"));
      amount = UNIT_PRICE.multiply(BigDecimal.valueOf(quantity));
      tooMuch = quantity > MAX_PAYABLE_QUANTITY
          ? "the order has " + quantity + " units; payments are declined above " + MAX_PAYABLE_QUANTITY : null;
    }
    if (tooMuch != null) {
      count(Effect.DECLINED);
      return Reply.problem(StatusCodes.UNPROCESSABLE_ENTITY, "payment-declined", "PaymentDeclined",
          "Payment for order " + request.get("orderId").asText() + " declined: " + tooMuch + ".");
    }
    String id = "pay-" + UUID.randomUUID();
    ObjectNode payment = Json.object()
        .put("paymentId", id)
        .put("orderId", request.get("orderId").asText())
        .put("customer", request.get("customer").asText())
        .put("currency", "EUR");
    // A DecimalNode keeps the cents; ObjectNode.put(BigDecimal) would normalize 30.00 to 3E+1.
    payment.set("amount", DecimalNode.valueOf(amount.setScale(2, RoundingMode.HALF_UP)));
    payments.put(id, payment);
    count(Effect.CHARGED);
    return Reply.created("/payments/" + id, payment);
  }

  Reply refund(String id) {
    if (payments.remove(id) != null) {
      count(Effect.REFUNDED);
    }
    return Reply.noContent();
  }

  // --- shipping

  Reply ship(JsonNode request) {
    Optional<String> invalid = requireText(request, "orderId");
    if (invalid.isPresent()) {
      return Reply.invalid(invalid.get());
    }
    String id = "shp-" + UUID.randomUUID();
    ObjectNode shipment = Json.object()
        .put("shipmentId", id)
        .put("orderId", request.get("orderId").asText())
        .put("trackingNumber", "TRK" + Integer.toUnsignedString(id.hashCode(), 36).toUpperCase())
        .put("estimatedDelivery", LocalDate.now(ZoneOffset.UTC).plusDays(3).toString());
    shipments.put(id, shipment);
    count(Effect.SHIPPED);
    return Reply.created("/shipments/" + id, shipment);
  }

  Reply cancelShipment(String id) {
    if (shipments.remove(id) != null) {
      count(Effect.SHIPMENT_CANCELED);
    }
    return Reply.noContent();
  }

  // --- users and devices

  /** A phone and a laptop for everyone, a tablet for about half the users, a locked device for "locked-…". */
  Reply devicesOf(String userId) {
    ArrayNode devices = Json.MAPPER.createArrayNode();
    addDevice(devices, userId + "-phone", "phone");
    addDevice(devices, userId + "-laptop", "laptop");
    if (Math.floorMod(userId.hashCode(), 2) == 1) {
      addDevice(devices, userId + "-tablet", "tablet");
    }
    if (userId.startsWith(LOCKED_USER_PREFIX)) {
      addDevice(devices, userId + LOCKED_DEVICE_SUFFIX, "safe");
    }
    ObjectNode body = Json.object().put("userId", userId);
    body.set("devices", devices);
    return Reply.ok(body);
  }

  private void addDevice(ArrayNode devices, String id, String kind) {
    if (!deletedDevices.contains(id)) {
      devices.addObject().put("id", id).put("kind", kind);
    }
  }

  Reply deleteDevice(String deviceId) {
    if (deviceId.endsWith(LOCKED_DEVICE_SUFFIX)) {
      return Reply.problem(StatusCodes.CONFLICT, "device-locked", "DeviceLocked",
          "Device " + deviceId + " is locked and cannot be deleted (every device id ending in "
              + LOCKED_DEVICE_SUFFIX + " is).");
    }
    if (deletedDevices.add(deviceId)) {
      count(Effect.DEVICE_DELETED);
    }
    return Reply.noContent();
  }

  Reply restoreDevice(String deviceId) {
    if (deletedDevices.remove(deviceId)) {
      count(Effect.DEVICE_RESTORED);
    }
    return Reply.noContent();
  }

  Reply deleteUser(String userId) {
    if (deletedUsers.add(userId)) {
      count(Effect.USER_DELETED);
    }
    return Reply.noContent();
  }

  // --- reports

  /** {@code location} is the absolute URL prefix under which {@code GET /reports/{id}} is reachable. */
  Reply createReport(JsonNode request, String reportsUrl) {
    JsonNode name = request.path("name");
    JsonNode rows = request.path("rows");
    if (!name.isTextual() || !REPORT_NAME.matcher(name.asText()).matches()) {
      return Reply.invalid("name must be 1 to 100 letters, digits, '.', '_' or '-' (it becomes the file name)");
    }
    if (!rows.canConvertToInt() || !rows.isIntegralNumber() || rows.asInt() < 0 || rows.asInt() > MAX_REPORT_ROWS) {
      return Reply.invalid("rows must be an integer from 0 to " + MAX_REPORT_ROWS);
    }
    String id = "rep-" + UUID.randomUUID();
    reports.put(id, new Report(name.asText(), rows.asInt()));
    count(Effect.REPORT_CREATED);
    String location = reportsUrl + "/" + id;
    return Reply.created(location, Json.object()
        .put("reportId", id).put("name", name.asText()).put("rows", rows.asInt()).put("location", location));
  }

  Optional<Report> report(String id) {
    return Optional.ofNullable(reports.get(id));
  }

  // --- counters

  void count(Effect effect) {
    counts.computeIfAbsent(effect, e -> new AtomicLong()).incrementAndGet();
  }

  ObjectNode stats() {
    ObjectNode stats = Json.object();
    for (Effect effect : Effect.values()) {
      AtomicLong count = counts.get(effect);
      stats.put(effect.statName, count == null ? 0 : count.get());
    }
    return stats;
  }

  private static Optional<String> requireText(JsonNode request, String field) {
    JsonNode value = request.path(field);
    return value.isTextual() && !value.asText().isBlank()
        ? Optional.empty() : Optional.of(field + " must be a non-empty string");
  }

  private static Optional<String> invalidItems(JsonNode items) {
    if (!items.isArray() || items.isEmpty()) {
      return Optional.of("items must be a non-empty array of {name, quantity}");
    }
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      if (!item.path("name").isTextual() || item.path("name").asText().isBlank()) {
        return Optional.of("items/" + i + "/name must be a non-empty string");
      }
      JsonNode quantity = item.path("quantity");
      if (!quantity.canConvertToExactIntegral() || !quantity.canConvertToInt() || quantity.asInt() < 1) {
        return Optional.of("items/" + i + "/quantity must be a positive integer");
      }
    }
    return Optional.empty();
  }

  private static long totalQuantity(JsonNode items) {
    long total = 0;
    for (JsonNode item : items) {
      total += item.get("quantity").asInt();
    }
    return total;
  }
}
